import type { KeyDeadlines } from '../../keyspace/key-deadlines.js';
import type { Database, KeyGuard } from '../../keyspace/database.js';
import { WALK_MARKS, type KeyTable } from '../../keyspace/key-table.js';
import type { Keyspace } from '../../keyspace/keyspace.js';
import type { SnapshotSink } from '../snapshot-sink.js';
import { freeze, keepCopy, type FrozenEntry } from './frozen-entry.js';
import { RdbOutput, type RdbOptions } from './rdb-save.js';

/** One slice of the walk: about a millisecond, so that commands keep flowing. */
const SLICE_MS = 1;
/** Keys written between two looks at the clock; once a big value is being written, the clock is read after each of its pieces. */
const CLOCK_EVERY = 32;
/** Bytes queued for the file past which the walk waits for the disk. */
const MAX_PENDING = 4 << 20;

/** One database's contents as they were when the save began; the object follows them through SWAPDB. */
interface Contents {
  index: number;
  dict: KeyTable;
  expires: KeyDeadlines;
  /**
   * The save's bit in the dictionary's marks (KeyTable.beginMarks), 0 once
   * the walk is over: set on keys already in the file, or kept for it, or
   * made after the save began.
   */
  bit: number;
  guard: KeyGuard;
  /**
   * The positions left to walk are those below this one (KeyTable.nextDown):
   * a key may be met twice, which its mark tells; -1 until the walk starts.
   */
  next: number;
}

/** A value frozen by a write before the walk reached it (or while a big one was being written), waiting for its turn. */
interface Kept {
  index: number;
  key: string;
  deadline: number;
  /** The key's access hint when it was frozen (a read that froze it is about to refresh its clock). */
  hint: number;
  frozen: FrozenEntry;
}

/**
 * BGSAVE without fork: the keyspace as it was when the save began, written
 * to its file over many slices of about a millisecond while clients go on
 * reading and writing. A forked child would have the dataset frozen in its
 * copy-on-write pages; here each database's contents carry a guard
 * (Database.guard) that every path changing a key calls first. A key the
 * walk has not reached yet is then written out as it still is (a string or
 * a compact value, which costs about what a copy would) or frozen for a
 * later slice (a big value: its chunks shared copy-on-write, see
 * frozen-entry.ts), and marked visited, as is a key that did not exist
 * (the walk then skips it: it was made after the save began). A big value
 * the walk reaches is frozen the same way and written a piece at a time
 * (pieces.ts), so no slice holds the loop for longer than a piece whatever
 * the value's size, and writes to the key meanwhile change only the live
 * value; until its last piece nothing else goes into the file, so a value
 * kept meanwhile waits as a copy, however small. FLUSHDB
 * leaves the walk the contents it replaced, which nothing changes any
 * more; SWAPDB moves guard and contents together. The cost while it runs:
 * a byte of marks per key, what writes kept
 * (`keptBytes`, Redis's copy-on-write size), and the guard's test on every
 * key access to a database not yet fully written.
 */
export class BackgroundSave {
  readonly startedAt = Date.now();
  /** Bytes written out early because a write was about to change them (INFO rdb_last_cow_size). */
  keptBytes = 0;
  /** Keys written so far, of the `total` there were when the save began (INFO current_save_keys_*). */
  keys = 0;
  readonly total: number;
  private readonly out: RdbOutput;
  private readonly contents: Contents[] = [];
  private current = 0;
  private kept: Kept[] = [];
  private nextKept = 0;
  /** The big value being written, a piece per step; null between keys. */
  private piece: Iterator<void> | null = null;
  private over = false;

  constructor(
    private readonly keyspace: Keyspace,
    /** The file, written in the thread pool: its owner hears of a failed write and closes it. */
    private readonly file: SnapshotSink,
    opts: RdbOptions,
    /** Queues the next slice (PersistenceHost.nextSlice). */
    private readonly nextSlice: (slice: () => void) => void,
    /** The walk failed (null: every byte is written, not yet fsynced). */
    private readonly done: (error: Error | null) => void,
  ) {
    this.out = new RdbOutput(file, opts);
    this.keyRestMs = Math.max(0, opts.keySaveDelayMicros ?? 0) / 1000;
    let total = 0;
    const dbs = opts.excludeData === true ? [] : keyspace.dbs;
    for (const db of dbs) total += db.dict.size;
    this.total = total;
    for (const db of dbs) {
      if (db.dict.size === 0) continue;
      const c: Contents = {
        index: db.index, dict: db.dict, expires: db.expires, bit: WALK_MARKS.save,
        guard: { before: (key) => this.before(c, key) }, next: -1,
      };
      db.dict.beginMarks(c.bit, { added: true });
      db.guard = c.guard;
      this.contents.push(c);
    }
  }

  /** Writes the header now (the function libraries as they are), the keys in later slices. */
  start(): void {
    try {
      this.out.header(this.startedAt);
    } catch (e) {
      this.fail(e as Error);
      return;
    }
    this.nextSlice(this.slice);
  }

  /** Stops the save where it is (SHUTDOWN, FLUSHALL, a failure): the guards go, the caller removes the file. */
  abandon(): void {
    if (this.over) return;
    this.over = true;
    this.kept = [];
    this.piece = null;
    for (const c of this.contents) this.unguard(c);
  }

  /** Bytes handed to the file so far. */
  get written(): number {
    return this.out.written;
  }

  /** rdb-key-save-delay in ms (RdbOptions.keySaveDelayMicros): the walk rests this long after each key; 0 for none. */
  private keyRestMs: number;
  /** The rest between two keys in progress, if any. */
  private rest: NodeJS.Timeout | null = null;

  /**
   * CONFIG SET rdb-key-save-delay while the save runs: the new rest applies
   * from the next key, and a rest in progress ends at once if it is shorter.
   */
  setKeyDelay(micros: number): void {
    const ms = Math.max(0, micros) / 1000;
    if (ms === this.keyRestMs) return;
    this.keyRestMs = ms;
    if (this.rest !== null && !this.over) {
      clearTimeout(this.rest);
      this.rest = null;
      this.nextSlice(this.slice);
    }
  }

  private readonly slice = (): void => {
    if (this.over) return;
    if (this.file.pending >= MAX_PENDING) {
      this.file.whenWritten(() => this.nextSlice(this.slice));
      return;
    }
    try {
      const deadline = performance.now() + SLICE_MS;
      const keysBefore = this.keys;
      let more = true;
      for (let n = 1; more; n++) {
        if ((n % CLOCK_EVERY === 0 || this.piece !== null) && performance.now() >= deadline) break;
        more = this.step();
        if (this.keyRestMs > 0 && this.keys !== keysBefore) break;
      }
      if (more) {
        if (this.keyRestMs > 0 && this.keys !== keysBefore) {
          this.rest = setTimeout(() => {
            this.rest = null;
            this.nextSlice(this.slice);
          }, this.keyRestMs);
          this.rest.unref();
        }
        else this.nextSlice(this.slice);
        return;
      }
      this.out.finish();
      this.over = true;
      // Abandoned meanwhile, the queue is closed and never calls back; a failed write went to its owner.
      this.file.whenWritten((err) => {
        if (err === null) this.done(null);
      });
    } catch (e) {
      this.fail(e as Error);
    }
  };

  /** Writes one key, or a piece of a big one: the one begun first, then a kept one, else the walk's next. False when there is nothing left. */
  private step(): boolean {
    if (this.piece !== null) {
      if (this.piece.next().done === true) {
        this.piece = null;
        this.keys++;
      }
      return true;
    }
    if (this.nextKept < this.kept.length) {
      const k = this.kept[this.nextKept++];
      if (this.nextKept === this.kept.length) {
        this.kept = [];
        this.nextKept = 0;
      }
      this.out.select(k.index);
      this.piece = this.out.piecewise(k.key, k.frozen, k.deadline, k.hint);
      return true;
    }
    const c = this.contents[this.current];
    if (c === undefined) return false;
    const dict = c.dict;
    if (c.next < 0) {
      this.out.beginDb(c.index, dict.size, c.expires.size);
      c.next = dict.size;
    }
    const i = dict.nextDown(c.next);
    if (i < 0) {
      this.unguard(c);
      this.current++;
      return true;
    }
    c.next = i;
    if (dict.marked(i, c.bit)) return true;
    dict.mark(i, c.bit);
    this.out.select(c.index);
    if (this.out.recordEntry(dict, i, c.expires.size !== 0)) {
      this.keys++;
      return true;
    }
    const key = dict.keyAt(i);
    const value = dict.valueAt(i);
    const frozen = freeze(value);
    if (frozen !== null) {
      this.piece = this.out.piecewise(key, frozen, this.deadlineOf(c, key), this.out.hintOf(dict, key));
      return true;
    }
    this.out.entry(key, value, this.deadlineOf(c, key), this.out.hintOf(dict, key));
    this.keys++;
    return true;
  }

  /** A key is about to be read or changed: keep it as it is if the walk has not written it. */
  private before(c: Contents, key: string): void {
    // A key not there yet is marked when it is added.
    const i = c.dict.indexOf(key);
    if (i < 0 || c.dict.marked(i, c.bit)) return;
    c.dict.mark(i, c.bit);
    // A failure here (the disk) ends the save, never the client's command.
    try {
      this.keep(c, key);
    } catch (e) {
      this.fail(e as Error);
    }
  }

  private keep(c: Contents, key: string): void {
    const v = c.dict.get(key);
    if (v === undefined) return;
    const deadline = this.deadlineOf(c, key);
    const frozen = this.piece === null ? freeze(v) : keepCopy(v);
    if (frozen !== null) {
      this.kept.push({ index: c.index, key, deadline, hint: this.out.hintOf(c.dict, key), frozen });
      return;
    }
    const before = this.out.written + this.out.w.size;
    this.out.select(c.index);
    this.out.entry(key, v, deadline, this.out.hintOf(c.dict, key));
    this.keys++;
    this.keptBytes += this.out.written + this.out.w.size - before;
  }

  private deadlineOf(c: Contents, key: string): number {
    return c.expires.size === 0 ? -1 : c.expires.get(key) ?? -1;
  }

  /** The contents are all written (or the save is over): whichever database holds them now stops telling, and their marks go. */
  private unguard(c: Contents): void {
    for (const db of this.keyspace.dbs as Database[]) if (db.guard === c.guard) db.guard = null;
    if (c.bit !== 0) c.dict.endMarks(c.bit);
    c.bit = 0;
  }

  private fail(e: Error): void {
    this.abandon();
    this.done(e);
  }
}
