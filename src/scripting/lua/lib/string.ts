import { index } from '../ops-index.js';
import type { LuaState } from '../state.js';
import { LuaTable } from '../table.js';
import { first, isLuaFunction, NONE, typeName, type LuaFunction, type LuaResult, type LuaValue } from '../value.js';
import {
  argError,
  asString,
  checkInt,
  checkInteger,
  checkString,
  optInteger,
  typeErrorArg,
} from './args.js';
import { MatchState, SPECIALS } from './lua-pattern.js';
import { stringFormat } from './string-format.js';

/**
 * The string library of Lua 5.1 (lstrlib.c) on byte strings. Case mapping
 * is ASCII only, as in the C locale Redis runs Lua in. Strings in this
 * engine can be as long as V8 allows; string.rep checks the size first so
 * that a huge repetition fails as "not enough memory" rather than slowly.
 */

/** Lua's posrelat: a negative position counts from the end; the result is at least 0. */
function posrelat(pos: number, len: number): number {
  if (pos < 0) pos += len + 1;
  return pos >= 0 ? pos : 0;
}

const MAX_STRING = 0x1fffffe8;

/**
 * What string.dump returns for a Lua function: the header of a Lua 5.1
 * binary chunk as Redis's Lua writes it (signature, version 0x51, format
 * 0, little-endian, 4-byte int, 8-byte size_t, 4-byte instruction, 8-byte
 * number, not integral), without the function's bytecode, which Sluice
 * does not compile to. Nothing can run the result either way: Redis's
 * loadstring and load refuse binary chunks (they parse them as source,
 * a syntax error), and so do Sluice's.
 */
const BINARY_CHUNK_HEADER = '\x1bLuaQ\x00\x01\x04\x08\x04\x08\x00';

export function openString(S: LuaState): Record<string, LuaValue> {
  function findAux(find: boolean, args: IArguments): LuaResult {
    const argc = args.length;
    const s = checkString(S, args[0], 1, argc);
    const p = checkString(S, args[1], 2, argc);
    let init = posrelat(optInteger(S, args[2], 3, argc, 1), s.length) - 1;
    if (init < 0) init = 0;
    else if (init > s.length) init = s.length;
    const plain = args[3] !== undefined && args[3] !== false;
    if (find && (plain || !SPECIALS.test(p.split('\0')[0]))) {
      const at = s.indexOf(p, init);
      return at < 0 ? undefined : [at + 1, at + p.length];
    }
    const ms = new MatchState(S, s, p);
    const anchor = ms.p.charCodeAt(0) === 94;
    const pstart = anchor ? 1 : 0;
    let s1 = init;
    do {
      ms.level = 0;
      const e = ms.match(s1, pstart);
      if (e >= 0) {
        if (find) return [s1 + 1, e, ...ms.captures(-1, 0, false)];
        return ms.captures(s1, e, true);
      }
    } while (s1++ < s.length && !anchor);
    return undefined;
  }

  function gmatch(s: LuaValue, p: LuaValue): LuaResult {
    const argc = arguments.length;
    const src = checkString(S, s, 1, argc);
    const pat = checkString(S, p, 2, argc);
    let start = 0;
    const iterator: LuaFunction = () => {
      const ms = new MatchState(S, src, pat);
      for (let at = start; at <= src.length; at++) {
        ms.level = 0;
        const e = ms.match(at, 0);
        if (e >= 0) {
          start = e === at ? e + 1 : e;
          return ms.captures(at, e, true);
        }
      }
      return NONE;
    };
    return iterator;
  }

  /** gsub's replacement of one match: the pattern's string with %0-%9, a function's or a table's value. */
  function replacement(ms: MatchState, repl: LuaValue, s: number, e: number): string {
    const text = asString(repl);
    if (text !== undefined) {
      let out = '';
      for (let i = 0; i < text.length; i++) {
        const c = text[i];
        if (c !== '%') {
          out += c;
          continue;
        }
        i++;
        const d = text.charCodeAt(i);
        // A '%' at the end adds the NUL that ends the C string.
        if (!(d >= 48 && d <= 57)) out += text[i] ?? '\0';
        else if (d === 48) out += ms.src.slice(s, e);
        else out += asString(ms.capture(d - 49, s, e)) ?? '';
      }
      return out;
    }
    let value: LuaValue;
    if (repl instanceof LuaTable) {
      value = index(S, repl, ms.capture(0, s, e), null);
    } else {
      value = first(S.callFromC(repl as LuaFunction, ms.captures(s, e, true)));
    }
    if (value === undefined || value === false) return ms.src.slice(s, e);
    const str = asString(value);
    if (str === undefined) throw S.error(`invalid replacement value (a ${typeName(value)})`);
    return str;
  }

  function gsub(src: LuaValue, pat: LuaValue, repl: LuaValue, max: LuaValue): LuaResult {
    const argc = arguments.length;
    const s = checkString(S, src, 1, argc);
    const p = checkString(S, pat, 2, argc);
    const maxS = max === undefined ? s.length + 1 : checkInt(S, max, 4, argc);
    const tr = typeof repl;
    if (!(tr === 'number' || tr === 'string' || tr === 'function' || repl instanceof LuaTable)) {
      throw argError(S, 3, 'string/function/table expected');
    }
    const ms = new MatchState(S, s, p);
    const anchor = ms.p.charCodeAt(0) === 94;
    const pstart = anchor ? 1 : 0;
    let at = 0;
    let n = 0;
    let out = '';
    while (n < maxS) {
      ms.level = 0;
      const e = ms.match(at, pstart);
      if (e >= 0) {
        n++;
        out += replacement(ms, repl, at, e);
      }
      if (e >= 0 && e > at) at = e;
      else if (at < s.length) out += s[at++];
      else break;
      if (anchor) break;
    }
    return [out + s.slice(at), n];
  }

  const lib: Record<string, LuaValue> = {
    len(s: LuaValue): LuaResult {
      return checkString(S, s, 1, arguments.length).length;
    },

    sub(s: LuaValue, i: LuaValue, j: LuaValue): LuaResult {
      const argc = arguments.length;
      const str = checkString(S, s, 1, argc);
      const l = str.length;
      let start = posrelat(checkInteger(S, i, 2, argc), l);
      let end = posrelat(optInteger(S, j, 3, argc, -1), l);
      if (start < 1) start = 1;
      if (end > l) end = l;
      return start <= end ? str.slice(start - 1, end) : '';
    },

    reverse(s: LuaValue): LuaResult {
      const str = checkString(S, s, 1, arguments.length);
      let out = '';
      for (let i = str.length - 1; i >= 0; i--) out += str[i];
      return out;
    },

    lower(s: LuaValue): LuaResult {
      return checkString(S, s, 1, arguments.length).replace(/[A-Z]+/g, (m) => m.toLowerCase());
    },

    upper(s: LuaValue): LuaResult {
      return checkString(S, s, 1, arguments.length).replace(/[a-z]+/g, (m) => m.toUpperCase());
    },

    rep(s: LuaValue, n: LuaValue): LuaResult {
      const argc = arguments.length;
      const str = checkString(S, s, 1, argc);
      const count = checkInt(S, n, 2, argc);
      if (count <= 0 || str.length === 0) return '';
      if (str.length * count > MAX_STRING) throw S.error('not enough memory');
      return str.repeat(count);
    },

    byte(s: LuaValue, i: LuaValue, j: LuaValue): LuaResult {
      const argc = arguments.length;
      const str = checkString(S, s, 1, argc);
      const l = str.length;
      let posi = posrelat(optInteger(S, i, 2, argc, 1), l);
      let pose = posrelat(optInteger(S, j, 3, argc, posi), l);
      if (posi <= 0) posi = 1;
      if (pose > l) pose = l;
      if (posi > pose) return NONE;
      const n = pose - posi + 1;
      if (n + argc > 8000) throw S.error('stack overflow (string slice too long)');
      const out: LuaValue[] = new Array(n);
      for (let k = 0; k < n; k++) out[k] = str.charCodeAt(posi - 1 + k);
      return n === 1 ? out[0] : out;
    },

    char(...codes: LuaValue[]): LuaResult {
      let out = '';
      for (let k = 0; k < codes.length; k++) {
        const c = checkInt(S, codes[k], k + 1, codes.length);
        if ((c & 0xff) !== c) throw argError(S, k + 1, 'invalid value');
        out += String.fromCharCode(c);
      }
      return out;
    },

    dump(f: LuaValue): LuaResult {
      if (typeof f !== 'function') throw typeErrorArg(S, 1, 'function', f, arguments.length);
      if (!isLuaFunction(f)) throw S.error('unable to dump given function');
      return BINARY_CHUNK_HEADER;
    },

    find(): LuaResult {
      // eslint-disable-next-line prefer-rest-params
      return findAux(true, arguments);
    },

    match(): LuaResult {
      // eslint-disable-next-line prefer-rest-params
      return findAux(false, arguments);
    },

    gmatch,
    gfind: gmatch,
    gsub,

    format(...args: LuaValue[]): LuaResult {
      return stringFormat(S, args);
    },
  };
  return lib;
}
