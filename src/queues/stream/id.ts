import { CommandError } from '../../core/errors.js';
import { smallInt, toInt64 } from '../../codecs/integer-text.js';

/**
 * A 64-bit unsigned part of a stream ID. A JS number while it is exact
 * (up to 2^53 - 1: every millisecond time and ordinary sequence), a bigint
 * beyond, so that IDs up to 2^64 - 1 stay exact without making every ID a
 * bigint. Always normalised (see u64), so `===` and `<` work across both.
 */
export type U64 = number | bigint;

/** A stream entry ID, Redis's streamID: milliseconds and sequence. */
export interface StreamId {
  readonly ms: U64;
  readonly seq: U64;
}

export const U64_MAX = 2n ** 64n - 1n;
export const MIN_ID: StreamId = { ms: 0, seq: 0 };
export const MAX_ID: StreamId = { ms: U64_MAX, seq: U64_MAX };

export const INVALID_ID = 'ERR Invalid stream ID specified as stream command argument';

/** The normal form: a number when exact, else a bigint. */
export function u64(n: bigint): U64 {
  return n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}

export function u64Add(a: U64, b: U64): U64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const s = a + b;
    if (s <= Number.MAX_SAFE_INTEGER) return s;
  }
  return u64(BigInt.asUintN(64, BigInt(a) + BigInt(b)));
}

/** a - b modulo 2^64. */
function u64Sub(a: U64, b: U64): U64 {
  if (typeof a === 'number' && typeof b === 'number' && a >= b) return a - b;
  return u64(BigInt.asUintN(64, BigInt(a) - BigInt(b)));
}

export function compareIds(a: StreamId, b: StreamId): number {
  if (a.ms !== b.ms) return a.ms < b.ms ? -1 : 1;
  if (a.seq !== b.seq) return a.seq < b.seq ? -1 : 1;
  return 0;
}

export function isZeroId(id: StreamId): boolean {
  return id.ms === 0 && id.seq === 0;
}

/** The next ID, or null past the last possible one (Redis's streamIncrID failing). */
export function nextId(id: StreamId): StreamId | null {
  if (id.seq !== U64_MAX) return { ms: id.ms, seq: u64Add(id.seq, 1) };
  if (id.ms === U64_MAX) return null;
  return { ms: u64Add(id.ms, 1), seq: 0 };
}

/** The previous ID, or null before 0-0. */
function prevId(id: StreamId): StreamId | null {
  if (id.seq !== 0) return { ms: id.ms, seq: u64Sub(id.seq, 1) };
  if (id.ms === 0) return null;
  return { ms: u64Sub(id.ms, 1), seq: U64_MAX };
}

export function formatId(id: StreamId): string {
  return `${id.ms}-${id.seq}`;
}

/** A map key for an ID that sorts as the ID does (16 bytes, big-endian, as Redis's rax keys). */
export function idKey(id: StreamId): string {
  return u64Bytes(id.ms) + u64Bytes(id.seq);
}

function u64Bytes(n: U64): string {
  let hi: number;
  let lo: number;
  if (typeof n === 'number') {
    hi = Math.floor(n / 4294967296);
    lo = n % 4294967296;
  } else {
    hi = Number(n >> 32n);
    lo = Number(n & 0xffffffffn);
  }
  return String.fromCharCode(hi >>> 24, (hi >>> 16) & 255, (hi >>> 8) & 255, hi & 255,
    lo >>> 24, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255);
}

const SPACE = /^[ \t\n\v\f\r]*/;
const UNSIGNED = /^[+-]?[0-9]+$/;

/**
 * Redis's string2ull: string2ll's strict form (a negative refused), else
 * strtoull's lenient one: leading blanks, a sign ('-' wraps around), leading
 * zeros, within 64 bits. Null when Redis refuses it.
 */
function parseU64(s: string): U64 | null {
  const small = smallInt(s);
  if (small === small) return small < 0 ? null : small;
  const strict = toInt64(s);
  if (strict !== null) return strict < 0n ? null : u64(strict);
  const body = s.slice(SPACE.exec(s)![0].length);
  if (!UNSIGNED.test(body)) return null;
  const neg = body.charCodeAt(0) === 45;
  const n = BigInt(body.charCodeAt(0) === 43 || neg ? body.slice(1) : body);
  if (n > U64_MAX) return null;
  return u64(neg ? BigInt.asUintN(64, -n) : n);
}

/** How a parsed ID gave its sequence: explicitly, missing (`ms` alone), or `ms-*`. */
export type SeqForm = 'given' | 'missing' | 'auto';

export interface ParsedId {
  id: StreamId;
  form: SeqForm;
}

/**
 * Redis's streamGenericParseIDOrReply: `-` and `+` (refused when `strict`),
 * `ms`, `ms-seq`, and `ms-*` when `allowAuto`. A missing sequence becomes
 * `missingSeq`. Null when invalid; the caller throws INVALID_ID.
 */
export function parseIdForm(s: string, missingSeq: U64, strict: boolean, allowAuto = false): ParsedId | null {
  if (s.length > 127) return null;
  // Redis reads the argument as a C string: a NUL ends it.
  const nul = s.indexOf('\0');
  if (nul !== -1) s = s.slice(0, nul);
  if (s === '-' || s === '+') {
    if (strict) return null;
    return { id: s === '-' ? MIN_ID : MAX_ID, form: 'given' };
  }
  const dash = s.indexOf('-');
  const ms = parseU64(dash === -1 ? s : s.slice(0, dash));
  if (ms === null) return null;
  if (dash === -1) return { id: { ms, seq: missingSeq }, form: 'missing' };
  const rest = s.slice(dash + 1);
  if (allowAuto && rest === '*') return { id: { ms, seq: 0 }, form: 'auto' };
  const seq = parseU64(rest);
  if (seq === null) return null;
  return { id: { ms, seq }, form: 'given' };
}

/**
 * The common spelling of an ID, `ms-seq` or `ms` in plain decimals of at
 * most 15 digits without leading zeros, read in one pass; null for any
 * other, which parseIdForm then reads (or refuses). XACK's IDs went
 * through slices and a wrapper object each.
 */
function plainId(s: string, missingSeq: U64): StreamId | null {
  const n = s.length;
  let ms = 0;
  let i = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) break;
    ms = ms * 10 + d;
  }
  if (i === 0 || i > 15 || (i > 1 && s.charCodeAt(0) === 48)) return null;
  if (i === n) return { ms, seq: missingSeq };
  if (s.charCodeAt(i) !== 45) return null;
  const start = ++i;
  let seq = 0;
  for (; i < n; i++) {
    const d = s.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    seq = seq * 10 + d;
  }
  const digits = n - start;
  if (digits === 0 || digits > 15 || (digits > 1 && s.charCodeAt(start) === 48)) return null;
  return { ms, seq };
}

/** An ID argument, `-` and `+` allowed; the missing sequence is `missingSeq`. */
export function idArg(s: string, missingSeq: U64 = 0): StreamId {
  const plain = plainId(s, missingSeq);
  if (plain !== null) return plain;
  const p = parseIdForm(s, missingSeq, false);
  if (p === null) throw new CommandError(INVALID_ID);
  return p.id;
}

/** An ID argument where `-` and `+` are refused (Redis's streamParseStrictIDOrReply). */
export function strictIdArg(s: string, missingSeq: U64 = 0): StreamId {
  const plain = plainId(s, missingSeq);
  if (plain !== null) return plain;
  const p = parseIdForm(s, missingSeq, true);
  if (p === null) throw new CommandError(INVALID_ID);
  return p.id;
}

/**
 * A range bound: `(` before an ID (longer than the paren alone) makes it
 * exclusive, and then `-`/`+` are refused (streamParseIntervalIDOrReply).
 * Returns the ID and whether it was exclusive.
 */
function intervalIdArg(s: string, missingSeq: U64): { id: StreamId; exclusive: boolean } {
  if (s.length > 1 && s.charCodeAt(0) === 40) return { id: strictIdArg(s.slice(1), missingSeq), exclusive: true };
  return { id: idArg(s, missingSeq), exclusive: false };
}

/** A range's start: inclusive, with `(` moving past the given ID. */
export function rangeStart(s: string): StreamId {
  const { id, exclusive } = intervalIdArg(s, 0);
  if (!exclusive) return id;
  const next = nextId(id);
  if (next === null) throw new CommandError('ERR invalid start ID for the interval');
  return next;
}

/** A range's end: inclusive, with `(` moving before the given ID. */
export function rangeEnd(s: string): StreamId {
  const { id, exclusive } = intervalIdArg(s, U64_MAX);
  if (!exclusive) return id;
  const prev = prevId(id);
  if (prev === null) throw new CommandError('ERR invalid end ID for the interval');
  return prev;
}

/** Counters that Redis keeps as 64-bit integers (entries added, entries read, delivery counts): exact a + b. */
export function add64(a: U64, b: U64): U64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const s = a + b;
    if (Number.isSafeInteger(s)) return s;
  }
  return norm64(BigInt(a) + BigInt(b));
}

export function sub64(a: U64, b: U64): U64 {
  if (typeof a === 'number' && typeof b === 'number') {
    const s = a - b;
    if (Number.isSafeInteger(s)) return s;
  }
  return norm64(BigInt(a) - BigInt(b));
}

/** A signed 64-bit counter in normal form (wrapping as C's long long arithmetic does in practice). */
export function norm64(n: bigint): U64 {
  n = BigInt.asIntN(64, n);
  return n >= BigInt(Number.MIN_SAFE_INTEGER) && n <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(n) : n;
}
