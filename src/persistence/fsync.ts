import { performance } from 'node:perf_hooks';
import { msSince } from '../core/latency.js';
import type { AofWriter } from './aof-writer.js';

/** Replies taken from a client's output at the end of a turn, waiting for the disk. */
export interface HeldReply<C = unknown> {
  client: C;
  out: Buffer | Buffer[] | null;
  /** The client asked to be closed once these replies are written (QUIT, a protocol error). */
  close: boolean;
}

/** The replies of one turn and the AOF offset that must be on disk before they leave. */
interface Group<C> {
  need: number;
  replies: HeldReply<C>[];
}

/**
 * Replies that appendfsync always may not send yet. Normally a turn's
 * effects are written and fdatasynced at the end of the turn with the
 * event loop waiting, as Redis's beforeSleep does, and nothing is held
 * (Persistence.beforeReplies). That measured better, pinned and unpinned,
 * than a pipelined group commit that held every turn's replies here for an
 * fdatasync in the thread pool while the loop went on serving: the fsync
 * costs CPU as well as waiting, the thread pool's fsync split the clients
 * into two cohorts each waiting out two fsyncs, and Sluice's requests cost
 * more CPU than Redis's.
 *
 * When the write or the fsync fails, the turn's replies are taken aside
 * here with the AOF offset its effects reach, and so are the replies of
 * every turn after them, in order, until an fdatasync in the thread pool
 * covers them (a failed one is tried again by the persistence cron, not in
 * a tight loop).
 * No reply leaves before everything written until its turn ended is on
 * disk, so no client sees (or is told of) a write that a crash could undo.
 * While the disk fails (MISCONF), turns that wrote nothing are answered at
 * once: reads keep working, as the issue asks, at the price that they may
 * show writes whose replies are still held.
 */
export class HeldReplies<C> {
  private groups: Group<C>[] = [];
  private inFlight = false;
  /** Bumped when the file changes under a running fsync (a rewrite's switch): its result no longer counts. */
  private generation = 0;

  constructor(
    private readonly writer: AofWriter,
    private readonly release: (replies: HeldReply<C>[]) => void,
  ) {}

  get pending(): boolean {
    return this.groups.length !== 0;
  }

  /** The end of a turn whose effects the writer holds (written or still buffered after an error). */
  add(replies: HeldReply<C>[], wroteThisTurn: boolean): void {
    const w = this.writer;
    if (w.error !== null && !wroteThisTurn) {
      this.release(replies);
      return;
    }
    this.groups.push({ need: w.currentSize + w.buffer.length, replies });
    this.kick();
  }

  /** Releases what is on disk; unless an fsync runs, writes what gathered and starts the next one. */
  kick(): void {
    const w = this.writer;
    let ready = 0;
    while (ready < this.groups.length && this.groups[ready].need <= w.fsyncedSize) ready++;
    // The next fsync starts before the replies go out: writing them to the sockets takes a while.
    if (!this.inFlight && w.writePending(Math.floor(Date.now() / 1000)) && w.fsyncedSize < w.currentSize) {
      this.inFlight = true;
      const generation = this.generation;
      const target = w.currentSize;
      const start = w.latency.threshold !== 0 ? performance.now() : -1;
      w.syncAsync((ok) => {
        if (generation !== this.generation) return;
        this.inFlight = false;
        // The event loop goes on meanwhile, but the turn's replies wait this long: Redis's aof-fsync-always.
        if (ok && start !== -1) w.latency.addIfNeeded('aof-fsync-always', msSince(start));
        if (ok) w.synced(target);
        // A failed fsync is tried again by the persistence cron, not in a tight loop here.
        if (ok && (this.groups.length !== 0 || w.policy === 'always')) this.kick();
      });
    }
    if (ready > 0) for (const g of this.groups.splice(0, ready)) this.release(g.replies);
  }

  /** The writer moved to a file that is on disk as a whole (after a rewrite): everyone waiting can go. */
  switched(): void {
    this.generation++;
    this.inFlight = false;
    this.releaseAll();
  }

  releaseAll(): void {
    const groups = this.groups;
    this.groups = [];
    for (const g of groups) this.release(g.replies);
  }
}
