import os from 'node:os';
import { bindFailure, bindReason, type ListenError } from '../server/listen-error.js';
import { shaped } from '../server/logger.js';
import type { Server } from '../server/server.js';
import { REDIS_VERSION, SLUICE_VERSION } from '../server/version.js';

/**
 * The lines sluice-server logs as it starts, in the order and words of
 * Redis 7.2's main(), with Sluice's name where Redis gives its own (no
 * tool waits for that word: Redis's test suite waits for " PID: <pid>"
 * then "Server initialized", for "Ready to accept" and for "Failed
 * listening on port").
 */

const BITS = os.arch().includes('64') ? 64 : 32;

/** The lines before Redis's initServer(), which Redis marks with role C (its server.pid is not set yet). */
export function logStarting(server: Server, configGiven: boolean): void {
  const early = shaped('early');
  server.log.notice(early, 'oO0OoO0OoO0Oo Sluice is starting oO0OoO0OoO0Oo');
  server.log.notice(early, `Sluice version=${SLUICE_VERSION}, bits=${BITS}, commit=00000000, modified=0, pid=${process.pid}, just started`);
  if (configGiven) server.log.notice(early, 'Configuration loaded');
  else server.log.warning(early, 'Warning: no config file specified, using the default config. In order to specify a config file use sluice-server /path/to/redis.conf');
}

/** Sluice's own: what it answers as, and the runtime it got. */
export function logRuntime(server: Server): void {
  const flags = process.execArgv.length === 0 ? '(none)' : process.execArgv.join(' ');
  server.log.notice(`Sluice answers as Redis ${REDIS_VERSION}. Node ${process.version}, node flags: ${flags}`);
}

/**
 * Redis's redisAsciiArt(): where Redis prints its logo (always-show-logo,
 * or a terminal with no logfile), a banner of Sluice's with the logo's
 * facts; else the one line. The JSON format has the line.
 */
export function logMode(server: Server): void {
  const config = server.config;
  const port = config.num('port') || config.num('tls-port');
  const mode = config.bool('cluster-enabled') ? 'cluster' : 'standalone';
  const banner = config.str('log-format') === 'redis'
    && (config.bool('always-show-logo') || (process.stdout.isTTY === true && config.str('logfile') === ''));
  if (!banner) {
    server.log.notice(`Running mode=${mode}, port=${port}.`);
    return;
  }
  server.log.notice(shaped('raw'), [
    '',
    `    Sluice ${SLUICE_VERSION} (answers as Redis ${REDIS_VERSION}) ${BITS} bit`,
    `    Running in ${mode} mode`,
    `    Port: ${port}`,
    `    PID: ${process.pid}`,
    '',
    '',
  ].join('\n'));
}

/** One line per kind of listener, in Redis's order (tcp, unix, tls). */
export function logReady(server: Server): void {
  const config = server.config;
  if (config.num('port') !== 0) server.log.notice('Ready to accept connections tcp');
  if (config.str('unixsocket') !== '') server.log.notice('Ready to accept connections unix');
  if (config.num('tls-port') !== 0) server.log.notice('Ready to accept connections tls');
}

/** Redis's lines for a listener that could not be set up at start, after which it exits 1. */
export function logListenFailure(server: Server, e: unknown): void {
  const err = e as ListenError;
  const config = server.config;
  const unix = config.str('unixsocket');
  if (unix !== '' && err.address === unix) {
    server.log.warning(`Failed opening Unix socket: ${bindReason(err)}`);
    return;
  }
  server.log.warning(bindFailure(err) ?? `Warning: Could not create server TCP listening socket: ${(e as Error).message}`);
  const port = typeof err.port === 'number' && err.port > 0 ? err.port : config.num('port') || config.num('tls-port');
  const kind = port === config.num('metrics-port') && port !== 0 ? 'metrics'
    : port === config.num('console-port') && port !== 0 ? 'console'
      : port === config.num('tls-port') ? 'tls' : 'tcp';
  server.log.warning(`Failed listening on port ${port} (${kind}), aborting.`);
}
