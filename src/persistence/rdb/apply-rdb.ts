import fs from 'node:fs';
import type { Ctx } from '../../core/context.js';
import { CommandError } from '../../core/errors.js';
import { RdbError } from '../../codecs/rdb/rdb-error.js';
import type { Value } from '../../keyspace/value.js';
import type { Keyspace } from '../../keyspace/keyspace.js';
import { LibrarySet } from '../../scripting/library-set.js';
import type { PersistenceHost } from '../host.js';
import { AofLoadError } from '../loader.js';
import { loadLimits } from './decode-value.js';
import { FileRdbReader } from './file-reader.js';
import { parseRdb, type AccessRecords, type ParsedRdb } from './rdb-load.js';

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
export function loadRdb<C extends Ctx>(host: PersistenceHost<C>, file: string, merge: boolean, started: number): ParsedRdb {
  let fd: number;
  let size: number;
  try {
    fd = fs.openSync(file, 'r');
    size = fs.fstatSync(fd).size;
  } catch (e) {
    throw new AofLoadError(`Can't read the RDB file ${file}: ${(e as Error).message}`);
  }
  const ks = host.keyspace;
  const dirty = ks.dirty;
  const functions = host.scripting.functions;
  const libraries = new LibrarySet();
  const library = (code: string): void => {
    try {
      functions.create(code, false, 0, libraries);
    } catch (e) {
      if (e instanceof CommandError) throw new AofLoadError(`Bad RDB file ${file}: failed loading a function library: ${e.message}`);
      throw e;
    }
  };
  const keys = merge ? new MergedKeys(ks) : new AddedKeys(ks, file);
  try {
    const parsed = parseRdb(new FileRdbReader(fd, size), { limits: loadLimits(host), databases: ks.dbs.length, now: started }, { library, key: keys.key, sizeHint: keys.sizeHint });
    keys.complete();
    logFile(host, parsed, started);
    const clash = functions.libraries.join(libraries, merge);
    if (clash !== null) throw new AofLoadError(`Bad RDB file ${file}: ${clash}`);
    return parsed;
  } catch (e) {
    keys.undo();
    if (e instanceof RdbError) throw new AofLoadError(`Bad RDB file ${file}: ${e.reason} at offset ${e.offset}`);
    throw e;
  } finally {
    ks.dirty = dirty;
    fs.closeSync(fd);
  }
}

/** The file's AUX fields and the empty keys it held, in the words of Redis's loader. */
function logFile<C extends Ctx>(host: PersistenceHost<C>, parsed: ParsedRdb, started: number): void {
  const log = host.log;
  const version = parsed.aux.get('redis-ver');
  if (version !== undefined) log.notice(`Loading RDB produced by version ${version}`);
  const ctime = parsed.aux.get('ctime');
  if (ctime !== undefined) log.notice(`RDB age ${Math.floor(started / 1000) - Number(ctime)} seconds`);
  const mem = parsed.aux.get('used-mem');
  if (mem !== undefined) log.notice(`RDB memory usage when created ${(Number(mem) / 1048576).toFixed(2)} Mb`);
  for (const key of parsed.empty) log.warning(`rdbLoadObject skipping empty key: ${key}`);
}

/** Sets the key's clocks from the file's IDLE and FREQ records, for the policy in force (objectSetLRUOrLFU). */
function restoreHints(ks: Keyspace, db: number, key: string, hints: AccessRecords | null): void {
  if (ks.access !== null && hints !== null) ks.access.restore(ks.db(db), key, hints.idle, hints.freq);
}

/** Keys put in as they are read, with what it takes to take them out again. */
class AddedKeys {
  /** Databases that held nothing before: emptied again to undo. */
  private readonly wasEmpty: boolean[];
  /** Keys put into the other databases (index, key, …): removed one by one to undo. */
  private readonly added: (number | string)[] = [];

  constructor(
    private readonly ks: Keyspace,
    private readonly file: string,
  ) {
    this.wasEmpty = ks.dbs.map((db) => db.dict.size === 0);
  }

  readonly key = (index: number, key: string, value: Value, deadline: number, hints: AccessRecords | null, offset: number): void => {
    const db = this.ks.db(index);
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

  /** A database that held nothing makes room for the keys the file says it has. */
  readonly sizeHint = (index: number, keys: number): void => {
    const dict = this.ks.db(index).dict;
    if (this.wasEmpty[index] && dict.size === 0) dict.reserve(keys);
  };

  complete(): void {}

  undo(): void {
    for (let i = 0; i < this.wasEmpty.length; i++) if (this.wasEmpty[i] && this.ks.db(i).dict.size !== 0) this.ks.flushDb(i);
    const added = this.added;
    for (let i = 0; i < added.length; i += 2) this.ks.db(added[i] as number).remove(added[i + 1] as string);
  }

  private duplicate(index: number, key: string, offset: number): never {
    throw new AofLoadError(`Bad RDB file ${this.file}: duplicated key '${key}' in DB ${index} at offset ${offset}`);
  }
}

/** MERGE: keys collected while the file is read, put in (the file's copy winning) once all of it has been. */
class MergedKeys {
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
