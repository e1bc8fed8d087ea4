import fs from 'node:fs';
import type { Ctx } from '../../core/context.js';
import { CommandError } from '../../core/errors.js';
import { debugDelay } from '../../core/stall.js';
import { RdbError } from '../../codecs/rdb/rdb-error.js';
import type { Value } from '../../keyspace/value.js';
import type { Keyspace } from '../../keyspace/keyspace.js';
import { LibrarySet } from '../../scripting/library-set.js';
import type { PersistenceHost } from '../host.js';
import { AofLoadError } from '../loader.js';
import { loadLimits } from './decode-value.js';
import { FileRdbReader } from './file-reader.js';
import { KEEP_EXPIRED, rdbSteps, type AccessRecords, type ParsedRdb, type RdbSink } from './rdb-load.js';

/**
 * rdbLoad: reads an RDB file and puts its function libraries and keys into
 * the server, logging as Redis's loader does; AofLoadError names the file,
 * the offset and the reason. A key already in the keyspace refuses the
 * file unless `merge` (then the file's copy wins). A bad file (corrupt,
 * truncated, a key twice in it, a library that clashes) leaves the keyspace
 * as it was. Without MERGE the keys go in as they are read (see RdbSink)
 * and what went in is taken out again if the file turns out bad; with
 * MERGE, whose replaced keys could not be given back, they are collected
 * and put in once the whole file has been read.
 */
export function loadRdb<C extends Ctx>(host: PersistenceHost<C>, file: string, merge: boolean, started: number, replica = false): ParsedRdb {
  const load = new RdbLoad(host, file, merge, started, Infinity, host.config.num('key-load-delay'), replica);
  for (;;) {
    const parsed = load.step();
    if (parsed !== null) return parsed;
  }
}

/**
 * loadRdb a part at a time (see rdbSteps): each step reads on until
 * `every` more bytes of the file are read, then the caller may let the
 * event loop turn. `keyDelayMicros` is key-load-delay, Redis's testing aid
 * that slows loading down: each key waits that long (a negative -N: one
 * microsecond for about one key in N, as Redis's debugDelay).
 */
export class RdbLoad<C extends Ctx> {
  readonly size: number;
  private readonly fd: number;
  private readonly reader: FileRdbReader;
  private readonly steps: Generator<void | 'more', ParsedRdb>;
  private readonly keys: MergedKeys | AddedKeys;
  private readonly libraries = new LibrarySet();
  private readonly dirty: number;
  private done = false;
  /** The keys left out as expired, by database: a master restarting with its history propagates their deletion. */
  readonly expiredKeys: [number, string][] = [];

  constructor(
    private readonly host: PersistenceHost<C>,
    private readonly file: string,
    private readonly merge: boolean,
    started: number,
    every = Infinity,
    keyDelayMicros = 0,
    /** A replica's load of its master's snapshot: keys past their deadline are kept. */
    replica = false,
  ) {
    try {
      this.fd = fs.openSync(file, 'r');
      this.size = fs.fstatSync(this.fd).size;
    } catch (e) {
      throw new AofLoadError(`Can't read the RDB file ${file}: ${(e as Error).message}`);
    }
    const ks = host.keyspace;
    this.dirty = ks.dirty;
    const functions = host.scripting.functions;
    const library = (code: string): void => {
      try {
        functions.create(code, false, 0, this.libraries);
      } catch (e) {
        if (e instanceof CommandError) throw new AofLoadError(`Bad RDB file ${file}: failed loading a function library: ${e.message}`);
        throw e;
      }
    };
    const keys = merge ? new MergedKeys(ks) : new AddedKeys(ks, `RDB file ${file}`);
    this.keys = keys;
    const key = keyDelayMicros === 0 ? keys.key : delayed(keys.key, keyDelayMicros);
    // key-load-delay waits in `key`: every key goes that way then.
    const stringBytes = keyDelayMicros === 0 && keys instanceof AddedKeys ? keys.stringBytes : undefined;
    this.reader = new FileRdbReader(this.fd, this.size);
    const expired = (db: number, name: string): void => void this.expiredKeys.push([db, name]);
    this.steps = rdbSteps(this.reader, { limits: loadLimits(host), databases: ks.dbs.length, now: replica ? KEEP_EXPIRED : started }, { library, key, stringBytes, sizeHint: keys.sizeHint, expired, aux: auxLogger(host, started) }, every);
  }

  /** How far the file is read. */
  get offset(): number {
    return this.reader.pos;
  }

  /** Reads on to the next pause: null while there is more, else what the file held (its keys and libraries now in). */
  step(): ParsedRdb | null {
    const host = this.host;
    const ks = host.keyspace;
    try {
      const next = this.steps.next();
      if (!next.done) return null;
      const parsed = next.value;
      this.keys.complete();
      logFile(host, parsed);
      const clash = host.scripting.functions.libraries.join(this.libraries, this.merge);
      if (clash !== null) throw new AofLoadError(`Bad RDB file ${this.file}: ${clash}`);
      this.close();
      return parsed;
    } catch (caught) {
      let e = caught;
      // A key read twice before what went wrong is what refuses the file, as when each key was looked for as it came.
      if (this.keys instanceof AddedKeys) {
        try {
          this.keys.checkDuplicates();
        } catch (d) {
          e = d;
        }
      }
      this.keys.undo();
      this.close();
      if (e instanceof RdbError) throw new AofLoadError(`Bad RDB file ${this.file}: ${e.reason} at offset ${e.offset}`);
      throw e;
    } finally {
      ks.dirty = this.dirty;
    }
  }

  /** Stops before the end (the server is closing): what went in is taken out again. */
  abort(): void {
    if (this.done) return;
    this.keys.undo();
    this.host.keyspace.dirty = this.dirty;
    this.close();
  }

  private close(): void {
    if (this.done) return;
    this.done = true;
    fs.closeSync(this.fd);
  }
}

/**
 * Runs a load a few milliseconds at a time, the event loop turning in
 * between (host.nextSlice), reporting how far the file is read. When
 * `stopped` names a reason (the server is closing) the load stops, what it
 * put in is taken out again, and the promise rejects with that error.
 */
export function loadInSlices<C extends Ctx>(
  host: PersistenceHost<C>,
  load: RdbLoad<C>,
  sliceMs: number,
  progress: (offset: number) => void,
  stopped: () => Error | null,
): Promise<ParsedRdb> {
  return new Promise<ParsedRdb>((resolve, reject) => {
    const slice = (): void => {
      const stop = stopped();
      if (stop !== null) {
        load.abort();
        reject(stop);
        return;
      }
      host.startTurn();
      const deadline = performance.now() + sliceMs;
      try {
        let parsed: ParsedRdb | null;
        do {
          parsed = load.step();
          progress(load.offset);
        } while (parsed === null && performance.now() < deadline);
        if (parsed === null) host.nextSlice(slice);
        else resolve(parsed);
      } catch (e) {
        reject(e);
      }
    };
    slice();
  });
}

export function delayed(key: RdbSink['key'], micros: number): RdbSink['key'] {
  return (db, name, value, deadline, hints, offset) => {
    debugDelay(micros);
    key(db, name, value, deadline, hints, offset);
  };
}

/** Logs the AUX fields Redis's loader logs, as they are read: its lines then come before the keys' loading, not after. */
export function auxLogger<C extends Ctx>(host: PersistenceHost<C>, started: number): (name: string, value: string) => void {
  return (name, value) => {
    const log = host.log;
    if (name === 'redis-ver') log.notice(`Loading RDB produced by version ${value}`);
    else if (name === 'ctime') log.notice(`RDB age ${Math.floor(started / 1000) - Number(value)} seconds`);
    else if (name === 'used-mem') log.notice(`RDB memory usage when created ${(Number(value) / 1048576).toFixed(2)} Mb`);
  };
}

/** The empty keys the file held, in the words of Redis's loader. */
export function logFile<C extends Ctx>(host: PersistenceHost<C>, parsed: ParsedRdb): void {
  // Redis names the first ten; its last line counts them all.
  for (const key of parsed.empty.slice(0, 10)) host.log.notice(`rdbLoadObject skipping empty key: ${key}`);
}

/** Sets the key's clocks from the file's IDLE and FREQ records, for the policy in force (objectSetLRUOrLFU). */
export function restoreHints(ks: Keyspace, db: number, key: string, hints: AccessRecords | null): void {
  if (ks.access !== null && hints !== null) ks.access.restore(ks.db(db), key, hints.idle, hints.freq);
}

/** Keys put in as they are read, with what it takes to take them out again. */
export class AddedKeys {
  /** Databases that held nothing before: emptied again to undo. */
  private readonly wasEmpty: boolean[];
  /** Keys put into the other databases (index, key, …): removed one by one to undo. */
  private readonly added: (number | string)[] = [];

  constructor(
    private readonly ks: Keyspace,
    /** What the keys come from, as an error names it ('RDB file <path>'). */
    private readonly source: string,
  ) {
    this.wasEmpty = ks.dbs.map((db) => db.dict.size === 0);
    this.offsets = ks.dbs.map(() => null);
  }

  /** Notes the file offset of a key put in at `position` of database `index` without a look for an earlier copy. */
  private placed(index: number, position: number, offset: number): void {
    let offsets = this.offsets[index];
    if (offsets === null || position >= offsets.length) {
      const grown = new Float64Array(Math.max(1024, 2 * position));
      if (offsets !== null) grown.set(offsets);
      this.offsets[index] = offsets = grown;
    }
    offsets[position] = offset;
  }

  /** A key the file holds twice among those put in without a look (the first such in the file) refuses it. */
  checkDuplicates(): void {
    let first: { index: number; position: number; offset: number } | null = null;
    for (let index = 0; index < this.offsets.length; index++) {
      const offsets = this.offsets[index];
      if (offsets === null) continue;
      const dict = this.ks.db(index).dict;
      dict.indexDeferred();
      const position = dict.duplicateFound();
      if (position >= 0 && (first === null || offsets[position] < first.offset)) first = { index, position, offset: offsets[position] };
    }
    if (first !== null) this.duplicate(first.index, this.ks.db(first.index).dict.keyAt(first.position), first.offset);
  }

  /**
   * Per database that held nothing, the offset in the file of the key at
   * each position: keys go in there without a look for an earlier copy
   * (Database.putDeferred), and a duplicate, found once they are indexed,
   * is named with its offset.
   */
  private readonly offsets: (Float64Array | null)[];

  readonly key = (index: number, key: string, value: Value, deadline: number, hints: AccessRecords | null, offset: number): void => {
    const db = this.ks.db(index);
    if (this.wasEmpty[index] && deadline === -1 && hints === null && db.putDeferred(key, value)) {
      this.placed(index, db.dict.found, offset);
      return;
    }
    if (!this.wasEmpty[index]) {
      if (db.dict.has(key)) this.duplicate(index, key, offset);
      this.added.push(index, key);
    }
    const size = db.dict.size;
    db.put(key, value, deadline);
    // Nothing else was in this database under that name (checked above), so a key that adds nothing is the file's own duplicate.
    if (db.dict.size === size) this.duplicate(index, key, offset);
    restoreHints(this.ks, index, key, hints);
  };

  /** RdbSink.stringBytes: into a database that held nothing, the key and value go in as bytes when nothing else hears of them. */
  readonly stringBytes = (index: number, kb: Buffer, ko: number, kn: number, vb: Buffer, vo: number, vn: number, offset: number): boolean => {
    if (!this.wasEmpty[index]) return false;
    const db = this.ks.db(index);
    if (db.putBytes(kb, ko, kn, vb, vo, vn, true) !== 1) return false;
    this.placed(index, db.dict.found, offset);
    return true;
  };

  /** A database that held nothing makes room for the keys the file says it has. */
  readonly sizeHint = (index: number, keys: number): void => {
    const dict = this.ks.db(index).dict;
    if (this.wasEmpty[index] && dict.size === 0) dict.reserve(keys);
  };

  complete(): void {
    this.checkDuplicates();
  }

  undo(): void {
    for (let i = 0; i < this.wasEmpty.length; i++) if (this.wasEmpty[i] && this.ks.db(i).dict.size !== 0) this.ks.flushDb(i);
    const added = this.added;
    for (let i = 0; i < added.length; i += 2) this.ks.db(added[i] as number).remove(added[i + 1] as string);
  }

  private duplicate(index: number, key: string, offset: number): never {
    throw new AofLoadError(`Bad ${this.source}: duplicated key '${key}' in DB ${index} at offset ${offset}`);
  }
}

/** MERGE: keys collected while the file is read, put in (the file's copy winning) once all of it has been. */
export class MergedKeys {
  private readonly read: { index: number; key: string; value: Value; deadline: number; hints: AccessRecords | null }[] = [];

  constructor(private readonly ks: Keyspace) {}

  /** The keys go into databases that may hold others, and only once the whole file is read: no room is made ahead. */
  readonly sizeHint = (): void => {};

  readonly key = (index: number, key: string, value: Value, deadline: number, hints: AccessRecords | null): void => {
    this.read.push({ index, key, value, deadline, hints });
  };

  complete(): void {
    for (const k of this.read) {
      const db = this.ks.db(k.index);
      // Put alone would leave the old key's deadline-index entries behind.
      if (db.dict.has(k.key)) db.remove(k.key);
      db.put(k.key, k.value, k.deadline);
      restoreHints(this.ks, k.index, k.key, k.hints);
    }
  }

  /** Replaced keys cannot be given back; a bad file is refused before any is put in, a library clash after. */
  undo(): void {}
}
