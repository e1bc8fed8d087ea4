import fs from 'node:fs';
import path from 'node:path';
import type { Ctx } from '../core/context.js';
import { CommandError } from '../core/errors.js';
import { LibrarySet } from '../scripting/library-set.js';
import type { PersistenceHost } from './host.js';
import { replaceFileAtomic } from './io.js';
import { AofLoadError } from './loader.js';
import { loadLimits } from './rdb/decode-value.js';
import { RdbError } from '../core/rdb/rdb-error.js';
import { parseRdb } from './rdb/rdb-load.js';
import { writeRdb } from './rdb/rdb-save.js';

/**
 * The RDB file (`dir`/`dbfilename`): SAVE writes it, start-up loads it.
 * Saving is synchronous (Redis's SAVE); BGSAVE, which must not stop the
 * server, is not built yet.
 */
export class RdbFiles<C extends Ctx> {
  /** Successful saves (INFO rdb_saves). */
  saves = 0;
  lastSaveOk = true;
  /** The change counter when the last save began: INFO's rdb_changes_since_last_save counts from it. */
  private dirtyAtSave = 0;
  lastLoadLoaded = 0;
  lastLoadExpired = 0;

  constructor(private readonly host: PersistenceHost<C>) {}

  get file(): string {
    return path.join(this.host.config.str('dir'), this.host.config.str('dbfilename'));
  }

  /**
   * rdbSave: the keyspace into a temporary file, fsynced, renamed over the
   * dump, the directory fsynced. False (logged) when it failed; the old dump
   * is then untouched.
   */
  save(): boolean {
    const host = this.host;
    const config = host.config;
    const dir = config.str('dir');
    const temp = path.join(dir, `temp-${process.pid}.rdb`);
    const now = Date.now();
    const dirty = host.keyspace.dirty;
    try {
      replaceFileAtomic(this.file, temp, (fd) =>
        writeRdb(fd, {
          keyspace: host.keyspace,
          libraryCodes: host.scripting.functions.codes(),
          redisVersion: host.redisVersion,
          compress: config.bool('rdbcompression'),
          checksum: config.bool('rdbchecksum'),
          listFill: config.num('list-max-listpack-size'),
          usedMemory: process.memoryUsage().heapUsed,
        }, now),
      );
    } catch (e) {
      host.log.warning(`Write error saving DB on disk: ${(e as Error).message}`);
      this.lastSaveOk = false;
      return false;
    }
    host.log.notice('DB saved on disk');
    this.dirtyAtSave = dirty;
    this.saves++;
    this.lastSaveOk = true;
    host.lastSave = Math.floor(now / 1000);
    return true;
  }

  /**
   * rdbLoad at start-up: false when there is no file. The file is read and
   * checked whole before anything goes into the keyspace, so a bad one
   * (its name, the offset and the reason are in the error) loads nothing.
   * Keys whose deadline has passed are left out, and empty collections, as
   * Redis leaves them out.
   */
  load(): boolean {
    const host = this.host;
    const file = this.file;
    if (!fs.existsSync(file)) return false;
    const log = host.log;
    const started = Date.now();
    let data: Buffer;
    try {
      data = fs.readFileSync(file);
    } catch (e) {
      throw new AofLoadError(`Can't read the RDB file ${file}: ${(e as Error).message}`);
    }
    const ks = host.keyspace;
    let parsed;
    try {
      parsed = parseRdb(data, { limits: loadLimits(host), databases: ks.dbs.length, now: started });
    } catch (e) {
      if (e instanceof RdbError) throw new AofLoadError(`Bad RDB file ${file}: ${e.reason} at offset ${e.offset}`);
      throw e;
    }
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
    // Loading happens on an empty keyspace, so a duplicated key (refused, as Redis refuses it) is undone by emptying it again.
    const dirty = ks.dirty;
    for (const k of parsed.keys) {
      const db = ks.db(k.db);
      if (db.dict.has(k.key)) {
        ks.flushAll();
        ks.dirty = dirty;
        throw new AofLoadError(`Bad RDB file ${file}: duplicated key '${k.key}' in DB ${k.db} at offset ${k.offset}`);
      }
      db.put(k.key, k.value, k.deadline);
    }
    ks.dirty = dirty;
    const clash = functions.libraries.join(libraries, false);
    if (clash !== null) {
      ks.flushAll();
      ks.dirty = dirty;
      throw new AofLoadError(`Bad RDB file ${file}: ${clash}`);
    }
    this.dirtyAtSave = dirty;
    this.lastLoadLoaded = parsed.keys.length;
    this.lastLoadExpired = parsed.expired;
    host.lastSave = Math.floor(Date.now() / 1000);
    log.notice(`Done loading RDB, keys loaded: ${parsed.keys.length}, keys expired: ${parsed.expired}.`);
    log.notice(`DB loaded from disk: ${((Date.now() - started) / 1000).toFixed(3)} seconds`);
    return true;
  }

  /** INFO persistence's rdb_* fields, in Redis's order (no BGSAVE: nothing is ever in progress). */
  infoLines(): string[] {
    return [
      `rdb_changes_since_last_save:${this.host.keyspace.dirty - this.dirtyAtSave}`,
      'rdb_bgsave_in_progress:0',
      `rdb_last_save_time:${this.host.lastSave}`,
      `rdb_last_bgsave_status:${this.lastSaveOk ? 'ok' : 'err'}`,
      'rdb_last_bgsave_time_sec:-1',
      'rdb_current_bgsave_time_sec:-1',
      `rdb_saves:${this.saves}`,
      'rdb_last_cow_size:0',
      `rdb_last_load_keys_expired:${this.lastLoadExpired}`,
      `rdb_last_load_keys_loaded:${this.lastLoadLoaded}`,
    ];
  }
}
