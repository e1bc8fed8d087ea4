import { busyError } from '../scripting/scripting.js';
import type { StopSignal } from './busy-accept.js';
import { shaped } from './logger.js';
import type { Server } from './server.js';

export interface ShutdownFlags {
  save: boolean;
  nosave: boolean;
  force: boolean;
  /** Do not wait for lagging replicas. */
  now?: boolean;
}

export type ShutdownSignal = StopSignal;

/**
 * Redis's sigShutdownHandler: the signal is logged and the shutdown left to
 * the cron (see shutdownFromSignal), so SHUTDOWN ABORT can still call it
 * off. A second SIGINT means now: 'insist' is returned after the line is
 * logged and the temporary file of a save in progress removed, and the
 * host exits with an error.
 */
export function signalShutdown(server: Server, signal: ShutdownSignal): 'scheduled' | 'insist' {
  if (server.shutdownAsap !== null && signal === 'SIGINT') {
    server.log.warning(shaped('signal'), 'You insist... exiting now.');
    server.persistence.rdb.removeTempFile();
    return 'insist';
  }
  server.log.warning(shaped('signal'), server.loading ? 'Received shutdown signal during loading, scheduling shutdown.' : `Received ${signal} scheduling shutdown...`);
  server.shutdownAsap = signal;
  return 'scheduled';
}

/**
 * The cron's part of a signal's shutdown: shutdown-on-sigterm or
 * shutdown-on-sigint say how, except while loading, when nothing is saved
 * (the data is half there). A shutdown that fails leaves the server up and
 * the signal forgotten, as Redis's cancelShutdown.
 */
export function shutdownFromSignal(server: Server): void {
  const signal = server.shutdownAsap!;
  server.shutdownAsap = null;
  const loading = server.loading;
  const flags = loading ? { save: false, nosave: true, force: false } : signalFlags(server.config.str(signal === 'SIGINT' ? 'shutdown-on-sigint' : 'shutdown-on-sigterm'));
  const result = shutdownServer(server, flags);
  if (result !== null && result !== 'waiting' && loading) {
    server.log.warning(`${signal} received but errors trying to shut down the server, check the logs for more information`);
  }
}

/** shutdown-on-sigint / shutdown-on-sigterm's words. */
function signalFlags(words: string): ShutdownFlags {
  const w = new Set(words.toLowerCase().split(/\s+/));
  return { save: w.has('save'), nosave: w.has('nosave'), force: w.has('force'), now: w.has('now') };
}

/** SHUTDOWN ABORT: a shutdown waiting for replicas, or one a signal asked for that the cron has not begun, is called off; false when there is none. */
export function abortShutdown(server: Server): boolean {
  if (server.shutdownPending !== null) {
    cancelShutdown(server);
  } else if (server.shutdownAsap !== null) {
    server.shutdownAsap = null;
  } else {
    return false;
  }
  server.log.notice('Shutdown manually aborted.');
  return true;
}

const SHUTDOWN_FAILED = 'ERR Errors trying to SHUTDOWN. Check logs.';

/** Redis's cancelShutdown: the clients that waited for the shutdown get its error, and writes flow again. */
function cancelShutdown(server: Server): void {
  const pending = server.shutdownPending;
  server.shutdownPending = null;
  server.shutdownAsap = null;
  server.releaseWrites('shutdown');
  for (const c of pending?.waiters ?? []) server.blocking.wake(c, () => c.reply.error(SHUTDOWN_FAILED), true);
}

/** The cron's look at a shutdown waiting for replicas: it ends once they caught up or shutdown-timeout passed. */
export function shutdownWaitCron(server: Server): void {
  const pending = server.shutdownPending!;
  if (Date.now() < pending.deadline && !server.replication.replicasCaughtUp()) return;
  if (finishShutdown(server, pending.flags) !== null) cancelShutdown(server);
}

/**
 * Redis's prepareForShutdown, then the exit: the final save, then the
 * host's onShutdown (the CLI exits once the server has closed). Under a
 * busy script only NOSAVE may stop the server, which then abandons the
 * script. Returns null once stopping, else the error that keeps the
 * server up (SHUTDOWN replies it).
 */
export function shutdownServer(server: Server, flags: ShutdownFlags): string | null | 'waiting' {
  const script = server.scripting.current;
  const busy = script !== null && script.timedOut;
  if (busy && !flags.nosave) return busyError(script);
  if (server.shutdownPending !== null) return 'waiting';
  server.log.notice('User requested shutdown...');
  // Lagging replicas get up to shutdown-timeout to catch up, writes held meanwhile (Redis's prepareForShutdown).
  const timeout = server.config.num('shutdown-timeout');
  if (flags.now !== true && timeout !== 0 && !busy && !server.replication.replicasCaughtUp()) {
    server.shutdownPending = { flags, deadline: Date.now() + timeout * 1000, waiters: [] };
    server.replication.requestAcks();
    server.holdWrites('shutdown');
    server.log.notice('Waiting for replicas before shutting down.');
    return 'waiting';
  }
  return finishShutdown(server, flags);
}

/** Redis's finishShutdown: the replicas' state logged, the final save, then the exit. */
function finishShutdown(server: Server, flags: ShutdownFlags): string | null {
  const script = server.scripting.current;
  const busy = script !== null && script.timedOut;
  for (const line of server.replication.shutdownLines()) server.log.notice(line);
  if (!server.persistence.finalSave(flags)) return SHUTDOWN_FAILED;
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
  if (shutdownServer(server, { save: false, nosave: true, force: false, now: true }) !== null) {
    server.log.warning(`${signal} received but errors trying to shut down the server, check the logs for more information`);
  }
}
