#!/usr/bin/env node
import { mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, parseConfigText, resolveConfig, type ConfigLine } from './server/config-file.js';
import { PARAMETERS } from './server/config-params.js';
import { Server } from './server/server.js';
import { REDIS_VERSION, SLUICE_VERSION } from './server/version.js';

/** How long a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_GRACE_MS = 10_000;

function usage(): string {
  const names = PARAMETERS.map((p) => p.name);
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

Every option is a redis.conf directive; the command line overrides the file:
${wrapped.join('\n')}

Examples:
  sluice-server                          (port 6379, data in ./data)
  sluice-server --port 7777 --dir /var/lib/sluice
  sluice-server /etc/sluice.conf --loglevel verbose
  sluice-server --metrics-port 9121      (Prometheus metrics at /metrics)`;
}

function readConfigFile(file: string): string {
  return readFileSync(file === '-' ? 0 : file, 'latin1');
}

/** Reads the file and the options into validated parameter pairs. */
function loadSettings(argv: string[]): [string, string][] {
  const parsed = parseArgs(argv);
  const lines: ConfigLine[] = [];
  if (parsed.file !== null) {
    let text: string;
    try {
      text = readConfigFile(parsed.file);
    } catch (e) {
      throw new Error(`Fatal error, can't open config file '${parsed.file}': ${(e as Error).message}`);
    }
    lines.push(...parseConfigText(text, parsed.file === '-' ? 'stdin' : parsed.file, readConfigFile));
  }
  lines.push(...parsed.lines);
  return resolveConfig(lines);
}

/** The file CONFIG REWRITE writes back: the one given, made absolute as Redis does; none when read from stdin. */
function configFilePath(argv: string[]): string | null {
  const file = parseArgs(argv).file;
  return file === null || file === '-' ? null : path.resolve(file);
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
  let server: Server;
  try {
    const settings = loadSettings(argv);
    // A broker keeps what it queues: the server runs with the AOF on (everysec) unless told otherwise.
    if (!settings.some(([name]) => name === 'appendonly')) settings.unshift(['appendonly', 'yes']);
    server = new Server(settings, { pretty: process.stdout.isTTY === true }, configFilePath(argv));
  } catch (e) {
    fatal(`*** FATAL CONFIG ERROR ***\n${(e as Error).message}`);
  }
  const dir = server.config.str('dir');
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    fatal(`Can't create the data directory '${dir}': ${(e as Error).message}`);
  }
  server.log.notice({ version: SLUICE_VERSION, node: process.version }, 'Sluice is starting');
  server.listen().then(
    (port) => {
      const metrics = server.metrics.url;
      if (metrics !== null) server.log.notice(`Prometheus metrics at ${metrics}`);
      server.persistence.ready.then(
        () => server.log.notice({ port }, `Ready to accept connections on port ${port}`),
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
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    server.log.warning(why);
    setTimeout(() => {
      server.log.warning('Shutdown took too long, exiting anyway');
      process.exit(1);
    }, SHUTDOWN_GRACE_MS).unref();
    server.close().then(() => {
      server.log.notice('Sluice is now ready to exit, bye bye...');
      process.exit(0);
    });
  };
  server.onShutdown = () => stop('User requested shutdown');
  process.on('SIGTERM', () => stop('Received SIGTERM scheduling shutdown'));
  process.on('SIGINT', () => stop('Received SIGINT scheduling shutdown'));
}

function fatal(message: string): never {
  console.error(message);
  process.exit(1);
}

main(process.argv.slice(2));
