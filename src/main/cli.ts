#!/usr/bin/env node
import { ClusterStartFailure } from '../server/cluster-runtime.js';
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { packageFile } from '../core/package-file.js';
import { startDaemon } from './daemon.js';
import { strerror } from '../persistence/io.js';
import { keepProcTitle } from './proc-title.js';
import { ConfigError } from '../server/config-file.js';
import { PARAMETERS } from '../server/config-params.js';
import type { Server } from '../server/server.js';
import { newServer, startupSettings } from './startup.js';
import { REDIS_VERSION, SLUICE_VERSION } from '../server/version.js';
import { signalShutdown } from '../server/shutdown.js';
import { logListenFailure, logMode, logReady, logRuntime, logStarting } from './startup-log.js';
import { collectStartupGarbage } from './startup-gc.js';

/** How long a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;
/** How long an exit waits for the log to be written. */
const LOG_DRAIN_MS = 3_000;

/** Shipped in the package beside dist/ (package.json's files), so --help can name a file that exists wherever it is installed. */
const CONFIGURATION_DOC = packageFile('docs/configuration.md');

function usage(): string {
  const names = PARAMETERS.filter((p) => p.support !== 'none' && !p.hidden).map((p) => p.name);
  const wrapped: string[] = [];
  let line = ' ';
  for (const n of names) {
    if (line.length + n.length > 76) {
      wrapped.push(line);
      line = ' ';
    }
    line += ` ${n}`;
  }
  wrapped.push(line);
  return `Usage: sluice-server [/path/to/redis.conf] [--option value ...]
       sluice-server - (read the configuration from standard input)
       sluice-server --version
       sluice-server --help

Every option is a redis.conf directive of Redis 7.2; the command line overrides
the file. All of them, and what Sluice does with each:
  ${CONFIGURATION_DOC}
The ones Sluice acts on:
${wrapped.join('\n')}

Examples:
  sluice-server                          (port 6379, data in ./data)
  sluice-server --port 7777 --dir /var/lib/sluice
  sluice-server /etc/sluice.conf --loglevel verbose
  sluice-server --metrics-port 9121      (Prometheus metrics at /metrics)
  sluice-server --console-port 8080      (the browser console)`;
}

function writePidFile(server: Server): string | null {
  const pidfile = server.config.str('pidfile');
  if (pidfile === '') return null;
  try {
    writeFileSync(pidfile, `${process.pid}\n`);
    return pidfile;
  } catch (e) {
    server.log.warning(`Failed to write PID file: ${strerror(e)}`);
    return null;
  }
}

/** The sluice-server process, given its arguments. */
export function main(argv: string[]): void {
  // Like redis-server, these are recognised only as the first argument.
  if (argv[0] === '--help' || argv[0] === '-h') {
    console.log(usage());
    return;
  }
  if (argv[0] === '--version' || argv[0] === '-v') {
    console.log(`Sluice server v=${SLUICE_VERSION} redis_compat=${REDIS_VERSION} node=${process.version}`);
    return;
  }
  let server: Server;
  let configGiven: boolean;
  try {
    const startup = startupSettings(argv);
    const { settings, configFile, renames, users } = startup;
    const toDaemonize = !startup.daemon && settings.some(([name, value]) => name === 'daemonize' && value === 'yes');
    // Built before daemonizing too, so that every error is reported to the terminal that started it, as Redis does.
    server = newServer(startup, toDaemonize);
    // As Redis: a process given no argument at all is told it runs on the defaults; a daemon was given its settings.
    configGiven = startup.daemon || argv.length > 0;
    if (toDaemonize) {
      startDaemon({ settings, configFile, renames, users }).then(
        () => process.exit(0),
        (e: Error) => fatal(`Can't start the daemon: ${e.message}`),
      );
      return;
    }
  } catch (e) {
    fatal(e instanceof ConfigError ? `\n${e.message}` : (e as Error).message);
  }
  collectStartupGarbage();
  server.memory.startupSettled();
  logStarting(server, configGiven);
  logRuntime(server);
  const pidfile = writePidFile(server);
  const dir = server.config.str('dir');
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    fatal(`Can't create the data directory '${dir}': ${(e as Error).message}`);
  }
  for (const def of server.config.withoutEffect()) {
    server.log.warning(`${def.name} is set to '${server.config.text(def)}', which has no effect in Sluice: ${def.note}`);
  }
  logMode(server);
  const portAsked = server.config.num('port');
  server.listen().then(
    (port) => {
      keepProcTitle(server, port);
      if (portAsked === 0 && server.config.num('port') !== 0) server.log.notice(`Listening on port ${port}, picked for port 0`);
      const metrics = server.metrics.url;
      if (metrics !== null) server.log.notice(`Prometheus metrics at ${metrics}`);
      const consoleUrl = server.webConsole.url;
      if (consoleUrl !== null) server.log.notice(`Console at ${consoleUrl}`);
      server.persistence.ready.then(
        () => logReady(server),
        // Redis's last line before it exits is the loader's reason (its test suite reads it there).
        (e: Error) => {
          // A shutdown during loading stops the load: that is no failure to report.
          if (stopping) return;
          server.log.warning(e.message);
          exitWhenLogged(server, 1);
        },
      );
    },
    (e: Error) => {
      // The cluster's refusals (a locked or damaged nodes.conf) were logged in Redis's words by the server.
      if (!(e instanceof ClusterStartFailure)) logListenFailure(server, e);
      exitWhenLogged(server, 1);
    },
  );
  let stopping = false;
  /** The exit, once SHUTDOWN or a signal's shutdown (the cron's, see signalShutdown) has made the final save. */
  const stop = () => {
    if (stopping) return;
    stopping = true;
    setTimeout(() => {
      server.log.warning('Shutdown took too long, exiting anyway');
      exitWhenLogged(server, 1);
    }, SHUTDOWN_GRACE_MS).unref();
    if (pidfile !== null) {
      server.log.notice('Removing the pid file.');
      removePidFile(pidfile);
    }
    server.close().then(() => {
      server.log.warning('Sluice is now ready to exit, bye bye...');
      exitWhenLogged(server, server.exitCode);
    });
  };
  const onSignal = (signal: 'SIGTERM' | 'SIGINT') => {
    if (stopping) return;
    if (signalShutdown(server, signal) === 'insist') exitWhenLogged(server, 1);
  };
  server.onShutdown = stop;
  process.on('SIGTERM', () => onSignal('SIGTERM'));
  process.on('SIGINT', () => onSignal('SIGINT'));
}

function removePidFile(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone: nothing to clean up.
  }
}

/**
 * Exits once the lines logged so far are written, in order: the log is
 * written asynchronously, and an exit at once would cut its last lines. A
 * reader that has stopped reading gets a few seconds.
 */
function exitWhenLogged(server: Server, code: number): void {
  setTimeout(() => process.exit(code), LOG_DRAIN_MS);
  server.log.flush(() => process.exit(code));
}

function fatal(message: string): never {
  console.error(message);
  process.exit(1);
}
