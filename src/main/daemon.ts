import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * `daemonize yes`. Node cannot fork, so the process that read the
 * configuration starts itself again, detached (a new session, standard
 * streams on /dev/null), hands the new process the settings it resolved
 * through a pipe (the configuration may have come from standard input,
 * which the daemon cannot read again) and exits 0 at once, as Redis's
 * parent does after its fork.
 */

/** Set in the daemon's environment: its settings arrive on standard input. */
const DAEMON_ENV = 'SLUICE_DAEMON_SETTINGS';

/** Redis's CONFIG_DEFAULT_PID_FILE: where a daemon writes its pid when no pidfile is set. */
export const DEFAULT_PID_FILE = '/var/run/redis.pid';

export interface Handover {
  settings: [string, string][];
  configFile: string | null;
  renames: [from: string, to: string][];
  /** The config's `user` directives (name, then rules). */
  users?: string[][];
}

/** Starts the daemon with these settings; resolves once it has them (the caller then exits). */
export function startDaemon(handover: Handover): Promise<void> {
  const env = { ...process.env, [DAEMON_ENV]: '1' };
  const child = spawn(process.execPath, [...process.execArgv, process.argv[1]], {
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
    env,
  });
  child.unref();
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.stdin!.end(JSON.stringify(handover), () => resolve());
  });
}

/** In the daemon: the settings its parent handed over; null in a process that was not started so. */
export function daemonHandover(): Handover | null {
  if (process.env[DAEMON_ENV] !== '1') return null;
  delete process.env[DAEMON_ENV];
  return JSON.parse(readFileSync(0, 'utf8')) as Handover;
}
