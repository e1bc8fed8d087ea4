import { busyError } from '../scripting/scripting.js';
import type { StopSignal } from './busy-accept.js';
import { shaped } from './logger.js';
import type { Server } from './server.js';

export interface ShutdownFlags {
  save: boolean;
  nosave: boolean;
  force: boolean;
}

/**
 * Redis's prepareForShutdown, then the exit: the final save, then the
 * host's onShutdown (the CLI exits once the server has closed). Under a
 * busy script only NOSAVE may stop the server, which then abandons the
 * script. Returns null once stopping, else the error that keeps the
 * server up (SHUTDOWN replies it).
 */
export function shutdownServer(server: Server, flags: ShutdownFlags): string | null {
  const script = server.scripting.current;
  const busy = script !== null && script.timedOut;
  if (busy && !flags.nosave) return busyError(script);
  server.log.notice('User requested shutdown...');
  if (!server.persistence.finalSave(flags)) return 'ERR Errors trying to SHUTDOWN. Check logs.';
  // After the final save: a refused shutdown leaves the script running, as in Redis (which exits from inside it, never stopping it).
  if (busy) server.scripting.abort();
  server.onShutdown();
  void server.close();
  return null;
}

/**
 * SIGTERM or SIGINT while a script is busy: the host's handlers cannot run
 * until the script ends, which a runaway script never does, so the server
 * stops as SHUTDOWN NOSAVE would stop it (as Redis stops on a signal
 * during loading, whileBlockedCron). Redis itself waits for the script;
 * its log lines are kept. The host's handler still runs once the event
 * loop does, and finds the server stopping.
 */
export function shutdownOnSignal(server: Server, signal: StopSignal): void {
  server.log.warning(shaped('signal'), `Received ${signal} scheduling shutdown...`);
  if (shutdownServer(server, { save: false, nosave: true, force: false }) !== null) {
    server.log.warning(`${signal} received but errors trying to shut down the server, check the logs for more information`);
  }
}
