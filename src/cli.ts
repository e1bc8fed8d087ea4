#!/usr/bin/env node
import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { startDaemon } from './daemon.js';
import { strerror } from './persistence/io.js';
import { keepProcTitle } from './proc-title.js';
import { ConfigError } from './server/config-file.js';
import { PARAMETERS } from './server/config-params.js';
import type { Server } from './server/server.js';
import { newServer, startupSettings } from './startup.js';
import { runsServer, whenLauncherGone } from './relaunch.js';
import { REDIS_VERSION, SLUICE_VERSION } from './server/version.js';
import { promoteWholePages } from './page-promotion.js';
import { sweepOnMainThread } from './sweeping.js';
import { yieldBackgroundThreads } from './helper-threads.js';
import { presizeYoungGeneration, promoteLoadedData } from './young-generation.js';
import { scavengePacer } from './scavenge-pacer.js';

/** How long a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

/** Shipped in the package beside dist/ (package.json's files), so --help can name a file that exists wherever it is installed. */
const CONFIGURATION_DOC = fileURLToPath(new URL('../docs/configuration.md', import.meta.url));

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
  sluice-server --metrics-port 9121      (Prometheus metrics at /metrics)`;
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

function main(argv: string[]): void {
  // Like redis-server, these are recognised only as the first argument.
  if (argv[0] === '--help' || argv[0] === '-h') {
    console.log(usage());
    return;
  }
  if (argv[0] === '--version' || argv[0] === '-v') {
    console.log(`Sluice server v=${SLUICE_VERSION} redis_compat=${REDIS_VERSION} node=${process.version}`);
    return;
  }
  if (!runsServer()) return;
  let server: Server;
  try {
    const startup = startupSettings(argv);
    const { settings, configFile, renames, users } = startup;
    const toDaemonize = !startup.daemon && settings.some(([name, value]) => name === 'daemonize' && value === 'yes');
    // Built before daemonizing too, so that every error is reported to the terminal that started it, as Redis does.
    server = newServer(startup, toDaemonize);
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
  presizeYoungGeneration();
  const yielded = yieldBackgroundThreads();
  if (yielded === false) sweepOnMainThread();
  promoteWholePages();
  server.memory.startupSettled();
  const pidfile = writePidFile(server);
  const dir = server.config.str('dir');
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    fatal(`Can't create the data directory '${dir}': ${(e as Error).message}`);
  }
  // The flags node runs with: on one core they include the ones the launcher adds (relaunch.ts).
  server.log.notice({ version: SLUICE_VERSION, node: process.version, nodeFlags: process.execArgv, v8ThreadsYield: yielded }, 'Sluice is starting');
  for (const def of server.config.withoutEffect()) {
    server.log.warning(`${def.name} is set to '${server.config.text(def)}', which has no effect in Sluice: ${def.note}`);
  }
  server.listen().then(
    (port) => {
      keepProcTitle(server, port);
      const metrics = server.metrics.url;
      if (metrics !== null) server.log.notice(`Prometheus metrics at ${metrics}`);
      server.persistence.ready.then(
        () => {
          promoteLoadedData();
          const pacer = scavengePacer();
          if (pacer !== null) server.setTurnHook(pacer.poll);
          server.log.notice({ port }, `Ready to accept connections on port ${port}`);
        },
        (e: Error) => {
          server.log.warning(e.message);
          server.log.flush();
          fatal(`Can't load the data from disk: ${e.message}`);
        },
      );
    },
    (e: Error) => {
      server.log.warning(`Could not create server TCP listening socket: ${e.message}`);
      server.log.flush();
      fatal(`Could not listen on port ${server.config.num('port')}: ${e.message}`);
    },
  );
  let stopping = false;
  /** `signal`: null for SHUTDOWN, whose handler has made the final save; `why` logged in place of the signal's name. */
  const stop = (signal: string | null, why = `Received ${signal} scheduling shutdown...`) => {
    if (stopping) return;
    if (signal !== null) {
      server.log.warning(why);
      server.log.notice('User requested shutdown...');
      // A signal shuts down as SHUTDOWN without arguments would; a failed final save keeps the server up, as in Redis.
      if (!server.persistence.finalSave({ save: false, nosave: false, force: false })) {
        server.log.warning(`${signal} received but errors trying to shut down the server, check the logs for more information`);
        return;
      }
    }
    stopping = true;
    setTimeout(() => {
      server.log.warning('Shutdown took too long, exiting anyway');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    server.close().then(() => {
      if (pidfile !== null) removePidFile(pidfile);
      server.log.notice('Sluice is now ready to exit, bye bye...');
      process.exit(0);
    });
  };
  server.onShutdown = () => stop(null);
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  whenLauncherGone(() => stop('SIGTERM', 'The process that started this server is gone, scheduling shutdown...'));
}

function removePidFile(file: string): void {
  try {
    unlinkSync(file);
  } catch {
    // Already gone: nothing to clean up.
  }
}

function fatal(message: string): never {
  console.error(message);
  process.exit(1);
}

main(process.argv.slice(2));
