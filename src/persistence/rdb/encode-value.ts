import { ListValue } from '../../queues/list/list-value.js';
import { NodeSplit } from '../../queues/list/listpack-size.js';
import { StreamValue } from '../../queues/stream/stream-value.js';
import { HashValue } from '../../store/hash/hash-value.js';
import { isString, type Value } from '../../keyspace/value.js';
import { stringText } from '../../store/string/string-access.js';
import { parseIntMember, widthOfAll, type IntMember } from '../../store/set/intset.js';
import type { SetValue } from '../../store/set/set-value.js';
import { packedScoreText } from '../../store/zset/score.js';
import type { ZSetValue } from '../../store/zset/zset-value.js';
import {
  CONTAINER_PACKED, TYPE_HASH, TYPE_HASH_LISTPACK, TYPE_HASH_LISTPACK_EX, TYPE_HASH_METADATA, TYPE_LIST_QUICKLIST_2,
  TYPE_SET, TYPE_SET_INTSET, TYPE_SET_LISTPACK, TYPE_STREAM_LISTPACKS_2, TYPE_STREAM_LISTPACKS_3, TYPE_STRING, TYPE_ZSET_2, TYPE_ZSET_LISTPACK,
} from './format.js';
import { writeIntset } from './intset-blob.js';
import { ListpackBuilder, oneShotListpack } from './listpack.js';
import { drain, PIECE } from './pieces.js';
import { RdbVersionError, type RdbTarget } from './rdb-version.js';
import { streamPieces } from './stream-codec.js';
import type { RdbWriter } from '../../codecs/rdb/writer.js';

/**
 * The reader a value is written for: undefined for Sluice's own files and
 * payloads (RDB 11's encodings, and Redis 7.4's hash types for a hash with
 * field TTLs, which Sluice and Redis 7.4 read); 10 or 11 for a reader of
 * that version only (RdbOptions.rdbVersion), which gets only encodings it
 * has, or an RdbVersionError for a key it cannot hold.
 */
export type WriteTarget = RdbTarget | undefined;

/**
 * Writes a value as Redis 7.2's rdbSaveObjectType and rdbSaveObject do:
 * the type byte that names the encoding the value has now (OBJECT
 * ENCODING's), the key when writing a file, then the body. `listFill` is
 * list-max-listpack-size, which sets where a quicklist's nodes end. For an
 * RDB 10 reader (`target`), a set or stream in an encoding 7.2 added is
 * written in the one Redis 7.0 would have saved.
 */
export function writeValue(w: RdbWriter, v: Value, listFill: number, key?: string, target?: WriteTarget): void {
  if (isString(v)) {
    begin(w, TYPE_STRING, key);
    w.string(stringText(v));
    return;
  }
  switch (v.type) {
    case 'list':
      return writeList(w, v as ListValue, listFill, key);
    case 'set':
      return writeSet(w, v as SetValue, key, target);
    case 'zset':
      return writeZset(w, v as ZSetValue, key);
    case 'hash':
      return writeHash(w, v as HashValue, key, target);
    case 'stream':
      return drain(streamEntryPieces(w, v as StreamValue, key, target));
  }
}

/**
 * A stream (RDB_TYPE_STREAM_LISTPACKS_3), a piece at a time; for RDB 10,
 * RDB_TYPE_STREAM_LISTPACKS_2, whose consumers have no active time.
 */
export function* streamEntryPieces(w: RdbWriter, s: StreamValue, key: string | undefined, target: WriteTarget): Generator<void, void> {
  const v2 = target === 10;
  begin(w, v2 ? TYPE_STREAM_LISTPACKS_2 : TYPE_STREAM_LISTPACKS_3, key);
  yield* streamPieces(w, s, !v2);
}

/** The type byte, and in a file the key, which comes between the type and the value. */
function begin(w: RdbWriter, type: number, key: string | undefined): void {
  w.byte(type);
  if (key !== undefined) w.string(key);
}

/**
 * A quicklist of listpacks (RDB_TYPE_LIST_QUICKLIST_2). A listpack-encoded
 * list is one node; a quicklist's nodes end where they would had its
 * elements been pushed from the tail under list-max-listpack-size (Sluice
 * keeps no node boundaries; any split loads the same list).
 */
function writeList(w: RdbWriter, list: ListValue, fill: number, key: string | undefined): void {
  if (list.encoding() !== 'listpack') {
    drain(listPieces(w, list, fill, key));
    return;
  }
  // One node: what listPieces writes for it, without a generator.
  begin(w, TYPE_LIST_QUICKLIST_2, key);
  w.length(1);
  w.length(CONTAINER_PACKED);
  const lp = oneShotListpack();
  list.eachIn(0, list.length, (e) => void lp.add(e));
  w.blob(lp.finish());
}

/**
 * writeList a piece at a time (see pieces.ts): a quicklist's node count
 * comes first, so its elements are read twice, once to find where its
 * nodes end and once to write them.
 */
export function* listPieces(w: RdbWriter, list: ListValue, fill: number, key: string | undefined): Generator<void, void> {
  begin(w, TYPE_LIST_QUICKLIST_2, key);
  const n = list.length;
  let ends = [n];
  if (list.encoding() !== 'listpack') {
    const split = new NodeSplit(fill);
    for (let from = 0; from < n; from += PIECE) {
      list.eachIn(from, PIECE, split.take);
      yield;
    }
    ends = split.ends();
  }
  w.length(ends.length);
  let i = 0;
  let node = 0;
  let lp = new ListpackBuilder();
  const add = (e: string): void => {
    lp.add(e);
    if (++i === ends[node]) {
      w.length(CONTAINER_PACKED);
      w.blob(lp.finish());
      lp = new ListpackBuilder();
      node++;
    }
  };
  for (let from = 0; from < n; from += PIECE) {
    list.eachIn(from, PIECE, add);
    yield;
  }
}

/** A hashtable set's members by position: the live set's, or those a background save froze. */
export interface SetMembers {
  readonly size: number;
  at(i: number): string;
}

function writeSet(w: RdbWriter, set: SetValue, key: string | undefined, target: WriteTarget): void {
  const enc = set.encoding();
  if (enc === 'intset') {
    begin(w, TYPE_SET_INTSET, key);
    w.blob(writeIntset(set.members().map((m) => parseIntMember(m)!), set.intsetWidth));
  } else if (enc === 'listpack' && target === 10) {
    writeSetForV10(w, set, key);
  } else if (enc === 'listpack') {
    begin(w, TYPE_SET_LISTPACK, key);
    const lp = oneShotListpack();
    set.each((m) => {
      lp.add(m);
    });
    w.blob(lp.finish());
  } else {
    drain(setPieces(w, { size: set.size, at: (i) => set.memberAt(i) }, key));
  }
}

/**
 * A listpack set for RDB 10, which has no RDB_TYPE_SET_LISTPACK: an intset
 * when every member is an integer an intset holds (ascending, in the
 * narrowest width for them all), else a plain set, as Redis 7.0 saved its
 * small sets. A Redis 7.0 that loads either converts it to the encoding its
 * own limits choose.
 */
function writeSetForV10(w: RdbWriter, set: SetValue, key: string | undefined): void {
  const members = set.members();
  const ints: IntMember[] = [];
  for (const m of members) {
    const v = parseIntMember(m);
    if (v === null) break;
    ints.push(v);
  }
  if (ints.length === members.length) {
    begin(w, TYPE_SET_INTSET, key);
    ints.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    w.blob(writeIntset(ints, widthOfAll(ints)));
    return;
  }
  drain(setPieces(w, { size: members.length, at: (i) => members[i] }, key));
}

/** A hashtable set (RDB_TYPE_SET), a piece at a time: its members in position order. */
export function* setPieces(w: RdbWriter, members: SetMembers, key: string | undefined): Generator<void, void> {
  begin(w, TYPE_SET, key);
  const n = members.size;
  w.length(n);
  yield* byPosition(n, (i) => w.string(members.at(i)));
}

/** Calls `write` with each position below `n`, pausing every PIECE of them. */
function* byPosition(n: number, write: (i: number) => void): Generator<void, void> {
  for (let from = 0; from < n; from += PIECE) {
    const end = Math.min(n, from + PIECE);
    for (let i = from; i < end; i++) write(i);
    yield;
  }
}

/** A skiplist's entries by rank: the live sorted set's, or the tree a background save froze. */
export interface RankedEntries {
  readonly size: number;
  forRange(start: number, count: number, reverse: boolean, fn: (member: string, score: number) => void): void;
}

/** A listpack of member and score, ascending; or a skiplist's members from the highest score down, scores as binary doubles. */
function writeZset(w: RdbWriter, z: ZSetValue, key: string | undefined): void {
  if (z.packed) {
    begin(w, TYPE_ZSET_LISTPACK, key);
    const lp = oneShotListpack();
    z.forRange(0, z.size, false, (m, s) => {
      lp.add(m).add(packedScoreText(s));
    });
    w.blob(lp.finish());
    return;
  }
  drain(zsetPieces(w, z, key));
}

/** A skiplist sorted set (RDB_TYPE_ZSET_2), a piece at a time: from the highest score down, scores as binary doubles. */
export function* zsetPieces(w: RdbWriter, z: RankedEntries, key: string | undefined): Generator<void, void> {
  begin(w, TYPE_ZSET_2, key);
  const n = z.size;
  w.length(n);
  const put = (m: string, s: number): void => {
    w.string(m);
    w.binaryDouble(s);
  };
  for (let done = 0; done < n; done += PIECE) {
    z.forRange(n - 1 - done, Math.min(PIECE, n - done), true, put);
    yield;
  }
}

/**
 * Redis 7.2's two hash forms; a hash with field deadlines in Redis 7.4's
 * (a listpack of field, value, deadline after the earliest deadline, or a
 * table whose fields carry their deadline relative to it), which only 7.4
 * and later read. For a reader of RDB 10 or 11 (`target`), a hash with a
 * field deadline is an RdbVersionError, and a listpackex hash without one
 * (its deadlines all gone) is a plain listpack.
 */
function writeHash(w: RdbWriter, h: HashValue, key: string | undefined, target: WriteTarget): void {
  const enc = h.encoding();
  if (target !== undefined && h.hasDeadlines()) throw fieldTtlError(key, target);
  if (enc !== 'hashtable') {
    const withDeadlines = enc === 'listpackex' && target === undefined;
    begin(w, withDeadlines ? TYPE_HASH_LISTPACK_EX : TYPE_HASH_LISTPACK, key);
    if (withDeadlines) w.msTime(Math.max(0, h.nextDeadline()));
    const lp = oneShotListpack();
    h.forEach((f, v) => {
      lp.add(f).add(v);
      if (withDeadlines) lp.addInt(Math.max(0, h.deadline(f)));
    });
    w.blob(lp.finish());
    return;
  }
  const table = h.large;
  if (table !== null) return drain(hashPieces(w, table, h, key, target));
  // Held as a table by Redis, packed here: small, written at once.
  const min = h.nextDeadline();
  hashHead(w, h.size, min, key);
  h.forEach((f, v) => hashField(w, f, v, min, h));
}

/** A hash table's fields and values by position: the live table's, or those a background save froze. */
export interface HashPairs {
  readonly size: number;
  keyAt(i: number): string;
  valueAt(i: number): string;
}

/** Where a hash's field deadlines are read: the earliest, and each field's (HashValue's own). */
export interface FieldDeadlines {
  nextDeadline(): number;
  deadline(field: string): number;
}

/**
 * A hashtable hash, a piece at a time: its pairs in position order, as
 * `forEach` gives them; with field deadlines, Redis 7.4's form (the
 * earliest deadline, then each field's relative to it, 0 for none).
 */
export function* hashPieces(w: RdbWriter, pairs: HashPairs, deadlines: FieldDeadlines, key: string | undefined, target: WriteTarget): Generator<void, void> {
  const min = deadlines.nextDeadline();
  if (min !== -1 && target !== undefined) throw fieldTtlError(key, target);
  const n = pairs.size;
  hashHead(w, n, min, key);
  yield* byPosition(n, (i) => hashField(w, pairs.keyAt(i), pairs.valueAt(i), min, deadlines));
}

/** A hash with field deadlines, for a reader of RDB 10 or 11 (Redis 7.4 added them, in RDB 12). */
function fieldTtlError(key: string | undefined, target: RdbTarget): RdbVersionError {
  return new RdbVersionError(key ?? '', target, 'hash fields with a TTL');
}

/** A hashtable hash's type, key, earliest field deadline (`min`, -1: none, Redis 7.2's form) and length. */
function hashHead(w: RdbWriter, n: number, min: number, key: string | undefined): void {
  begin(w, min === -1 ? TYPE_HASH : TYPE_HASH_METADATA, key);
  if (min !== -1) w.msTime(min);
  w.length(n);
}

/** A field of a hashtable hash: with field deadlines, its own first, relative to `min` (0: none). */
function hashField(w: RdbWriter, f: string, v: string, min: number, deadlines: FieldDeadlines): void {
  if (min !== -1) {
    const d = deadlines.deadline(f);
    w.length(d < 0 ? 0 : d - min + 1);
  }
  w.string(f);
  w.string(v);
}
