import type { Server } from './server.js';

/**
 * Who was answered with an error where no error should happen: the AOF's
 * replay, this replica's master (its stream), or a replica (a command it
 * sent). Redis's afterErrorReply names each pair this way.
 */
export type ErrorPath = 'aof' | 'master' | 'replica';

const PAIRS: Record<ErrorPath, [from: string, to: string]> = {
  aof: ['server', 'AOF-loading-client'],
  master: ['replica', 'master'],
  replica: ['master', 'replica'],
};

/**
 * Errors Redis raises from a shared reply object, quoted with their dash;
 * those it formats on the spot it quotes without "ERR" (the code is added
 * as the reply is written).
 */
const SHARED_ERR = new Set(['ERR syntax error', 'ERR no such key', 'ERR index out of range']);

/** An error reply as Redis's critical line quotes it. */
export function errorAsQuoted(error: string): string {
  if (error.startsWith('ERR ') && !SHARED_ERR.has(error)) return error.slice(4);
  return '-' + error;
}

/**
 * A command from the AOF, from the master, or from a replica failed: the
 * data may have diverged, which Redis logs as critical and counts in INFO
 * unexpected_error_replies.
 */
export function criticalError(server: Server, path: ErrorPath, error: string, command: string): void {
  const [from, to] = PAIRS[path];
  server.log.warning(`== CRITICAL == This ${from} is sending an error to its ${to}: '${errorAsQuoted(error).slice(0, 4096)}' after processing the command '${command}'`);
  server.stats.unexpectedErrorReplies++;
}

/**
 * After a critical error: whether propagation-error-behavior makes the
 * server panic, which it then does. `panic` stops a read-only replica
 * whose master's command failed, and the AOF's replay; `panic-on-replicas`
 * only the replica. A writable replica's data may differ from its
 * master's by design, so it never panics.
 */
export function panicsAfterError(server: Server, path: ErrorPath, command: string): boolean {
  const behavior = server.config.str('propagation-error-behavior');
  const panics =
    path === 'master' ? behavior !== 'ignore' && server.config.bool('replica-read-only') : path === 'aof' && behavior === 'panic';
  if (!panics) return false;
  const [from, to] = PAIRS[path];
  panic(server, `This ${from} panicked sending an error to its ${to} after processing the command '${command}'`);
  return true;
}

/**
 * Redis's serverPanic, for a state the server must not go on from: the
 * bug-report lines Redis writes (log scrapers and Redis's test suite look
 * for them), then the server stops at once with status 1, with no final
 * save, as an abort leaves Redis. What the AOF had acknowledged is written
 * and fsynced as the server closes.
 */
export function panic(server: Server, message: string): void {
  const log = server.log;
  log.warning('=== REDIS BUG REPORT START: Cut & paste starting from here ===');
  log.warning('------------------------------------------------');
  log.warning('!!! Software Failure. Press left mouse button to continue');
  log.warning(`Guru Meditation: ${message} #propagation-errors.ts`);
  log.warning('=== REDIS BUG REPORT END. Make sure to include from START to END. ===');
  server.stopOnFatal();
}
