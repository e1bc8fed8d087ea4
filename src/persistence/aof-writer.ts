import fs from 'node:fs';
import { performance } from 'node:perf_hooks';
import { msSince, NO_LATENCY, type LatencySink } from '../core/latency.js';
import { type Effect, NO_DB } from '../core/propagation.js';
import { stall } from '../core/stall.js';
import { AofBuffer } from './aof-buffer.js';
import { errnoError, strerror, type AofIo } from './io.js';

export type FsyncPolicy = 'always' | 'everysec' | 'no';

/** Redis waits this long (s) for a background fsync before writing anyway (everysec). */
const MAX_POSTPONE_SEC = 2;

/** What the writer reports to the server's log. */
export interface WriterLog {
  warning(msg: string): void;
  notice(msg: string): void;
}

/**
 * Appends effects to the open incremental AOF file: each effect encoded as
 * RESP, preceded by SELECT when its database differs from the previous
 * one's, MULTI/EXEC batches as they come. Effects gather in a buffer that
 * is written once per event-loop turn; the fsync policy decides what
 * happens next (Redis's flushAppendOnlyFile):
 *
 * - always: `flush` writes and fsyncs synchronously at the end of the turn,
 *   before its replies (Persistence.beforeReplies); when that fails, the
 *   replies wait in HeldReplies (fsync.ts) for an fsync in the thread pool;
 * - everysec: write now, fdatasync in the thread pool at most once a
 *   second; while that fsync runs writes wait (up to two seconds, as in
 *   Redis, which avoids a write(2) blocked behind it);
 * - no: write only, the kernel flushes when it likes.
 *
 * A failed write or fsync leaves the data in the buffer and puts the writer
 * in error (MISCONF for writes) until a later attempt succeeds.
 */
export class AofWriter {
  readonly buffer = new AofBuffer();
  /** The database of the last SELECT written; -1 forces the next effect to SELECT. */
  selectedDb = -1;
  /** Bytes of every file the manifest lists (aof_current_size). */
  currentSize: number;
  /** Bytes of the open incremental file. */
  incrSize: number;
  /** currentSize when the last fsync began (aof_fsync_offset). */
  fsyncedSize: number;
  /** Unix second of the last fsync (aof_last_fsync). */
  lastFsyncSec: number;
  /**
   * Where the write stream stands (Persistence.offset: Redis's
   * master_repl_offset): as fed, as written to the file, and as known to be
   * on disk (fsynced_reploff, which WAITAOF compares with a client's last write).
   */
  fedOffset: number;
  writtenOffset: number;
  syncedOffset: number;
  /** Called when `syncedOffset` moves on. */
  onSynced: () => void = () => {};
  /** fsyncs running in the thread pool, by file: a retired file is closed when its last one returns. */
  private readonly syncing = new Map<number, number>();
  private readonly retired = new Set<number>();
  /** Unix second since which a write waits for a background fsync, or 0. */
  private postponedSince = 0;
  /** Writes made without waiting for a background fsync that took over two seconds. */
  delayedFsyncs = 0;
  /** The failed write's or fsync's error while the writer is in error; null when healthy. */
  writeError: NodeJS.ErrnoException | null = null;
  fsyncError: NodeJS.ErrnoException | null = null;
  /** Set when effects arrive; the server's end-of-turn hook clears it. */
  fedThisTurn = false;
  policy: FsyncPolicy;
  timestamps = false;
  /** Where blocking writes and fsyncs are reported (aof-write and its kinds, aof-fsync-always). */
  latency: LatencySink = NO_LATENCY;
  /** Whether a BGSAVE or AOF rewrite runs (Redis: a child is active), which names a slow write's kind. */
  inBackground: () => boolean = () => false;
  /** Microseconds to stall before each write (DEBUG AOF-FLUSH-SLEEP), so tests can catch a reply racing its write. */
  flushSleep: () => number = () => 0;
  private lastTimestamp = 0;
  private lastErrorLog = 0;

  constructor(
    public fd: number,
    public fileName: string,
    baseSize: number,
    incrSize: number,
    policy: FsyncPolicy,
    public io: AofIo,
    private readonly log: WriterLog,
    nowSec: number,
    /** The stream's offset when the file was last fully on disk. */
    offset = 0,
  ) {
    this.fedOffset = this.writtenOffset = this.syncedOffset = offset;
    this.incrSize = incrSize;
    this.currentSize = baseSize + incrSize;
    this.fsyncedSize = this.currentSize;
    this.lastFsyncSec = nowSec;
    this.policy = policy;
  }

  /** fsyncs of the open file running in the thread pool. */
  get fsyncsInFlight(): number {
    return this.syncing.get(this.fd) ?? 0;
  }

  /** The error that refuses writes (a failed write, or a failed background fsync), or null. */
  get error(): NodeJS.ErrnoException | null {
    return this.writeError ?? this.fsyncError;
  }

  /** True when everything fed so far is on disk as the policy requires. */
  get durable(): boolean {
    return this.buffer.length === 0 && (this.policy !== 'always' || this.fsyncedSize === this.currentSize);
  }

  /** Appends a batch of effects, which take the write stream to `offset`. */
  feed(effects: readonly Effect[], nowSec: number, offset: number): void {
    this.fedOffset = offset;
    const buf = this.buffer;
    if (this.timestamps && nowSec > this.lastTimestamp) {
      this.lastTimestamp = nowSec;
      buf.appendRaw(`#TS:${nowSec}\r\n`);
    }
    for (let i = 0; i < effects.length; i++) {
      const e = effects[i];
      if (e.db !== this.selectedDb && e.db !== NO_DB) {
        const db = String(e.db);
        buf.appendRaw(`*2\r\n$6\r\nSELECT\r\n$${db.length}\r\n${db}\r\n`);
        this.selectedDb = e.db;
      }
      buf.appendCommand(e.argv);
    }
    this.fedThisTurn = true;
  }

  /**
   * Writes the buffer out, then fsyncs as the policy says. `force` writes
   * even while a background fsync runs. Returns whether what was fed is now
   * as durable as the policy promises (for `always`: on disk).
   */
  flush(force: boolean, nowSec: number): boolean {
    if (this.buffer.length === 0) {
      // A write that failed before its fsync, or an everysec fsync still owed for data written a while ago.
      if (this.policy === 'always' && this.fsyncedSize !== this.currentSize) return this.fsyncNow(nowSec);
      if (this.policy === 'everysec' && this.fsyncedSize !== this.currentSize && nowSec > this.lastFsyncSec) {
        this.backgroundFsync(nowSec);
      }
      return true;
    }
    if (this.policy === 'everysec' && !force && this.fsyncsInFlight !== 0) {
      if (this.postponedSince === 0) {
        this.postponedSince = nowSec;
        return false;
      }
      if (nowSec - this.postponedSince < MAX_POSTPONE_SEC) return false;
      this.delayedFsyncs++;
      this.log.notice(
        'Asynchronous AOF fsync is taking too long (disk is busy?). Writing the AOF buffer without waiting for fsync to complete, this may slow down Sluice.',
      );
    }
    this.postponedSince = 0;
    stall(this.flushSleep());
    if (!this.writeOut(nowSec)) return false;
    if (this.policy === 'always') return this.fsyncNow(nowSec);
    if (this.policy === 'everysec' && nowSec > this.lastFsyncSec) this.backgroundFsync(nowSec);
    return true;
  }

  /** Writes what is buffered, without any fsync (for HeldReplies, whose fsync then runs in the thread pool). */
  writePending(nowSec: number): boolean {
    return this.buffer.length === 0 || this.writeOut(nowSec);
  }

  /** Writes the whole buffer; on failure keeps it (minus what cannot be taken back) and records the error. */
  private writeOut(nowSec: number): boolean {
    const start = this.latency.threshold !== 0 ? performance.now() : -1;
    const data = this.buffer.view();
    let written = 0;
    let failure: NodeJS.ErrnoException | null = null;
    while (written < data.length) {
      try {
        const n = this.io.write(this.fd, data, written, data.length - written);
        if (n <= 0) {
          failure = errnoError('ENOSPC', 'short write');
          break;
        }
        written += n;
      } catch (e) {
        failure = e as NodeJS.ErrnoException;
        if (failure.code === 'EINTR' || failure.code === 'EAGAIN') continue;
        break;
      }
    }
    if (start !== -1) this.writeLatency(msSince(start));
    if (failure === null) {
      if (this.writeError !== null) {
        this.log.warning('AOF write error looks solved, Redis can write again.');
        this.writeError = null;
      }
      this.incrSize += written;
      this.currentSize += written;
      this.buffer.clear();
      this.writtenOffset = this.fedOffset;
      return true;
    }
    const canLog = nowSec - this.lastErrorLog > 30;
    if (canLog) this.lastErrorLog = nowSec;
    if (written === 0) {
      if (canLog) this.log.warning(`Error writing to the AOF file: ${strerror(failure)}`);
    } else {
      if (canLog) this.log.warning(`Short write while writing to the AOF file: (nwritten=${written}, expected=${data.length})`);
      // A partial command would make the file unreadable past it: take it back if possible.
      try {
        this.io.truncate(this.fd, this.incrSize);
        written = 0;
      } catch (e) {
        if (canLog) {
          this.log.warning(
            `Could not remove short write from the append-only file.  Sluice may refuse to load the AOF the next time it starts.  ftruncate: ${strerror(e)}`,
          );
        }
      }
      // As Redis: a short write is reported as a full disk.
      failure = errnoError('ENOSPC', 'short write');
    }
    if (written > 0) {
      this.incrSize += written;
      this.currentSize += written;
      this.buffer.consume(written);
    }
    this.writeError = failure;
    return false;
  }

  /** A write's time as Redis classifies it: behind a running fsync, beside a background job, or alone; and in all. */
  private writeLatency(ms: number): void {
    const kind = this.fsyncsInFlight !== 0 ? 'aof-write-pending-fsync' : this.inBackground() ? 'aof-write-active-child' : 'aof-write-alone';
    this.latency.addIfNeeded(kind, ms);
    this.latency.addIfNeeded('aof-write', ms);
  }

  private fsyncNow(nowSec: number): boolean {
    const start = this.latency.threshold !== 0 ? performance.now() : -1;
    try {
      this.io.fsync(this.fd);
      if (start !== -1) this.latency.addIfNeeded('aof-fsync-always', msSince(start));
    } catch (e) {
      if (this.fsyncError === null) {
        this.log.warning(`Can't persist AOF for fsync error when the AOF fsync policy is 'always': ${strerror(e)}.`);
      }
      this.fsyncError = e as NodeJS.ErrnoException;
      return false;
    }
    if (this.fsyncError !== null) {
      this.log.warning('AOF fsync error looks solved, Sluice can write again.');
      this.fsyncError = null;
    }
    this.fsyncedSize = this.currentSize;
    this.lastFsyncSec = nowSec;
    this.advanceSynced(this.writtenOffset);
    return true;
  }

  private advanceSynced(offset: number): void {
    if (offset <= this.syncedOffset) return;
    this.syncedOffset = offset;
    this.onSynced();
  }

  private backgroundFsync(nowSec: number): void {
    this.lastFsyncSec = nowSec;
    if (this.fsyncsInFlight !== 0) return;
    const target = this.currentSize;
    this.syncAsync((ok) => {
      if (ok) this.synced(target);
    });
  }

  /**
   * fdatasync in the thread pool; `done(true)` once the bytes written
   * before the call are on disk. A file retired meanwhile (a rewrite's
   * switch) is closed when its fsync returns.
   */
  syncAsync(done: (ok: boolean) => void): void {
    const fd = this.fd;
    const offset = this.writtenOffset;
    this.syncing.set(fd, (this.syncing.get(fd) ?? 0) + 1);
    this.io.fsyncAsync(fd, (err) => {
      const left = this.syncing.get(fd)! - 1;
      if (left === 0) this.syncing.delete(fd);
      else this.syncing.set(fd, left);
      if (fd !== this.fd) {
        if (left === 0 && this.retired.delete(fd)) fs.close(fd, () => {});
        done(false);
        return;
      }
      if (err !== null) {
        if (this.fsyncError === null) this.log.warning(`Error syncing the AOF file: ${strerror(err)}`);
        this.fsyncError = err;
        done(false);
        return;
      }
      if (this.fsyncError !== null) {
        this.log.warning('AOF fsync error looks solved, Sluice can write again.');
        this.fsyncError = null;
      }
      this.advanceSynced(offset);
      done(true);
    });
  }

  /** Stops using a file: closed now, or by the last fsync running on it. */
  private retire(fd: number, syncFirst: boolean): void {
    if (this.syncing.has(fd)) this.retired.add(fd);
    else if (syncFirst) this.io.fsyncAsync(fd, () => fs.close(fd, () => {}));
    else fs.closeSync(fd);
  }

  /** The file is on disk up to `size`. */
  synced(size: number): void {
    this.fsyncedSize = Math.max(this.fsyncedSize, size);
    this.lastFsyncSec = Math.floor(Date.now() / 1000);
  }

  /**
   * Continues in another file (after a rewrite), of which the first
   * `syncedIncrSize` bytes are known to be on disk: what is buffered is
   * dropped, since it is in the new file already. The old file is fsynced
   * and closed in the background, as Redis's aof_background_fsync_and_close.
   */
  switchTo(fd: number, fileName: string, baseSize: number, incrSize: number, syncedIncrSize: number, selectedDb: number, nowSec: number): void {
    const old = this.fd;
    this.fd = fd;
    this.fileName = fileName;
    this.buffer.clear();
    this.selectedDb = selectedDb;
    this.incrSize = incrSize;
    this.currentSize = baseSize + incrSize;
    this.fsyncedSize = baseSize + syncedIncrSize;
    // The buffer was in the new file already; if all of that file is on disk, so is everything fed.
    this.writtenOffset = this.fedOffset;
    if (syncedIncrSize === incrSize) this.advanceSynced(this.fedOffset);
    this.lastFsyncSec = nowSec;
    this.postponedSince = 0;
    this.writeError = null;
    this.fsyncError = null;
    this.retire(old, true);
  }

  /** Final flush, fsync and close (shutdown, or AOF turned off). Errors are logged. */
  /** Shutdown's flush and fsync (Redis's prepareForShutdown), before the final snapshot. */
  sync(nowSec: number): void {
    this.flush(true, nowSec);
    try {
      this.io.fsync(this.fd);
      this.fsyncedSize = this.currentSize;
    } catch (e) {
      this.log.warning(`Fail to fsync the AOF file: ${strerror(e)}.`);
    }
  }

  close(nowSec: number): void {
    this.sync(nowSec);
    this.retire(this.fd, false);
    this.fd = -1;
  }
}
