import fs from 'node:fs';
import { Crc64 } from '../../codecs/crc64.js';
import { RDB_VERSION } from '../../codecs/rdb/payload.js';
import type { KeyTable, PairBytes } from '../../keyspace/key-table.js';
import type { Keyspace } from '../../keyspace/keyspace.js';
import type { Value } from '../../keyspace/value.js';
import { writeValue } from './encode-value.js';
import type { FrozenEntry } from './frozen-entry.js';
import { OPCODE_AUX, OPCODE_EOF, OPCODE_EXPIRETIME_MS, OPCODE_FREQ, OPCODE_FUNCTION2, OPCODE_IDLE, OPCODE_RESIZEDB, OPCODE_SELECTDB, TYPE_STRING } from './format.js';
import { RdbWriter } from '../../codecs/rdb/writer.js';
import type { SnapshotSink } from '../snapshot-sink.js';
import type { RdbTarget } from './rdb-version.js';

/** Bytes gathered before they go to the file (the buffer then stays within the megabyte a FileQueue reuses). */
const CHUNK = 1 << 19;

/** What a file says besides the keys, and how it is written. */
export interface RdbOptions {
  /** The function libraries' code, written before the keys. */
  libraryCodes: readonly string[];
  /** The version Sluice reports as Redis's (INFO's redis_version), for the redis-ver field. */
  redisVersion: string;
  /** rdbcompression */
  compress: boolean;
  /** rdbchecksum: without it the trailer is eight zero bytes, which loaders take as "not computed". */
  checksum: boolean;
  /** list-max-listpack-size */
  listFill: number;
  /** What the used-mem field says (Redis: its allocator's figure). */
  usedMemory: number;
  /** A master's (or replica's) replication history: the repl-stream-db, repl-id and repl-offset AUX fields, from which a restarted server continues. */
  replInfo?: { streamDb: number; id: string; offset: number } | null;
  /** No keys: a snapshot for a replica that asked for the functions only (REPLCONF rdb-filter-only). */
  excludeData?: boolean;
  /** The file is an AOF's base (aof-use-rdb-preamble): the aof-base AUX field says 1. */
  aofBase?: boolean;
  /**
   * Under an LRU or LFU policy, what each key's IDLE or FREQ record says
   * (KeyAccess.savedHint of the dictionary saved); null under the other policies,
   * which write neither, as Redis's savelru/savelfu.
   */
  hints: AccessHints | null;
  /**
   * rdb-key-save-delay, Redis's testing aid that slows a save down (µs a
   * key). A background save rests that long between keys rather than
   * sleeping, so clients are served meanwhile; SAVE ignores it.
   */
  keySaveDelayMicros?: number;
  /**
   * The RDB version the file's reader takes, 10 (Redis 7.0) or 11 (Redis
   * 7.2): a replica's (repl-rdb-version, RdbFiles.replicaOptions). Set, the
   * header says that version and every value is written in an encoding it
   * has (for 10: a listpack set as an intset or a plain set, a stream as
   * RDB_TYPE_STREAM_LISTPACKS_2); a key it cannot hold (a hash with field
   * TTLs, which RDB 12 added) throws RdbVersionError, and the file is to be
   * abandoned. Unset, what Sluice's own files are: version 11, but a hash
   * with field TTLs in Redis 7.4's types (RDB 12's) under that header, which
   * Sluice and Redis 7.4 load and Redis 7.2 refuses.
   */
  rdbVersion?: RdbTarget;
}

/** The access clocks' view a file records: idle seconds (`idle`) or LFU counters (`freq`). */
export interface AccessHints {
  kind: 'idle' | 'freq';
  of(dict: KeyTable, key: string): number;
}

/** No IDLE or FREQ record for the key. */
export const NO_HINT = -1;

/** The hints a file written now records: the policy's clocks as they are when the save begins, as Redis's child has them. */
export function accessHints(ks: Keyspace): AccessHints | null {
  const access = ks.access;
  if (access === null || !access.recorded) return null;
  return { kind: access.mode === 'lru' ? 'idle' : 'freq', of: (dict, key) => access.savedHint(dict, key) };
}

/** What a snapshot holds and how it is written. */
export interface RdbSource extends RdbOptions {
  keyspace: Keyspace;
}

/**
 * An RDB file being written: a buffer that goes to the file by the half
 * megabyte (at once, or queued for the thread pool), the CRC-64 of every byte written, and the pieces Redis 7.2's
 * rdbSaveRio writes (header with AUX fields and libraries, SELECTDB with
 * RESIZEDB, keys with their deadlines, EOF and checksum).
 */
export class RdbOutput {
  readonly w: RdbWriter;
  /** Bytes handed to the file so far. */
  written = 0;
  /** The database the keys written next go to (-1: none selected yet). */
  private selected = -1;
  private readonly crc = new Crc64();

  constructor(
    /** A descriptor written at once (SAVE), or a queue that writes in the thread pool (BGSAVE, a rewrite's RDB base). */
    private readonly to: number | SnapshotSink,
    private readonly opts: RdbOptions,
  ) {
    this.w = new RdbWriter(opts.compress);
  }

  header(nowMs: number): void {
    const w = this.w;
    w.raw(Buffer.from(`REDIS${String(this.opts.rdbVersion ?? RDB_VERSION).padStart(4, '0')}`, 'latin1'));
    const aux = (key: string, value: string): void => {
      w.byte(OPCODE_AUX);
      w.string(key);
      w.string(value);
    };
    aux('redis-ver', this.opts.redisVersion);
    aux('redis-bits', '64');
    aux('ctime', String(Math.floor(nowMs / 1000)));
    aux('used-mem', String(this.opts.usedMemory));
    const repl = this.opts.replInfo;
    if (repl != null) {
      aux('repl-stream-db', String(repl.streamDb));
      aux('repl-id', repl.id);
      aux('repl-offset', String(repl.offset));
    }
    aux('aof-base', this.opts.aofBase === true ? '1' : '0');
    for (const code of this.opts.libraryCodes) {
      w.byte(OPCODE_FUNCTION2);
      w.string(code);
    }
  }

  /** SELECTDB and its size hints (RESIZEDB), as each database's keys begin. */
  beginDb(index: number, keys: number, expiring: number): void {
    this.select(index);
    this.w.byte(OPCODE_RESIZEDB);
    this.w.length(keys);
    this.w.length(expiring);
  }

  /** A bare SELECTDB when a key goes to another database than the last one's (loaders take the opcode anywhere). */
  select(index: number): void {
    if (this.selected === index) return;
    this.selected = index;
    this.w.byte(OPCODE_SELECTDB);
    this.w.length(index);
  }

  /** What the IDLE or FREQ record of a key of `dict` says now (NO_HINT without one). */
  hintOf(dict: KeyTable, key: string): number {
    const hints = this.opts.hints;
    return hints === null ? NO_HINT : hints.of(dict, key);
  }

  /** A key of the selected database, with its deadline in ms (-1: none) and its access hint (hintOf). */
  entry(key: string, value: Value, deadline: number, hint: number): void {
    this.prefix(deadline, hint);
    writeValue(this.w, value, this.opts.listFill, key, this.opts.rdbVersion);
    if (this.w.size >= CHUNK) this.flush();
  }

  /**
   * entry() of the key at position `i` of `dict` when its record holds it
   * and its plain string value and the file records no deadline or hint
   * for it (`deadlines`: whether the database has any): written from the
   * record's bytes. False, nothing written, otherwise.
   */
  recordEntry(dict: KeyTable, i: number, deadlines: boolean): boolean {
    if (deadlines || this.opts.hints !== null || !dict.pairBytes(i, this.writePair)) return false;
    if (this.w.size >= CHUNK) this.flush();
    return true;
  }

  private readonly writePair: PairBytes = (b, keyAt, keyLength, valueAt, valueLength) => {
    const w = this.w;
    w.byte(TYPE_STRING);
    w.stringOf(b, keyAt, keyLength);
    w.stringOf(b, valueAt, valueLength);
  };

  /**
   * A key of the selected database written a piece per step (a background
   * save's big or kept values): its deadline and hint records, then what
   * `frozen` writes. Nothing else may be written until the steps end.
   */
  *piecewise(key: string, frozen: FrozenEntry, deadline: number, hint: number): Generator<void, void> {
    const w = this.w;
    this.prefix(deadline, hint);
    const pieces = frozen.pieces(w, this.opts.listFill, key, this.opts.rdbVersion);
    for (let done = false; !done; ) {
      done = pieces.next().done === true;
      if (w.size >= CHUNK) this.flush();
      if (!done) yield;
    }
  }

  /** rdbSaveKeyValuePair's records before the type byte: the deadline, then IDLE or FREQ. */
  private prefix(deadline: number, hint: number): void {
    const w = this.w;
    if (deadline !== -1) {
      w.byte(OPCODE_EXPIRETIME_MS);
      w.msTime(deadline);
    }
    if (hint === NO_HINT) return;
    if (this.opts.hints?.kind === 'idle') {
      w.byte(OPCODE_IDLE);
      w.length(hint);
    } else {
      w.byte(OPCODE_FREQ);
      w.byte(hint);
    }
  }

  /** Hands the buffered bytes to the file. */
  flush(): void {
    const w = this.w;
    const length = w.size;
    if (length === 0) return;
    const bytes = w.result();
    if (this.opts.checksum) this.crc.update(bytes);
    const to = this.to;
    if (typeof to === 'number') {
      let off = 0;
      while (off < length) off += fs.writeSync(to, bytes, off);
      w.reset();
    } else {
      to.push(w.handOver(to.spare()), length);
    }
    this.written += length;
  }

  /** EOF and the CRC-64 of everything before it (eight zero bytes under rdbchecksum no). */
  finish(): void {
    this.w.byte(OPCODE_EOF);
    this.flush();
    const trailer = this.opts.checksum ? this.crc.digest() : Buffer.alloc(8);
    const to = this.to;
    if (typeof to === 'number') fs.writeSync(to, trailer);
    else to.push(trailer, trailer.length);
    this.written += trailer.length;
  }
}

/**
 * Writes the whole keyspace to `fd` at once (SAVE): each database that has
 * keys, every key with its deadline. Synchronous: nothing changes the
 * keyspace while it runs. With `rdbVersion` set, a key that version cannot
 * hold throws RdbVersionError part-way: what was written is no file.
 */
export function writeRdb(fd: number, src: RdbSource, nowMs: number): void {
  const out = new RdbOutput(fd, src);
  out.header(nowMs);
  for (const db of src.keyspace.dbs) {
    const dict = db.dict;
    if (dict.size === 0) continue;
    out.beginDb(db.index, dict.size, db.expires.size);
    const expires = db.expires;
    for (let i = 0; i < dict.size; i++) {
      if (out.recordEntry(dict, i, expires.size !== 0)) continue;
      const key = dict.keyAt(i);
      out.entry(key, dict.valueAt(i), expires.size === 0 ? -1 : expires.get(key) ?? -1, out.hintOf(dict, key));
    }
  }
  out.finish();
}
