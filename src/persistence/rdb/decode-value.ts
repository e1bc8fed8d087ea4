import type { Ctx } from '../../core/context.js';
import { ListValue } from '../../queues/list/list-value.js';
import { listFill } from '../../queues/list/list-access.js';
import { readHashLimits } from '../../store/hash/hash-access.js';
import { readSetLimits } from '../../store/set/set-access.js';
import { readZsetLimits } from '../../store/zset/zset-access.js';
import { HashValue, type HashLimits } from '../../store/hash/hash-value.js';
import type { Value } from '../../keyspace/value.js';
import { SetValue } from '../../store/set/set-value.js';
import type { SetLimits } from '../../store/set/set-encoding.js';
import { ZSetValue, type ZsetLimits } from '../../store/zset/zset-value.js';
import * as T from './format.js';
import { readIntset } from './intset-blob.js';
import { entryText, readListpack, type ListpackEntry } from './listpack.js';
import { packListpack } from './listpack-packed.js';
import { EmptyKeyError } from '../../codecs/rdb/rdb-error.js';
import type { RdbReader } from '../../codecs/rdb/reader.js';
import { readStream } from './stream-codec.js';
import { readZiplist } from './ziplist.js';
import { readZipmap } from './zipmap.js';

/** The encoding thresholds a loaded value is shaped by, as Redis's loader reads them from its configuration. */
export interface LoadLimits {
  /** list-max-listpack-size */
  list: number;
  hash: HashLimits;
  set: SetLimits;
  zset: ZsetLimits;
}

export function loadLimits(c: Pick<Ctx, 'config'>): LoadLimits {
  return { list: listFill(c), hash: readHashLimits(c.config), set: readSetLimits(c.config), zset: readZsetLimits(c.config) };
}

/** loadLimits read once per change of the parameters: RESTORE asks for them on every key a MIGRATE sends. */
export function currentLoadLimits(c: Pick<Ctx, 'config'>): LoadLimits {
  return c.config.derived(loadLimits, (config) => loadLimits({ config }));
}

/**
 * Reads a value of RDB type `type` (rdbLoadObject), in any form Redis 2.x
 * to 7.4 writes, checked as Redis's deep sanitisation checks it (sizes,
 * duplicates, order, counts), and builds the Sluice value through the
 * family's own constructors, so that its encoding follows the thresholds
 * in `limits` as Redis's loader converts it. An empty collection is refused
 * with an EmptyKeyError (a file loader skips the key, as Redis does).
 * Module values cannot be loaded without the module.
 */
export function readValue(r: RdbReader, type: number, limits: LoadLimits): Value {
  const at = r.pos;
  r.startValue();
  switch (type) {
    case T.TYPE_STRING:
      return r.string();
    case T.TYPE_LIST:
      return list(r, strings(r, r.count()), limits.list);
    case T.TYPE_LIST_ZIPLIST:
      return list(r, ziplistOf(r), limits.list);
    case T.TYPE_LIST_QUICKLIST:
    case T.TYPE_LIST_QUICKLIST_2:
      return quicklist(r, type, limits.list);
    case T.TYPE_SET:
      return set(r, strings(r, r.count()), limits.set, at);
    case T.TYPE_SET_INTSET:
      return set(r, intsetOf(r), limits.set, at);
    case T.TYPE_SET_LISTPACK:
      return packedSet(r, limits.set, at);
    case T.TYPE_ZSET:
    case T.TYPE_ZSET_2:
      return zsetFromPairs(r, type, limits.zset);
    case T.TYPE_ZSET_ZIPLIST:
      return zsetPacked(r, ziplistOf(r), limits.zset, at);
    case T.TYPE_ZSET_LISTPACK:
      return packedZset(r, limits.zset, at);
    case T.TYPE_HASH:
      return hash(r, strings(r, 2 * r.count(2)), limits.hash, at);
    case T.TYPE_HASH_ZIPMAP:
      return hash(r, zipmapOf(r), limits.hash, at);
    case T.TYPE_HASH_ZIPLIST:
      return hash(r, ziplistOf(r), limits.hash, at);
    case T.TYPE_HASH_LISTPACK:
      return packedHash(r, limits.hash, at);
    case T.TYPE_HASH_METADATA:
    case T.TYPE_HASH_METADATA_PRE_GA:
      return hashWithDeadlines(r, type, limits.hash);
    case T.TYPE_HASH_LISTPACK_EX:
    case T.TYPE_HASH_LISTPACK_EX_PRE_GA:
      return hashListpackEx(r, type, limits.hash);
    case T.TYPE_STREAM_LISTPACKS:
    case T.TYPE_STREAM_LISTPACKS_2:
    case T.TYPE_STREAM_LISTPACKS_3:
      return readStream(r, type);
    case T.TYPE_MODULE_PRE_GA:
      return r.fail('pre-release module format not supported', at);
    case T.TYPE_MODULE_2:
      return r.fail(`module data of type '${moduleName(r.lengthU64())}': Sluice has no modules to load it`, at);
    default:
      return r.fail(`unknown RDB value type ${type}`, at);
  }
}

/*
 * The encoded structures (listpack, ziplist, intset, zipmap) arrive as
 * string objects; an error inside one is reported at the string's offset
 * plus the offset within the structure.
 */
function listpackOf(r: RdbReader): ListpackEntry[] {
  const at = r.pos;
  return readListpack(r.stringBytes(), at);
}

/*
 * The usual small collection, a listpack within its family's limits, goes
 * straight into the family's packed form (listpack-packed.ts); any other
 * is read entry by entry, which also names what is wrong with a bad one.
 */

/** Hashes, sets and sorted sets of more fields or members are read entry by entry: the duplicate check compares every pair. */
const PACKED_MEMBERS_MAX = 64;

function packedHash(r: RdbReader, lim: HashLimits, at: number): HashValue {
  const lpAt = r.pos;
  const lp = r.stringBytes();
  const e = packListpack(lp, 2 * Math.min(lim.entries, PACKED_MEMBERS_MAX), 2);
  const h = e !== null && e.count !== 0 && e.count % 2 === 0 ? HashValue.packedIfFits(e.packed, e.count / 2, e.longest, e.bytes, lim) : null;
  return h ?? hash(r, readListpack(lp, lpAt).map(entryText), lim, at);
}

function packedSet(r: RdbReader, lim: SetLimits, at: number): SetValue {
  const lpAt = r.pos;
  const lp = r.stringBytes();
  const e = packListpack(lp, Math.min(lim.listpackEntries, PACKED_MEMBERS_MAX), 1);
  const s = e !== null && e.count !== 0 ? SetValue.packedIfFits(e.packed, e.count, e.longest, lim) : null;
  return s ?? set(r, readListpack(lp, lpAt).map(entryText), lim, at);
}

function packedZset(r: RdbReader, lim: ZsetLimits, at: number): ZSetValue {
  const lpAt = r.pos;
  const lp = r.stringBytes();
  const e = packListpack(lp, 2 * Math.min(lim.entries, PACKED_MEMBERS_MAX), 2);
  const z = e !== null && e.count !== 0 && e.count % 2 === 0 ? ZSetValue.packedIfFits(e.packed, e.count / 2, lim) : null;
  return z ?? zsetPacked(r, readListpack(lp, lpAt).map(entryText), lim, at);
}

function ziplistOf(r: RdbReader): string[] {
  const at = r.pos;
  return readZiplist(r.stringBytes(), at);
}

function intsetOf(r: RdbReader): string[] {
  const at = r.pos;
  return readIntset(r.stringBytes(), at);
}

function zipmapOf(r: RdbReader): string[] {
  const at = r.pos;
  return readZipmap(r.stringBytes(), at);
}

function strings(r: RdbReader, n: number): string[] {
  r.elements(n);
  const out: string[] = [];
  for (let i = 0; i < n; i++) out.push(r.string());
  return out;
}

/** A list kept as single elements or one ziplist: Redis pushes them into a quicklist, then converts it if it is one node. */
function list(r: RdbReader, elements: string[], fill: number): ListValue {
  if (elements.length === 0) throw new EmptyKeyError('empty list', r.pos);
  return ListValue.of(elements, fill);
}

/**
 * Quicklist nodes: ziplists (version 1), or listpacks and plain elements
 * (version 2); empty nodes are skipped as Redis skips them. Redis keeps the
 * nodes as they are and makes the list a listpack only when there is one
 * packed node within the node limits of `fill`.
 */
function quicklist(r: RdbReader, type: number, fill: number): ListValue {
  const nodes = r.count(2);
  const out: string[] = [];
  let packedNodes = 0;
  let plain = false;
  for (let i = 0; i < nodes; i++) {
    if (type === T.TYPE_LIST_QUICKLIST) {
      const node = ziplistOf(r);
      r.elements(node.length);
      for (const e of node) out.push(e);
      if (node.length !== 0) packedNodes++;
      continue;
    }
    const containerAt = r.pos;
    const container = r.length();
    if (container === T.CONTAINER_PLAIN) {
      r.elements(1);
      out.push(r.string());
      plain = true;
    } else if (container === T.CONTAINER_PACKED) {
      const lpAt = r.pos;
      const lp = r.stringBytes();
      if (nodes === 1) {
        const e = packListpack(lp, Infinity, 0);
        const list = e !== null && e.count !== 0 && e.listpackBytes >= 0 ? ListValue.loadedPacked(e.packed, e.count, e.bytes, e.listpackBytes, fill) : null;
        if (list !== null) {
          r.elements(e!.count);
          return list;
        }
      }
      const node = readListpack(lp, lpAt);
      r.elements(node.length);
      for (const e of node) out.push(entryText(e));
      if (node.length !== 0) packedNodes++;
    } else {
      r.fail(`unknown quicklist node container ${container}`, containerAt);
    }
  }
  if (out.length === 0) throw new EmptyKeyError('empty list', r.pos);
  return ListValue.loaded(out, fill, plain ? 0 : packedNodes);
}

function set(r: RdbReader, members: string[], lim: SetLimits, at: number): SetValue {
  if (members.length === 0) throw new EmptyKeyError('empty set', at);
  const s = SetValue.create(members[0], members.length, lim);
  if (s.addAll(members, 0, lim) !== members.length) r.fail('duplicate set members', at);
  return s;
}

/** A sorted set written as member and score pairs: scores in ASCII (ZSET) or binary (ZSET_2); NaN is refused. */
function zsetFromPairs(r: RdbReader, type: number, lim: ZsetLimits): ZSetValue {
  const at = r.pos;
  const n = r.count(type === T.TYPE_ZSET ? 2 : 9);
  r.elements(n);
  const members: string[] = [];
  const scores: number[] = [];
  for (let i = 0; i < n; i++) {
    members.push(r.string());
    const s = type === T.TYPE_ZSET ? r.asciiDouble() : r.binaryDouble();
    if (s !== s) r.fail('sorted set with a NaN score', at);
    scores.push(s);
  }
  return zset(r, members, scores, lim, at);
}

/** A ziplist or listpack of member, score: kept small unless it has more members than zset-max-listpack-entries, as Redis keeps it. */
function zsetPacked(r: RdbReader, flat: string[], lim: ZsetLimits, at: number): ZSetValue {
  if (flat.length % 2 !== 0) r.fail('sorted set listpack with an odd entry count', at);
  const members: string[] = [];
  const scores: number[] = [];
  for (let i = 0; i < flat.length; i += 2) {
    const text = flat[i + 1];
    let score = text === '' ? NaN : Number(text);
    if (score !== score) {
      const lower = text.toLowerCase();
      score = lower === 'inf' || lower === '+inf' ? Infinity : lower === '-inf' ? -Infinity : NaN;
    }
    if (score !== score) r.fail('sorted set listpack with a bad score', at);
    members.push(flat[i]);
    scores.push(score);
  }
  return zset(r, members, scores, { entries: lim.entries, value: Infinity }, at);
}

/** The members ordered by score then bytes (a listpack's already are; a skiplist's come highest first), checked for duplicates. */
function zset(r: RdbReader, members: string[], scores: number[], lim: ZsetLimits, at: number): ZSetValue {
  const n = members.length;
  if (n === 0) throw new EmptyKeyError('empty sorted set', at);
  const cmp = (a: number, b: number): number => scores[a] - scores[b] || (members[a] < members[b] ? -1 : members[a] > members[b] ? 1 : 0);
  let ordered = true;
  for (let i = 1; i < n && ordered; i++) ordered = cmp(i - 1, i) < 0;
  let m = members;
  let s = scores;
  if (!ordered) {
    const order = members.map((_, i) => i).sort(cmp);
    m = order.map((i) => members[i]);
    s = order.map((i) => scores[i]);
  }
  if (n > 1 && new Set(m).size !== n) r.fail('duplicate sorted set members', at);
  return ZSetValue.fromSorted(m, s, lim);
}

function hash(r: RdbReader, flat: string[], lim: HashLimits, at: number): HashValue {
  if (flat.length === 0) throw new EmptyKeyError('empty hash', at);
  if (flat.length % 2 !== 0) r.fail('hash listpack with an odd entry count', at);
  const h = new HashValue();
  if (h.setPairs(flat, 0, lim) !== flat.length / 2) r.fail('duplicate hash fields', at);
  return h;
}

/** Redis 7.4's table form: the earliest deadline, then per field its deadline relative to it (0: none; the pre-GA form: absolute), field, value. */
function hashWithDeadlines(r: RdbReader, type: number, lim: HashLimits): HashValue {
  const at = r.pos;
  const min = type === T.TYPE_HASH_METADATA ? r.msTime() : 0;
  const n = r.count(3);
  r.elements(2 * n);
  const flat: string[] = [];
  const deadlines: number[] = [];
  for (let i = 0; i < n; i++) {
    const ttl = Number(r.lengthU64());
    deadlines.push(ttl === 0 ? -1 : type === T.TYPE_HASH_METADATA ? ttl + min - 1 : ttl);
    flat.push(r.string(), r.string());
  }
  return withDeadlines(r, hash(r, flat, lim, at), flat, deadlines, at);
}

/** Redis 7.4's listpackex: the earliest deadline (7.4 GA only), then a listpack of field, value, deadline (0: none). */
function hashListpackEx(r: RdbReader, type: number, lim: HashLimits): HashValue {
  const at = r.pos;
  if (type === T.TYPE_HASH_LISTPACK_EX) r.msTime();
  const tuples = listpackOf(r);
  if (tuples.length % 3 !== 0) r.fail('hash listpackex with a bad entry count', at);
  const flat: string[] = [];
  const deadlines: number[] = [];
  for (let i = 0; i < tuples.length; i += 3) {
    const d = tuples[i + 2];
    if (typeof d === 'string') r.fail('hash listpackex with a bad deadline', at);
    flat.push(entryText(tuples[i]), entryText(tuples[i + 1]));
    deadlines.push(Number(d) === 0 ? -1 : Number(d));
  }
  const h = hash(r, flat, lim, at);
  h.allowDeadlines();
  return withDeadlines(r, h, flat, deadlines, at);
}

/** Redis's EB_EXPIRE_TIME_MAX: deadlines are 48-bit. */
const DEADLINE_MAX = 2 ** 48 - 1;

function withDeadlines(r: RdbReader, h: HashValue, flat: string[], deadlines: number[], at: number): HashValue {
  for (let i = 0; i < deadlines.length; i++) {
    const d = deadlines[i];
    if (d === -1) continue;
    if (!(d >= 0 && d <= DEADLINE_MAX)) r.fail('invalid hash field deadline', at);
    h.allowDeadlines();
    h.setDeadline(flat[2 * i], d);
  }
  return h;
}

/** The nine characters of a module type's name, packed six bits each above the ten of its encoding version (moduleTypeNameByID). */
export function moduleName(id: number | bigint): string {
  const CHARSET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  let n = BigInt(id) >> 10n;
  let name = '';
  for (let j = 0; j < 9; j++) {
    name = CHARSET[Number(n & 63n)] + name;
    n >>= 6n;
  }
  return name;
}
