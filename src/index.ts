import { Server } from './server/server.js';
import type { LogLevel } from './server/logger.js';

export interface StartOptions {
  /** TCP port; 0 picks a free one. Defaults to 6379. */
  port?: number;
  /** Addresses to listen on, as redis.conf's `bind`. Defaults to 127.0.0.1 and ::1. */
  bind?: string;
  /** The browser console's port (config `console-port`); off when not given or 0. */
  consolePort?: number;
  /** Any other redis.conf parameter Sluice implements, by its name. */
  config?: Record<string, string | number | boolean>;
  /** Log level (also settable as config.loglevel); embedded servers log warnings only unless told otherwise. */
  logLevel?: LogLevel;
  /** Where log lines go instead of standard output (Redis's lines, or JSON lines with config['log-format'] 'json'). */
  logTo?: NodeJS.WritableStream;
}

export interface RunningServer {
  /** The port actually bound. */
  port: number;
  /** The console's address (http:// or https://), or null when it is off. */
  consoleUrl: string | null;
  server: Server;
  close(): Promise<void>;
}

/** Converts option values to the text redis.conf would hold. */
export function configPairs(opts: StartOptions): [string, string][] {
  const pairs: [string, string][] = [];
  if (opts.port !== undefined) pairs.push(['port', String(opts.port)]);
  if (opts.bind !== undefined) pairs.push(['bind', opts.bind]);
  if (opts.consolePort !== undefined) pairs.push(['console-port', String(opts.consolePort)]);
  for (const [name, value] of Object.entries(opts.config ?? {})) {
    pairs.push([name, typeof value === 'boolean' ? (value ? 'yes' : 'no') : String(value)]);
  }
  return pairs;
}

/**
 * Starts a Sluice server in this process. Several may run side by side.
 * Persistence is off unless asked for: `config.dir` turns the AOF on in that
 * directory (unless `config.appendonly` says otherwise). Resolves once the
 * server listens and its AOF, if any, is loaded; a load that fails (a
 * corrupt file) closes the server and rejects.
 */
export async function startServer(opts: StartOptions = {}): Promise<RunningServer> {
  const pairs = configPairs(opts);
  const named = (n: string) => pairs.some(([name]) => name.toLowerCase() === n);
  if (named('dir') && !named('appendonly')) pairs.push(['appendonly', 'yes']);
  // Quieter than the standalone server: a test suite embedding Sluice wants warnings only.
  if (!named('loglevel')) pairs.push(['loglevel', opts.logLevel ?? 'warning']);
  const server = new Server(pairs, { destination: opts.logTo });
  const port = await server.listen();
  try {
    await server.persistence.ready;
  } catch (e) {
    await server.close();
    throw e;
  }
  return { port, consoleUrl: server.webConsole.url, server, close: () => server.close() };
}

export { Server };
