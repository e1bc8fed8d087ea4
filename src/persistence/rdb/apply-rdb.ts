import fs from 'node:fs';
import type { Ctx } from '../../core/context.js';
import { CommandError } from '../../core/errors.js';
import { RdbError } from '../../core/rdb/rdb-error.js';
import { LibrarySet } from '../../scripting/library-set.js';
import type { PersistenceHost } from '../host.js';
import { AofLoadError } from '../loader.js';
import { loadLimits } from './decode-value.js';
import { parseRdb, type ParsedRdb } from './rdb-load.js';

/** A whole RDB file read and checked (rdbLoad's first half); AofLoadError names the file, the offset and the reason. */
export function readRdbFile<C extends Ctx>(host: PersistenceHost<C>, file: string, now: number): ParsedRdb {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (e) {
    throw new AofLoadError(`Can't read the RDB file ${file}: ${(e as Error).message}`);
  }
  try {
    return parseRdb(data, { limits: loadLimits(host), databases: host.keyspace.dbs.length, now });
  } catch (e) {
    if (e instanceof RdbError) throw new AofLoadError(`Bad RDB file ${file}: ${e.reason} at offset ${e.offset}`);
    throw e;
  }
}

/**
 * Puts a parsed file's keys and function libraries into the server, logging
 * as Redis's loader does. A key already in the keyspace refuses the file
 * unless `merge` (then the file's copy wins); a bad file (a key twice in it,
 * a library that clashes) leaves the keyspace as it was.
 */
export function applyRdb<C extends Ctx>(host: PersistenceHost<C>, parsed: ParsedRdb, file: string, merge: boolean, started: number): void {
  const log = host.log;
  const ks = host.keyspace;
  const version = parsed.aux.get('redis-ver');
  if (version !== undefined) log.notice(`Loading RDB produced by version ${version}`);
  const ctime = parsed.aux.get('ctime');
  if (ctime !== undefined) log.notice(`RDB age ${Math.floor(started / 1000) - Number(ctime)} seconds`);
  const mem = parsed.aux.get('used-mem');
  if (mem !== undefined) log.notice(`RDB memory usage when created ${(Number(mem) / 1048576).toFixed(2)} Mb`);
  for (const key of parsed.empty) log.warning(`rdbLoadObject skipping empty key: ${key}`);
  const functions = host.scripting.functions;
  const libraries = new LibrarySet();
  try {
    for (const code of parsed.libraries) functions.create(code, false, 0, libraries);
  } catch (e) {
    if (e instanceof CommandError) throw new AofLoadError(`Bad RDB file ${file}: failed loading a function library: ${e.message}`);
    throw e;
  }
  if (!merge) {
    // Only a database that holds keys already can clash (DEBUG RELOAD NOFLUSH): a load at start makes no lookups here.
    for (const k of parsed.keys) {
      const dict = ks.db(k.db).dict;
      if (dict.size !== 0 && dict.has(k.key)) throw new AofLoadError(`Bad RDB file ${file}: duplicated key '${k.key}' in DB ${k.db} at offset ${k.offset}`);
    }
  }
  const dirty = ks.dirty;
  // The file's IDLE and FREQ records set the clocks of the policy in force (objectSetLRUOrLFU).
  const access = ks.access;
  // What this load put in, taken out again if the file turns out to be bad (a key twice in it, a library clash).
  const undo = (upTo: number): void => {
    for (let i = 0; i < upTo; i++) ks.db(parsed.keys[i].db).remove(parsed.keys[i].key);
    ks.dirty = dirty;
  };
  for (let i = 0; i < parsed.keys.length; i++) {
    const k = parsed.keys[i];
    const db = ks.db(k.db);
    // The file's copy wins under MERGE; put alone would leave the old key's deadline-index entries behind.
    if (merge && db.dict.has(k.key)) db.remove(k.key);
    const size = db.dict.size;
    db.put(k.key, k.value, k.deadline);
    if (access !== null && k.hints !== null) access.restore(db, k.key, k.hints.idle, k.hints.freq);
    // Without MERGE nothing was there before the file (checked above), so a key that adds nothing is the file's own duplicate.
    if (!merge && db.dict.size === size) {
      undo(i);
      throw new AofLoadError(`Bad RDB file ${file}: duplicated key '${k.key}' in DB ${k.db} at offset ${k.offset}`);
    }
  }
  const clash = functions.libraries.join(libraries, merge);
  if (clash !== null) {
    if (!merge) undo(parsed.keys.length);
    throw new AofLoadError(`Bad RDB file ${file}: ${clash}`);
  }
  ks.dirty = dirty;
}
