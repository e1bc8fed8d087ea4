#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { mkdirSync } from 'node:fs';
import { parseArgs, parseConfigText, type ConfigLine } from './server/config-file.js';
import { Server } from './server/server.js';
import { SLUICE_VERSION, REDIS_VERSION } from './server/version.js';

const USAGE = `Usage: sluice-server [/path/to/redis.conf] [--option value ...]
       sluice-server --version
       sluice-server --help

Examples:
  sluice-server                      (port 6379, data in ./data)
  sluice-server --port 7777
  sluice-server /etc/sluice.conf --loglevel verbose`;

function main(argv: string[]): void {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  if (argv.includes('--version') || argv.includes('-v')) {
    console.log(`Sluice server v=${SLUICE_VERSION} (Redis ${REDIS_VERSION} compatible)`);
    return;
  }
  let lines: ConfigLine[];
  try {
    const parsed = parseArgs(argv);
    lines = parsed.file ? parseConfigText(readFileSync(parsed.file, 'latin1'), parsed.file) : [];
    lines.push(...parsed.lines);
  } catch (e) {
    fatal((e as Error).message);
  }
  let server: Server;
  try {
    server = new Server(lines.map((l) => [l.name, l.value]), { pretty: process.stdout.isTTY });
  } catch (e) {
    const bad = lines.find((l) => (e as Error).message.includes(`'${l.name}'`));
    fatal(bad ? `${bad.origin}: '${bad.text}': ${(e as Error).message}` : (e as Error).message);
  }
  mkdirSync(server.config.str('dir'), { recursive: true });
  server.listen().then(
    (port) => server.log.notice(`Sluice ${SLUICE_VERSION} ready to accept connections on port ${port}`),
    (e: Error) => fatal(`could not listen: ${e.message}`),
  );
  const stop = (why: string) => {
    server.log.warning(`${why}, shutting down`);
    server.close().then(() => process.exit(0));
  };
  server.onShutdown = () => stop('SHUTDOWN requested');
  process.once('SIGTERM', () => stop('Received SIGTERM'));
  process.once('SIGINT', () => stop('Received SIGINT'));
}

function fatal(message: string): never {
  console.error(`*** FATAL CONFIG ERROR ***\n${message}`);
  process.exit(1);
}

main(process.argv.slice(2));
