import { NeedMoreData } from './stream-reader.js';
import type { Value } from '../../keyspace/value.js';
import { moduleName, readValue, type LoadLimits } from './decode-value.js';
import * as T from './format.js';
import { EmptyKeyError } from '../../codecs/rdb/rdb-error.js';
import type { RdbReader } from '../../codecs/rdb/reader.js';
import { byteString } from '../../protocol/byte-string.js';

/** The fewest bytes a key takes in a file: its type, its name's length and its value's. */
const MIN_KEY_BYTES = 3;

/**
 * Where a file's contents go as they are read: a loader puts each key
 * straight into its database rather than collecting a million records
 * first (they all outlived the young generation, which made the collector
 * copy each one twice).
 */
export interface RdbSink {
  /** A function library's code, in file order (they come before the keys). */
  library(code: string): void;
  /**
   * A key of database `db` whose deadline (ms, -1: none) has not passed,
   * with its IDLE and FREQ records (null when the file has neither, the
   * usual case, so no object is spent on it) and where it was in the file.
   */
  key(db: number, key: string, value: Value, deadline: number, hints: AccessRecords | null, offset: number): void;
  /**
   * A plain string key without a deadline or access records, key and value
   * given as bytes (`kb[ko, ko + kn)`, `vb[vo, vo + vn)`, valid only during
   * the call): true when the sink took it, false for it to come again
   * through `key` as strings. A sink without it gets every key that way.
   */
  stringBytes?(db: number, kb: Buffer, ko: number, kn: number, vb: Buffer, vo: number, vn: number, offset: number): boolean;
  /**
   * The number of keys the file says database `db` holds (RESIZEDB), ahead
   * of them: a hint, never more than the rest of the file could hold.
   */
  sizeHint?(db: number, keys: number): void;
  /** A key left out because its deadline had passed (a master propagates its deletion). */
  expired?(db: number, key: string): void;
  /** An AUX field, as it is read (Redis's loader logs some of them then, before any key). */
  aux?(name: string, value: string): void;
}

/** A key's IDLE record in seconds and FREQ record, -1 for the one the file does not have. */
export interface AccessRecords {
  idle: number;
  freq: number;
}

/** What an RDB file holds besides its libraries and keys, which went to the sink. */
export interface ParsedRdb {
  version: number;
  /** AUX fields (redis-ver, ctime, used-mem…). */
  aux: Map<string, string>;
  /** Keys handed to the sink. */
  loaded: number;
  /** Keys left out because their deadline had passed (Redis's "keys expired"). */
  expired: number;
  /** Empty collections left out, as Redis leaves them out. */
  empty: string[];
  /** Where the RDB part ends (its checksum included): an old AOF's commands may follow. */
  end: number;
}

/** ParseOptions.now that no deadline is before. */
export const KEEP_EXPIRED = -Infinity;

export interface ParseOptions {
  limits: LoadLimits;
  /** `databases`: a SELECTDB beyond it is refused. */
  databases: number;
  /**
   * The time that decides which keys have expired; KEEP_EXPIRED for a
   * replica's load, which keeps them all (Redis's rdbLoad leaves expired
   * keys out only on a master: a replica's go by its master's DEL).
   */
  now: number;
}

/**
 * Reads a whole RDB file (rdbLoadRioWithLoadingCtx) of any version from 1
 * to 12: the header, AUX fields, function libraries, SELECTDB, RESIZEDB,
 * deadlines in seconds or ms, LRU and LFU hints, the keys, EOF and the CRC-64 (eight zero bytes: not
 * computed). Throws an RdbError naming what is wrong and where; module data
 * and unknown opcodes are refused. The file is checked as it goes, the
 * checksum last: a sink that must not keep part of a bad file undoes what
 * it was given when this throws.
 */
export function parseRdb(r: RdbReader, opts: ParseOptions, sink: RdbSink): ParsedRdb {
  const steps = rdbSteps(r, opts, sink, Infinity);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * parseRdb a part at a time: the generator pauses after the key that takes
 * the reading `every` bytes past the last pause, so a loader can let the
 * event loop turn between parts (Redis's processEventsWhileBlocked while
 * it loads); it returns what parseRdb returns.
 */
export function* rdbSteps(r: RdbReader, opts: ParseOptions, sink: RdbSink, every: number): Generator<void | typeof MORE, ParsedRdb> {
  let pauseAt = every;
  let magic = '';
  for (;;) {
    try {
      magic = r.bytes(9).toString('latin1');
      break;
    } catch (e) {
      if (!(e instanceof NeedMoreData)) throw e;
      r.pos = 0;
      yield MORE;
    }
  }
  if (!magic.startsWith('REDIS')) r.fail('wrong signature trying to load DB from file', 0);
  const version = /^\d{4}$/.test(magic.slice(5)) ? Number(magic.slice(5)) : -1;
  if (version < 1 || version > T.RDB_VERSION_MAX) r.fail(`can't handle RDB format version ${magic.slice(5)}`, 5);
  const out: ParsedRdb = { version, aux: new Map(), loaded: 0, expired: 0, empty: [], end: 0 };
  const state: RecordState = { db: 0, deadline: -1, idle: -1, freq: -1 };
  for (;;) {
    const at = r.pos;
    r.recordStart(at);
    let outcome: 'eof' | 'key' | 'other';
    try {
      outcome = readRecord(r, at, state, out, opts, sink);
    } catch (e) {
      // A reader fed as the bytes arrive: the record is read again, whole, once more are in.
      if (!(e instanceof NeedMoreData)) throw e;
      r.pos = at;
      yield MORE;
      continue;
    }
    if (outcome === 'eof') break;
    if (outcome === 'key' && r.pos >= pauseAt) {
      pauseAt = r.pos + every;
      yield;
    }
  }
  if (version >= 5) {
    const at = r.pos;
    let stored: Buffer;
    for (;;) {
      try {
        stored = r.bytes(8);
        break;
      } catch (e) {
        if (!(e instanceof NeedMoreData)) throw e;
        r.pos = at;
        yield MORE;
      }
    }
    const computed = r.checksumBefore(at);
    if (!stored.equals(Buffer.alloc(8)) && !computed.equals(stored)) {
      // Redis's words, which its tests and operators look for.
      const hex = (b: Buffer) => b.readBigUInt64LE(0).toString(16);
      r.fail(`RDB CRC error: wrong RDB checksum expected: (${hex(stored)}) got (${hex(computed)})`, at);
    }
  }
  out.end = r.pos;
  return out;
}

/** What rdbSteps yields when its reader needs bytes that have not arrived (see StreamRdbReader). */
export const MORE = 'more';

/** What the records read so far say of the ones to come: the database, and a key's deadline and access hints. */
interface RecordState {
  db: number;
  deadline: number;
  idle: number;
  freq: number;
}

/**
 * One record: an opcode and what it carries, or a key. Nothing is changed
 * (state, out, sink) until the record is read whole, so that a record cut
 * short by NeedMoreData can be read again from its start.
 */
function readRecord(r: RdbReader, at: number, state: RecordState, out: ParsedRdb, opts: ParseOptions, sink: RdbSink): 'eof' | 'key' | 'other' {
  const type = r.byte();
  switch (type) {
    case T.OPCODE_EOF:
      return 'eof';
    case T.OPCODE_EXPIRETIME:
      state.deadline = r.secondsTime() * 1000;
      return 'other';
    case T.OPCODE_EXPIRETIME_MS:
      state.deadline = r.msTime();
      return 'other';
    case T.OPCODE_FREQ:
      state.freq = r.byte();
      return 'other';
    case T.OPCODE_IDLE: {
      const secs = r.lengthU64();
      state.idle = typeof secs === 'bigint' ? Number.MAX_SAFE_INTEGER : secs;
      return 'other';
    }
    case T.OPCODE_SELECTDB: {
      const db = r.length();
      if (db >= opts.databases) {
        r.fail(`the file was created with a server configured to handle more than ${opts.databases} databases`, at);
      }
      state.db = db;
      return 'other';
    }
    case T.OPCODE_RESIZEDB: {
      const keys = r.lengthU64();
      r.lengthU64();
      const most = Math.floor(r.remaining / MIN_KEY_BYTES);
      sink.sizeHint?.(state.db, typeof keys === 'bigint' ? most : Math.min(keys, most));
      return 'other';
    }
    case T.OPCODE_AUX: {
      const name = r.string();
      const value = r.string();
      out.aux.set(name, value);
      sink.aux?.(name, value);
      return 'other';
    }
    case T.OPCODE_MODULE_AUX:
      return r.fail(`module auxiliary data of type '${moduleName(r.lengthU64())}': Sluice has no modules to load it`, at);
    case T.OPCODE_FUNCTION_PRE_GA:
      return r.fail('pre-GA function format not supported', at);
    case T.OPCODE_FUNCTION2:
      sink.library(r.string());
      return 'other';
    default: {
      if (!isValueType(type)) r.fail(`unknown RDB opcode or value type ${type}`, at);
      const { db, deadline, idle, freq } = state;
      readKey(r, type, at, db, deadline, idle === -1 && freq === -1 ? null : { idle, freq }, out, opts, sink);
      state.deadline = -1;
      state.idle = -1;
      state.freq = -1;
      return 'key';
    }
  }
}

/** One key and its value; an expired or empty one is left out. (A duplicate is found where the keys are stored.) */
function readKey(
  r: RdbReader,
  type: number,
  at: number,
  db: number,
  deadline: number,
  hints: AccessRecords | null,
  out: ParsedRdb,
  opts: ParseOptions,
  sink: RdbSink,
): void {
  if (type === T.TYPE_STRING && deadline === -1 && hints === null && sink.stringBytes !== undefined) {
    const kn = r.rawString();
    if (kn >= 0) {
      const kb = r.rawData;
      const ko = r.rawAt;
      const vn = r.rawString();
      const taken = vn >= 0 && sink.stringBytes(db, kb, ko, kn, r.rawData, r.rawAt, vn, at);
      if (!taken) {
        const value = vn >= 0 ? byteString(r.rawData, r.rawAt, vn) : r.string();
        sink.key(db, byteString(kb, ko, kn), value, deadline, hints, at);
      }
      out.loaded++;
      return;
    }
  }
  const key = r.string();
  let value: Value;
  try {
    value = readValue(r, type, opts.limits);
  } catch (e) {
    if (!(e instanceof EmptyKeyError)) throw e;
    out.empty.push(key);
    return;
  }
  if (deadline !== -1 && deadline < opts.now) {
    out.expired++;
    sink.expired?.(db, key);
  } else {
    out.loaded++;
    sink.key(db, key, value, deadline, hints, at);
  }
}

/** rdbIsObjectType, with Redis 7.4's hash types. */
function isValueType(t: number): boolean {
  return (t >= 0 && t <= 7) || (t >= 9 && t <= T.TYPE_HASH_LISTPACK_EX);
}
