import { index } from '../ops-index.js';
import type { LuaState } from '../state.js';
import { LuaTable } from '../table.js';
import { MAX_PAIRS, placePairs } from '../table-fill.js';
import type { LuaResult, LuaValue } from '../value.js';
import { argError, checkInteger, checkString, optInteger } from './args.js';

/**
 * lua-cmsgpack 0.4.0 as Redis ships it. pack: a number that an int64
 * holds exactly is the smallest integer format, other numbers a float 32
 * when that is exact, else a float 64; a table whose keys are exactly
 * 1..n is an array (so {} is an empty array), anything else a map in
 * traversal order; tables nested 16 deep, functions and userdata are nil.
 * unpack reads what pack writes plus str 8/16/32 and integers of all
 * widths; uint 64 values past 2^63 wrap negative as lua_pushinteger makes
 * them.
 */

/** LUACMSGPACK_MAX_NESTING */
const MAX_NESTING = 16;

const scratch = new DataView(new ArrayBuffer(8));

function bytesOf(n: number, size: number): string {
  let out = '';
  for (let i = size - 1; i >= 0; i--) out += String.fromCharCode(Math.floor(n / 2 ** (8 * i)) & 0xff);
  return out;
}

function encodeInt(n: bigint): string {
  const c = String.fromCharCode;
  if (n >= 0n) {
    if (n <= 127n) return c(Number(n));
    if (n <= 0xffn) return c(0xcc, Number(n));
    if (n <= 0xffffn) return c(0xcd) + bytesOf(Number(n), 2);
    if (n <= 0xffffffffn) return c(0xce) + bytesOf(Number(n), 4);
    return c(0xcf) + bigBytes(n);
  }
  if (n >= -32n) return c(Number(n) & 0xff);
  if (n >= -128n) return c(0xd0, Number(n) & 0xff);
  if (n >= -32768n) return c(0xd1) + bytesOf(Number(n) & 0xffff, 2);
  if (n >= -2147483648n) return c(0xd2) + bytesOf(Number(n) >>> 0, 4);
  return c(0xd3) + bigBytes(n);
}

function bigBytes(n: bigint): string {
  scratch.setBigUint64(0, BigInt.asUintN(64, n));
  let out = '';
  for (let i = 0; i < 8; i++) out += String.fromCharCode(scratch.getUint8(i));
  return out;
}

function encodeNumber(d: number): string {
  // IS_INT64_EQUIVALENT: finite and unchanged by the cast to int64 (x86 makes out-of-range casts INT64_MIN).
  if (d === d && d !== Infinity && d !== -Infinity && Math.trunc(d) === d && d >= -9223372036854775808 && d < 9223372036854775808) {
    return encodeInt(BigInt(d));
  }
  let out: string;
  if (Math.fround(d) === d) {
    scratch.setFloat32(0, d);
    out = String.fromCharCode(0xca);
    for (let i = 0; i < 4; i++) out += String.fromCharCode(scratch.getUint8(i));
  } else {
    scratch.setFloat64(0, d);
    out = String.fromCharCode(0xcb);
    for (let i = 0; i < 8; i++) out += String.fromCharCode(scratch.getUint8(i));
  }
  return out;
}

function encodeString(s: string): string {
  const len = s.length;
  const c = String.fromCharCode;
  if (len < 32) return c(0xa0 | len) + s;
  if (len <= 0xff) return c(0xd9, len) + s;
  if (len <= 0xffff) return c(0xda) + bytesOf(len, 2) + s;
  return c(0xdb) + bytesOf(len, 4) + s;
}

function header(n: number, fix: number, b16: number, b32: number): string {
  const c = String.fromCharCode;
  if (n <= 15) return c(fix | n);
  if (n <= 65535) return c(b16) + bytesOf(n, 2);
  return c(b32) + bytesOf(n, 4);
}

/** table_is_an_array: every key an integer (int-sized) >= 1 and as many keys as the largest. */
function isArray(t: LuaTable): boolean {
  let count = 0;
  let max = 0;
  for (let e = t.next(undefined); e !== null; e = t.next(e[0])) {
    const k = e[0];
    if (typeof k !== 'number' || k <= 0 || (k | 0) !== k) return false;
    if (k > max) max = k;
    count++;
  }
  return max === count;
}

function encode(S: LuaState, v: LuaValue, level: number): string {
  switch (typeof v) {
    case 'string':
      return encodeString(v);
    case 'boolean':
      return String.fromCharCode(v ? 0xc3 : 0xc2);
    case 'number':
      return encodeNumber(v);
    default:
      break;
  }
  if (!(v instanceof LuaTable) || level === MAX_NESTING) return '\xc0';
  if (isArray(v)) {
    const len = v.length();
    let out = header(len, 0x90, 0xdc, 0xdd);
    // Elements are read with lua_gettable: __index applies.
    for (let j = 1; j <= len; j++) out += encode(S, index(S, v, j, null), level + 1);
    return out;
  }
  let count = 0;
  for (let e = v.next(undefined); e !== null; e = v.next(e[0])) count++;
  let out = header(count, 0x80, 0xde, 0xdf);
  for (let e = v.next(undefined); e !== null; e = v.next(e[0])) {
    out += encode(S, e[0], level + 1) + encode(S, e[1], level + 1);
  }
  return out;
}

class Truncated {}
class BadFormat {}

class Cursor {
  constructor(
    private readonly s: string,
    public p: number,
  ) {}

  get left(): number {
    return this.s.length - this.p;
  }

  need(n: number): void {
    if (this.left < n) throw new Truncated();
  }

  byte(i: number): number {
    return this.s.charCodeAt(this.p + i);
  }

  /** Big-endian unsigned integer of `n` bytes at offset `at`. */
  uint(at: number, n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = v * 256 + this.byte(at + i);
    return v;
  }

  /** Steps over a value of `n` bytes read at p, and gives it back. */
  past(n: number, v: LuaValue): LuaValue {
    this.p += n;
    return v;
  }

  take(n: number): string {
    const out = this.s.slice(this.p, this.p + n);
    this.p += n;
    return out;
  }

  decode(S: LuaState): LuaValue {
    this.need(1);
    const b = this.byte(0);
    // Fixed-size values: checked, read at p, then stepped over by `past` (no closure per value).
    switch (b) {
      case 0xcc:
        this.need(2);
        return this.past(2, this.byte(1));
      case 0xd0:
        this.need(2);
        return this.past(2, (this.byte(1) << 24) >> 24);
      case 0xcd:
        this.need(3);
        return this.past(3, this.uint(1, 2));
      case 0xd1:
        this.need(3);
        return this.past(3, (this.uint(1, 2) << 16) >> 16);
      case 0xce:
        this.need(5);
        return this.past(5, this.uint(1, 4));
      case 0xd2:
        this.need(5);
        return this.past(5, this.uint(1, 4) | 0);
      case 0xcf:
      case 0xd3: {
        // lua_pushinteger of a uint64: values past INT64_MAX come out negative.
        this.need(9);
        // The high half read signed (as int64) times 2^32 is exact as a double; adding the low half rounds once, to
        // the double nearest the int64, as the C cast does: no BigInt needed.
        return this.past(9, (this.uint(1, 4) | 0) * 4294967296 + this.uint(5, 4));
      }
      case 0xc0:
        this.p++;
        return undefined;
      case 0xc3:
        this.p++;
        return true;
      case 0xc2:
        this.p++;
        return false;
      case 0xca:
        this.need(5);
        for (let i = 0; i < 4; i++) scratch.setUint8(i, this.byte(1 + i));
        return this.past(5, scratch.getFloat32(0));
      case 0xcb:
        this.need(9);
        for (let i = 0; i < 8; i++) scratch.setUint8(i, this.byte(1 + i));
        return this.past(9, scratch.getFloat64(0));
      case 0xd9: {
        this.need(2);
        const l = this.byte(1);
        this.need(2 + l);
        this.p += 2;
        return this.take(l);
      }
      case 0xda: {
        this.need(3);
        const l = this.uint(1, 2);
        this.need(3 + l);
        this.p += 3;
        return this.take(l);
      }
      case 0xdb: {
        this.need(5);
        const l = this.uint(1, 4);
        this.p += 5;
        this.need(l);
        return this.take(l);
      }
      case 0xdc:
        this.need(3);
        return this.array(S, this.uint(1, 2), 3);
      case 0xdd:
        this.need(5);
        return this.array(S, this.uint(1, 4), 5);
      case 0xde:
        this.need(3);
        return this.map(S, this.uint(1, 2), 3);
      case 0xdf:
        this.need(5);
        return this.map(S, this.uint(1, 4), 5);
    }
    if ((b & 0x80) === 0) {
      this.p++;
      return b;
    }
    if ((b & 0xe0) === 0xe0) {
      this.p++;
      return b - 256;
    }
    if ((b & 0xe0) === 0xa0) {
      const l = b & 0x1f;
      this.need(1 + l);
      this.p++;
      return this.take(l);
    }
    if ((b & 0xf0) === 0x90) return this.array(S, b & 0xf, 1);
    if ((b & 0xf0) === 0x80) return this.map(S, b & 0xf, 1);
    throw new BadFormat();
  }

  private array(S: LuaState, len: number, headerSize: number): LuaTable {
    this.p += headerSize;
    const t = new LuaTable();
    for (let i = 1; i <= len; i++) t.rawSet(i, this.decode(S));
    return t;
  }

  private map(S: LuaState, len: number, headerSize: number): LuaTable {
    this.p += headerSize;
    const t = new LuaTable();
    // String keys with values are gathered, up to MAX_PAIRS, and placed at once (table-fill.ts); from any other pair
    // on, each is set as it decodes, so that a nil or NaN key fails before the rest is read, as lua_settable fails.
    const keys: LuaValue[] = [];
    const values: LuaValue[] = [];
    for (let i = 0; i < len; i++) {
      const k = this.decode(S);
      const v = this.decode(S);
      if (typeof k === 'string' && v !== undefined && keys.length < MAX_PAIRS) {
        keys.push(k);
        values.push(v);
        continue;
      }
      placePairs(t, keys, values);
      t.rawSet(k, v);
      for (i++; i < len; i++) {
        const key = this.decode(S);
        t.rawSet(key, this.decode(S));
      }
      return t;
    }
    placePairs(t, keys, values);
    return t;
  }
}

/** mp_unpack_full: up to `limit` values from `offset` (both 0: all values, no offset returned). */
function unpackFull(S: LuaState, s: string, limit: number, offset: number): LuaValue[] {
  const decodeAll = limit === 0 && offset === 0;
  if (offset < 0 || limit < 0) {
    throw S.error(`Invalid request to unpack with offset of ${offset} and limit of ${s.length}.`);
  }
  if (offset > s.length) throw S.error(`Start offset ${offset} greater than input length ${s.length}.`);
  const max = decodeAll ? 0x7fffffff : limit;
  const c = new Cursor(s, offset);
  const out: LuaValue[] = [];
  try {
    for (let cnt = 0; c.left > 0 && cnt < max; cnt++) {
      // Lua's C stack holds 8000 values, the argument included.
      if (out.length >= 7999) throw S.error('stack overflow (too many return values at once; use unpack_one or unpack_limit instead.)');
      out.push(c.decode(S));
    }
  } catch (e) {
    if (e instanceof Truncated) throw S.error('Missing bytes in input.');
    if (e instanceof BadFormat) throw S.error('Bad data format in input.');
    throw e;
  }
  if (!decodeAll) out.unshift(c.left === 0 ? -1 : c.p);
  return out;
}

export function openCmsgpack(S: LuaState): Record<string, LuaValue> {
  return {
    _NAME: 'cmsgpack',
    _VERSION: 'lua-cmsgpack 0.4.0',
    _COPYRIGHT: 'Copyright (C) 2012, Salvatore Sanfilippo',
    _DESCRIPTION: 'MessagePack C implementation for Lua',

    pack(...args: LuaValue[]): LuaResult {
      if (args.length === 0) throw argError(S, 0, 'MessagePack pack needs input.');
      let out = '';
      for (const a of args) out += encode(S, a, 0);
      return out;
    },

    unpack(s: LuaValue): LuaResult {
      return unpackFull(S, checkString(S, s, 1, arguments.length), 0, 0);
    },

    unpack_one(s: LuaValue, offset: LuaValue): LuaResult {
      const argc = arguments.length;
      const off = optInteger(S, offset, 2, argc, 0);
      return unpackFull(S, checkString(S, s, 1, argc), 1, off);
    },

    unpack_limit(s: LuaValue, limit: LuaValue, offset: LuaValue): LuaResult {
      const argc = arguments.length;
      const lim = checkInteger(S, limit, 2, argc);
      const off = optInteger(S, offset, 3, argc, 0);
      return unpackFull(S, checkString(S, s, 1, argc), lim, off);
    },
  };
}
