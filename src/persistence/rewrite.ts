import fs from 'node:fs';
import { type Effect, NO_DB } from '../core/propagation.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import type { KeyDeadlines } from '../keyspace/key-deadlines.js';
import { WALK_MARKS, type KeyTable } from '../keyspace/key-table.js';
import { isString, type Value } from '../keyspace/value.js';
import { stringText } from '../store/string/string-access.js';
import { AofBuffer } from './aof-buffer.js';
import type { Command } from '../core/command.js';
import { commandKeys, effectTouch, type CommandLookup, type Touch } from './effect-keys.js';
import { errnoError, type AofIo } from './io.js';
import { FileQueue } from './file-queue.js';
import { KeySet } from './key-set.js';
import { rebuildCommands } from './rebuild.js';
import { BackgroundSave } from './rdb/background-save.js';
import type { RdbOptions } from './rdb/rdb-save.js';

/**
 * One slice of the walk: half a millisecond, so that commands keep flowing.
 * A command that arrives during a slice waits for its end: with 1 ms slices
 * a quarter of the writes to a 3,000,000-element list during its rewrite
 * took over 2 ms (p90 2.6 ms), with 0.5 ms one in fourteen (p90 1.8 ms);
 * the rewrite took 0.8-1.1 s instead of 0.6-1.0 s, serving more writes.
 */
const SLICE_MS = 0.5;
/** How many commands are emitted between two looks at the clock. */
const CLOCK_EVERY = 16;
/** The base buffer is handed to the file past this size. */
const WRITE_AT = 512 * 1024;
/** The walk waits while this much of the base is still on its way to the file (a slow disk). */
const MAX_PENDING = 4 * WRITE_AT;

/**
 * One database's contents as the walk sees them. The object follows the
 * contents (SWAPDB trades them between indices); `baseIndex` is where they
 * were when the rewrite began, which is where the base puts them.
 */
interface Contents {
  baseIndex: number;
  dict: KeyTable;
  expires: KeyDeadlines;
  /**
   * The walk over the dictionary: the positions left are those below this
   * one (KeyTable.nextDown: a key may be met twice); -1 once it has ended.
   * A key it writes gets the rewrite's mark (WALK_MARKS.rewrite) in `dict`.
   */
  next: number;
  /** Every key is accounted for: writes here go to the new incremental file as they come. */
  done: boolean;
  /**
   * With the keys the walk marked, those whose state is in the base (or on
   * its way there, from a snapshot) or in the new incremental file: keys
   * named by writes or met in `pending`, and marked keys that have left
   * the dictionary since (it tells of them). Marks rather than the key
   * strings of a million walked keys, which, promoted, set off
   * mark-compacts of up to 21 ms during a rewrite.
   */
  visited: KeySet;
  /** Keys written to before the walk reached them: visited after the walk, whatever the walk saw. */
  pending: Set<string>;
  /** The walk over `pending` once the dictionary's is over (a live iterator: later additions are seen). */
  pendingIt: Iterator<string> | null;
}

/** A value emitted over several slices, from its snapshot. */
interface Emission {
  contents: Contents;
  key: string;
  it: Iterator<string[]>;
  deadline: number;
}

export interface RewriteEvents {
  /** Every key is in the base, which is on disk: the caller switches the manifest. */
  ready(rw: AofRewrite): void;
  failed(rw: AofRewrite, reason: string): void;
  /** A batch the walk cannot place (a command the table does not know): start again. */
  restart(rw: AofRewrite): void;
}

export type RewritePhase = 'walking' | 'syncing' | 'ready' | 'over';

/**
 * The AOF rewrite, without a fork. A forked child sees the dataset frozen;
 * Sluice walks the live keyspace a slice at a time instead, writing each
 * key's rebuild commands into the new base, while every write made during
 * the walk goes on into the current AOF as usual (so nothing is less
 * durable meanwhile) and also into the new incremental file, which is
 * replayed after the base. For that to add up, each key must be in the base
 * as it was just before the first effect the new file holds for it:
 *
 * - before a write command runs, the keys it names (the command table's key
 *   positions) that the walk has not written are written now, as they still
 *   are: a string at once, another value through a snapshot
 *   (TypedValue.snapshot, cheap whatever the size: a list shares its chunks
 *   copy-on-write) written in later slices;
 * - so a batch of effects whose keys are all written goes to the new file
 *   as it is;
 * - a batch whose keys are none of them written (a key the command did not
 *   name: an expiry, a blocked client served) is left out: the walk writes
 *   those keys later, as they are by then, effects included;
 * - a batch touching both kinds, or whole databases, is replaced in the new
 *   file by its whole-database effects and the resulting state of each key
 *   it touched (DEL, rebuild, PEXPIREAT, in MULTI/EXEC).
 *
 * So base + new incremental file replays to the dataset as it is at the
 * switch. A value met by the walk is snapshotted too and counts as written
 * from then on, its commands following a few per slice: a write to it
 * meanwhile, named or not, goes to the new file like any other. FLUSHALL
 * and FLUSHDB end the walk of what they empty, SWAPDB moves it along with
 * the data. Memory: the set of keys written so far, a few tens of bytes per
 * key while the rewrite runs, and what writes copy away from the snapshots
 * not yet written (for a list, the chunks written into: Redis's fork pays
 * copy-on-write pages the same way).
 */
export class AofRewrite {
  phase: RewritePhase = 'walking';
  /** The base is an RDB file (`….base.rdb`). */
  readonly rdbForm: boolean;
  /** aof-timestamp-enabled when the rewrite began: an AOF-form base starts with a #TS annotation. */
  timestamped = false;
  readonly startedAt = Date.now();
  /** The new incremental file's pending bytes, written out with the AOF's own at the end of each turn. */
  readonly future = new AofBuffer();
  futureDb = -1;
  baseBytes = 0;
  futureBytes = 0;
  keys = 0;
  /** Keys in the keyspace when the rewrite began: INFO's current_save_keys_total, as Redis reports it for a rewrite's child too. */
  readonly totalKeys: number;
  private contents: Contents[];
  private readonly base = new AofBuffer();
  /** The base file, written in the thread pool (an RDB base is written by its save instead). */
  private readonly baseFile: FileQueue;
  private baseDb = -1;
  private current: Emission | null = null;
  /** Values snapshotted before a write changed them, waiting to be written to the base. */
  private snapshots: Emission[] = [];
  private nextSnapshot = 0;
  private now = Date.now();
  /** The base in RDB form: a BGSAVE's snapshot, which is why its writes need no placing. */
  private save: BackgroundSave | null = null;

  /** Keys written into the base so far (INFO's current_save_keys_processed). */
  get keysProcessed(): number {
    return this.save !== null && this.phase === 'walking' ? this.save.keys : this.keys;
  }

  constructor(
    private readonly host: { readonly keyspace: Keyspace; lookup: CommandLookup; libraryCodes(): string[]; nextSlice(slice: () => void): void },
    private readonly io: AofIo,
    readonly baseFd: number,
    readonly baseTemp: string,
    readonly futureFd: number,
    readonly futureTemp: string,
    private readonly events: RewriteEvents,
    /** aof-use-rdb-preamble yes: the base is an RDB snapshot of the moment the rewrite began (see startRdbBase). */
    private readonly rdbBase: RdbOptions | null = null,
    /** The write stream's offset when the rewrite began: the base holds every write before it. */
    readonly startOffset = 0,
  ) {
    this.rdbForm = rdbBase !== null;
    this.totalKeys = host.keyspace.dbs.reduce((n, db) => n + db.dict.size, 0);
    this.baseFile = new FileQueue(io, baseFd, (err) => this.fail(err));
    // An RDB base walks nothing here.
    this.contents = this.rdbForm ? [] : host.keyspace.dbs.map((db) => {
      const c: Contents = {
        baseIndex: db.index,
        dict: db.dict,
        expires: db.expires,
        next: db.dict.size,
        done: false,
        visited: new KeySet(),
        pending: new Set<string>(),
        pendingIt: null,
      };
      // A key made after the rewrite began is not the walk's to skip: it may be one a deferred write made.
      db.dict.beginMarks(WALK_MARKS.rewrite, { added: false, removed: (key) => c.visited.add(key) });
      return c;
    });
  }

  /**
   * The function libraries go first, as they are now (Redis's
   * rewriteFunctions): a FUNCTION command during the walk touches no key,
   * so it follows them in the new incremental file.
   */
  start(): void {
    if (this.rdbBase !== null) {
      this.startRdbBase(this.rdbBase);
      return;
    }
    // aof-timestamp-enabled: the base opens with the time it was made, as Redis's rewriteAppendOnlyFileRio writes it.
    if (this.timestamped) this.base.appendRaw(`#TS:${Math.floor(this.startedAt / 1000)}\r\n`);
    for (const code of this.host.libraryCodes()) this.base.appendCommand(['FUNCTION', 'LOAD', code]);
    this.host.nextSlice(this.slice);
  }

  /**
   * aof-use-rdb-preamble yes: the base is a point-in-time RDB snapshot (the
   * BGSAVE machinery, with the aof-base AUX field set), so every effect
   * from now on simply goes to the new incremental file, whatever key it
   * touches, and nothing is written into the base ahead of the walk.
   */
  private startRdbBase(opts: RdbOptions): void {
    const save = new BackgroundSave(this.host.keyspace, this.baseFile, { ...opts, aofBase: true }, (slice) => this.host.nextSlice(slice), (error) => {
      if (this.save !== save) return;
      if (error !== null) {
        this.fail(error);
        return;
      }
      this.baseBytes = save.written;
      this.keys = save.keys;
      this.sync();
    });
    this.save = save;
    save.start();
  }

  private readonly slice = (): void => {
    if (this.phase !== 'walking') return;
    if (this.baseFile.pending >= MAX_PENDING) {
      this.baseFile.whenWritten(() => this.slice());
      return;
    }
    try {
      const deadline = performance.now() + SLICE_MS;
      this.now = Date.now();
      let walking = true;
      for (let n = 1; walking; n++) {
        if (n % CLOCK_EVERY === 0 && performance.now() >= deadline) break;
        if (this.current !== null) this.continueEmission();
        else if (this.nextSnapshot < this.snapshots.length) this.takeSnapshot();
        else walking = this.nextKey();
      }
      if (this.base.length >= WRITE_AT) this.writeBase();
      if (walking) {
        this.host.nextSlice(this.slice);
        return;
      }
      this.writeBase();
      this.sync();
    } catch (e) {
      this.fail(e);
    }
  };

  /** Starts on the next key to write; false once every database is done. */
  private nextKey(): boolean {
    for (const c of this.contents) {
      if (c.done) continue;
      if (c.next >= 0) {
        this.walkOne(c);
        return true;
      }
      let next = (c.pendingIt ??= c.pending.values()).next();
      if (next.done && c.pending.size !== 0) next = (c.pendingIt = c.pending.values()).next();
      if (next.done) {
        this.finish(c);
        return true;
      }
      const key = next.value;
      c.pending.delete(key);
      if (isVisited(c, key)) return true;
      c.visited.add(key);
      const value = c.dict.get(key);
      if (value !== undefined) this.begin(c, key, value);
      return true;
    }
    return false;
  }

  /** The walk's next position down: its key is written unless visited already. */
  private walkOne(c: Contents): void {
    const dict = c.dict;
    const i = dict.nextDown(c.next);
    c.next = i;
    if (i < 0 || dict.marked(i, WALK_MARKS.rewrite)) return;
    const key = dict.keyAt(i);
    if (c.visited.has(key)) return;
    dict.mark(i, WALK_MARKS.rewrite);
    this.begin(c, key, dict.valueAt(i));
  }

  private begin(c: Contents, key: string, value: Value): void {
    const deadline = c.expires.size === 0 ? -1 : c.expires.get(key) ?? -1;
    // Already past its deadline: the key is as good as gone, and its DEL will follow.
    if (deadline !== -1 && deadline <= this.now) return;
    this.selectBase(c.baseIndex);
    this.keys++;
    if (isString(value)) {
      this.base.appendCommand(['SET', key, stringText(value)]);
      if (deadline !== -1) this.base.appendCommand(['PEXPIREAT', key, String(deadline)]);
      return;
    }
    this.current = { contents: c, key, it: rebuildCommands(key, value), deadline };
  }

  private takeSnapshot(): void {
    this.current = this.snapshots[this.nextSnapshot];
    this.snapshots[this.nextSnapshot++] = undefined as unknown as Emission;
    if (this.nextSnapshot === this.snapshots.length) {
      this.snapshots = [];
      this.nextSnapshot = 0;
    }
  }

  private continueEmission(): void {
    const e = this.current!;
    const r = e.it.next();
    if (!r.done) {
      // Keys snapshotted before a write may have been written in between, under another SELECT.
      this.selectBase(e.contents.baseIndex);
      this.base.appendCommand(r.value);
      return;
    }
    if (e.deadline !== -1) {
      this.selectBase(e.contents.baseIndex);
      this.base.appendCommand(['PEXPIREAT', e.key, String(e.deadline)]);
    }
    this.current = null;
  }

  private finish(c: Contents): void {
    c.done = true;
    c.next = -1;
    c.dict.endMarks(WALK_MARKS.rewrite);
    c.visited = new KeySet();
    c.pending.clear();
    c.pendingIt = null;
    if (this.current?.contents === c) this.current = null;
  }

  /** The rewrite is over: the dictionaries it has not finished with lose its marks. */
  private endWalks(): void {
    for (const c of this.contents) {
      if (c.done) continue;
      c.done = true;
      c.dict.endMarks(WALK_MARKS.rewrite);
    }
  }

  private selectBase(index: number): void {
    if (this.baseDb === index) return;
    this.base.appendCommand(['SELECT', String(index)]);
    this.baseDb = index;
  }

  private writeBase(): void {
    const length = this.base.length;
    this.baseBytes += length;
    this.baseFile.push(this.base.swap(this.baseFile.spare()), length);
  }

  /** The base is complete: on to disk, then the caller switches files. */
  private sync(): void {
    this.phase = 'syncing';
    // The new incremental file is synced too, so the switch only waits for what came since.
    if (!this.flushFuture()) return;
    this.baseFile.whenWritten((err) => {
      if (err === null) this.syncFiles();
    });
  }

  private syncFiles(): void {
    let waiting = 2;
    const done = (err: NodeJS.ErrnoException | null) => {
      if (this.phase !== 'syncing') return;
      if (err !== null) {
        this.fail(err);
        return;
      }
      if (--waiting > 0) return;
      this.phase = 'ready';
      this.events.ready(this);
    };
    this.io.fsyncAsync(this.baseFd, done);
    this.io.fsyncAsync(this.futureFd, done);
  }

  /** Writes the new incremental file's pending bytes (no fsync); false if that failed and the rewrite is over. */
  flushFuture(): boolean {
    if (this.phase === 'over' || this.future.length === 0) return this.phase !== 'over';
    try {
      this.futureBytes += writeAll(this.io, this.futureFd, this.future);
      return true;
    } catch (e) {
      this.fail(e);
      return false;
    }
  }

  /**
   * Before a write command runs (the dispatcher calls this): each key it
   * names that the walk has not written yet is written now, as it still
   * is, so that the write's effect can simply follow in the new incremental
   * file. A string goes straight into the base; another value is
   * snapshotted and its snapshot written in later slices.
   */
  beforeWrite(db: number, cmd: Command<never>, argv: string[]): void {
    if (this.phase !== 'walking' || this.save !== null) return;
    try {
      const keys = commandKeys(db, cmd, argv);
      if (keys !== null) for (const [d, key] of keys) this.visitNow(d, key);
    } catch (e) {
      this.fail(e);
    }
  }

  private visitNow(db: number, key: string): void {
    const c = this.contents[db];
    if (c === undefined || c.done || isVisited(c, key)) return;
    c.visited.add(key);
    c.pending.delete(key);
    const value = c.dict.get(key);
    if (value === undefined) return;
    const deadline = c.expires.size === 0 ? -1 : c.expires.get(key) ?? -1;
    if (deadline !== -1 && deadline <= this.host.keyspace.now) return;
    this.keys++;
    if (isString(value)) {
      this.selectBase(c.baseIndex);
      this.emitValue(this.base, key, value, deadline);
      return;
    }
    this.snapshots.push({ contents: c, key, it: rebuildCommands(key, value), deadline });
  }

  /** The effects of one call (a command, a transaction), in propagation order. */
  onEffects(batch: readonly Effect[]): void {
    if (this.phase === 'over') return;
    if (this.phase !== 'walking' || this.save !== null) {
      this.appendEffects(batch);
      return;
    }
    try {
      this.place(batch);
    } catch (e) {
      this.fail(e);
    }
  }

  private place(batch: readonly Effect[]): void {
    const touches = batch.map((e) => effectTouch(this.host.lookup, e));
    let unvisited = false;
    let visited = false;
    let keyless = false;
    let whole = false;
    for (const t of touches) {
      switch (t.kind) {
        case 'wrapper':
          break;
        case 'keyless':
          keyless = true;
          break;
        case 'unknown':
          this.events.restart(this);
          return;
        case 'keys':
          for (const [db, key] of t.keys) {
            const c = this.contents[db];
            if (c === undefined) {
              this.events.restart(this);
              return;
            }
            if (c.done || isVisited(c, key)) visited = true;
            else unvisited = true;
          }
          break;
        default:
          whole = true;
      }
    }
    if (whole || (unvisited && (visited || keyless))) {
      this.writeStates(batch, touches);
    } else if (unvisited) {
      this.defer(touches);
    } else {
      this.appendEffects(batch);
    }
  }

  /** FLUSHALL / FLUSHDB end the walk of what they empty; SWAPDB moves the walk along with the data. */
  private wholeDatabases(t: Touch): void {
    if (t.kind === 'flushall') {
      for (const c of this.contents) this.finish(c);
    } else if (t.kind === 'flushdb') {
      this.finish(this.contents[t.db]);
    } else if (t.kind === 'swapdb') {
      const cs = this.contents;
      [cs[t.a], cs[t.b]] = [cs[t.b], cs[t.a]];
    }
  }

  /** Keys the walk has not reached: it will write them as they are by then. */
  private defer(touches: Touch[]): void {
    for (const t of touches) {
      if (t.kind !== 'keys') continue;
      for (const [db, key] of t.keys) this.contents[db].pending.add(key);
    }
  }

  /**
   * A batch the effects cannot simply follow or precede the walk for (keys
   * written and not written, or whole-database operations): the new file
   * gets, in one MULTI/EXEC, the batch's whole-database and keyless effects
   * in order, then the resulting state of every key the batch touched,
   * where that key's database now is; those keys count as written.
   * Whole-database operations move or end the walk as they go, so each key
   * is resolved to the contents it belonged to at that point of the batch.
   */
  private writeStates(batch: readonly Effect[], touches: Touch[]): void {
    const out = this.future;
    const touched = new Map<Contents, Set<string>>();
    const verbatim: Effect[] = [];
    for (let i = 0; i < batch.length; i++) {
      const t = touches[i];
      if (t.kind === 'wrapper') continue;
      if (t.kind === 'keys') {
        for (const [db, key] of t.keys) {
          const c = this.contents[db];
          let keys = touched.get(c);
          if (keys === undefined) touched.set(c, (keys = new Set()));
          keys.add(key);
        }
        continue;
      }
      if (t.kind !== 'keyless') this.wholeDatabases(t);
      verbatim.push(batch[i]);
    }
    const wrap = touched.size > 0 || verbatim.length > 1;
    if (wrap) out.appendCommand(['MULTI']);
    this.appendEffects(verbatim);
    const now = this.host.keyspace.now;
    for (const [c, keys] of touched) {
      const db = this.contents.indexOf(c);
      const live = this.host.keyspace.db(db);
      for (const key of keys) {
        this.selectFuture(db);
        out.appendCommand(['DEL', key]);
        const value = live.dict.get(key);
        const deadline = live.expires.size === 0 ? -1 : live.expires.get(key) ?? -1;
        if (value !== undefined && (deadline === -1 || deadline > now)) this.emitValue(out, key, value, deadline);
        if (!c.done) {
          c.visited.add(key);
          c.pending.delete(key);
        }
      }
    }
    if (wrap) out.appendCommand(['EXEC']);
  }

  private emitValue(out: AofBuffer, key: string, value: Value, deadline: number): void {
    const it = rebuildCommands(key, value);
    for (let r = it.next(); !r.done; r = it.next()) out.appendCommand(r.value);
    if (deadline !== -1) out.appendCommand(['PEXPIREAT', key, String(deadline)]);
  }

  private appendEffects(effects: readonly Effect[]): void {
    for (const e of effects) {
      this.selectFuture(e.db);
      this.future.appendCommand(e.argv);
    }
  }

  private selectFuture(db: number): void {
    if (this.futureDb === db || db === NO_DB) return;
    this.future.appendCommand(['SELECT', String(db)]);
    this.futureDb = db;
  }

  /** After the switch: the new incremental file lives on as the AOF's; the base is closed. */
  release(): void {
    this.phase = 'over';
    this.endWalks();
    this.baseFile.close();
  }

  private fail(e: unknown): void {
    if (this.phase === 'over') return;
    this.phase = 'over';
    this.endWalks();
    this.save?.abandon();
    this.events.failed(this, (e as Error).message ?? String(e));
  }

  /** Closes and removes the temporary files (a failed or abandoned rewrite); `now`: before returning. */
  discard(now = false): void {
    this.phase = 'over';
    this.endWalks();
    this.save?.abandon();
    this.baseFile.close();
    try {
      fs.closeSync(this.futureFd);
    } catch {
      // Already closed.
    }
    for (const f of [this.baseTemp, this.futureTemp]) {
      if (now) fs.rmSync(f, { force: true });
      else fs.rm(f, { force: true }, () => {});
    }
  }
}

/** Whether the state of `key` is in the base (or on its way there) or in the new incremental file. */
function isVisited(c: Contents, key: string): boolean {
  if (c.visited.has(key)) return true;
  const i = c.dict.positionOf(key);
  return i >= 0 && c.dict.marked(i, WALK_MARKS.rewrite);
}

/** Writes a whole buffer out and empties it; throws on failure. Returns the bytes written. */
function writeAll(io: AofIo, fd: number, buf: AofBuffer): number {
  const data = buf.view();
  let at = 0;
  while (at < data.length) {
    const n = io.write(fd, data, at, data.length - at);
    if (n <= 0) throw errnoError('ENOSPC', 'short write');
    at += n;
  }
  buf.clear();
  return at;
}
