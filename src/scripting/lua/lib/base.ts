import { LuaError, LuaSyntaxError } from '../errors.js';
import { metatableOf } from '../metatables.js';
import { numberToString } from '../number-format.js';
import { asLuaError, callableFromHost } from '../protect.js';
import { where } from '../site.js';
import type { LuaState } from '../state.js';
import { stringToNumber, stringToNumberInBase } from '../string-to-number.js';
import { LuaTable } from '../table.js';
import { settle } from '../tail-calls.js';
import { first, LuaUserdata, NONE, results, typeName, type LuaFunction, type LuaResult, type LuaValue } from '../value.js';
import {
  argError,
  asString,
  checkAny,
  checkInt,
  checkString,
  checkTable,
  optInt,
  optString,
  typeErrorArg,
} from './args.js';
import { toStringMeta } from './tostring.js';

/** What the base library needs of the engine: the globals and a way to compile (loadstring, load). */
export interface BaseHost {
  readonly globals: LuaTable;
  /** Compiles a chunk into a function over the globals; throws LuaSyntaxError. */
  load(source: string, chunkName: string): LuaFunction;
}

/** Lua's LUAI_MAXCSTACK: how many values a C function may push, which bounds unpack(). */
const MAXCSTACK = 8000;

/** Runs f protected (pcall's core): its results, or the error, with the state put back as it was. */
function protectedCall(S: LuaState, f: LuaFunction, args: LuaValue[]): { ok: true; r: LuaResult } | { ok: false; e: LuaError } {
  try {
    return { ok: true, r: S.callFromC(f, args) };
  } catch (e) {
    return { ok: false, e: asLuaError(S, e) };
  }
}

export function openBase(S: LuaState, host: BaseHost): Record<string, LuaValue> {
  const G = host.globals;

  function next(t: LuaValue, k: LuaValue): LuaResult {
    const table = checkTable(S, t, 1, arguments.length);
    const r = table.next(k);
    return r === null ? undefined : r;
  }
  const pairsNext: LuaFunction = function (t: LuaValue, k: LuaValue) {
    return next(t, k);
  };
  function ipairsIterator(t: LuaValue, i: LuaValue): LuaResult {
    const argc = arguments.length;
    const n = checkInt(S, i, 2, argc) + 1;
    const v = checkTable(S, t, 1, argc).getInt(n);
    return v === undefined ? NONE : [n, v];
  }
  S.next = next;
  S.pairsNext = pairsNext;
  S.ipairsIterator = ipairsIterator;

  function loadResult(source: string, chunkName: string): LuaResult {
    try {
      return host.load(source, chunkName);
    } catch (e) {
      if (e instanceof LuaSyntaxError) return [undefined, e.message];
      throw e;
    }
  }

  return {
    _G: G,
    _VERSION: 'Lua 5.1',

    assert(...args: LuaValue[]): LuaResult {
      checkAny(S, 1, args.length);
      if (args[0] === undefined || args[0] === false) {
        throw S.error(optString(S, args[1], 2, args.length, 'assertion failed!'));
      }
      return args;
    },

    error(msg: LuaValue, level: LuaValue): LuaResult {
      const lvl = optInt(S, level, 2, arguments.length, 1);
      let value = msg;
      if (lvl > 0 && (typeof msg === 'string' || typeof msg === 'number')) {
        value = where(S.siteAtLevel(lvl)) + (typeof msg === 'number' ? numberToString(msg) : msg);
      }
      throw new LuaError(value, S.site);
    },

    pcall(f: LuaValue, ...args: LuaValue[]): LuaResult {
      // What Redis's Lua does when pcall gets no argument (it calls a stray boolean).
      if (arguments.length === 0) return [false, 'attempt to call a boolean value'];
      const r = protectedCall(S, (...a) => callableFromHost(S, f).apply(undefined, a), args);
      return r.ok ? [true, ...results(r.r)] : [false, r.e.value];
    },

    xpcall(f: LuaValue, handler: LuaValue): LuaResult {
      checkAny(S, 2, arguments.length);
      const r = protectedCall(S, () => callableFromHost(S, f)(), []);
      if (r.ok) return [true, ...results(r.r)];
      if (typeof handler !== 'function') return [false, 'error in error handling'];
      const h = protectedCall(S, handler, [r.e.value]);
      return [false, h.ok ? first(h.r) : 'error in error handling'];
    },

    getmetatable(v: LuaValue): LuaResult {
      checkAny(S, 1, arguments.length);
      const mt = metatableOf(S, v);
      if (mt === null) return undefined;
      const protectedMt = mt.getStr('__metatable');
      return protectedMt !== undefined ? protectedMt : mt;
    },

    setmetatable(t: LuaValue, mt: LuaValue): LuaResult {
      const argc = arguments.length;
      const table = checkTable(S, t, 1, argc);
      if (mt !== undefined && !(mt instanceof LuaTable)) throw argError(S, 2, 'nil or table expected');
      if (table.metatable !== null && table.metatable.getStr('__metatable') !== undefined) {
        throw S.error('cannot change a protected metatable');
      }
      // lua_setmetatable raises this from C: no position.
      if (table.readonly) throw new LuaError('Attempt to modify a readonly table');
      table.metatable = mt === undefined ? null : mt;
      return table;
    },

    next,

    pairs(t: LuaValue): LuaResult {
      return [pairsNext, checkTable(S, t, 1, arguments.length), undefined];
    },

    ipairs(t: LuaValue): LuaResult {
      return [ipairsIterator, checkTable(S, t, 1, arguments.length), 0];
    },

    rawequal(a: LuaValue, b: LuaValue): LuaResult {
      checkAny(S, 1, arguments.length);
      checkAny(S, 2, arguments.length);
      return a === b;
    },

    rawget(t: LuaValue, k: LuaValue): LuaResult {
      const table = checkTable(S, t, 1, arguments.length);
      checkAny(S, 2, arguments.length);
      return table.get(k);
    },

    rawset(t: LuaValue, k: LuaValue, v: LuaValue): LuaResult {
      const argc = arguments.length;
      const table = checkTable(S, t, 1, argc);
      checkAny(S, 2, argc);
      checkAny(S, 3, argc);
      table.set(k, v);
      return table;
    },

    select(n: LuaValue, ...rest: LuaValue[]): LuaResult {
      if (typeof n === 'string' && n.startsWith('#')) return rest.length;
      let i = checkInt(S, n, 1, arguments.length);
      const total = rest.length + 1;
      if (i < 0) i = total + i;
      else if (i > total) i = total;
      if (i < 1) throw argError(S, 1, 'index out of range');
      return rest.slice(i - 1);
    },

    tonumber(v: LuaValue, base: LuaValue): LuaResult {
      const argc = arguments.length;
      const b = optInt(S, base, 2, argc, 10);
      if (b === 10) {
        checkAny(S, 1, argc);
        if (typeof v === 'number') return v;
        return typeof v === 'string' ? stringToNumber(v) : undefined;
      }
      const s = checkString(S, v, 1, argc);
      if (b < 2 || b > 36) throw argError(S, 2, 'base out of range');
      return stringToNumberInBase(s, b);
    },

    tostring(v: LuaValue): LuaResult {
      checkAny(S, 1, arguments.length);
      return toStringMeta(S, v);
    },

    type(v: LuaValue): LuaResult {
      if (arguments.length === 0) throw argError(S, 1, 'value expected');
      return typeName(v);
    },

    unpack(t: LuaValue, i: LuaValue, j: LuaValue): LuaResult {
      const argc = arguments.length;
      const table = checkTable(S, t, 1, argc);
      const from = optInt(S, i, 2, argc, 1);
      const to = j === undefined ? table.length() : checkInt(S, j, 3, argc);
      if (from > to) return NONE;
      const n = to - from + 1;
      if (n <= 0 || n + Math.max(argc, 1) > MAXCSTACK) throw S.error('too many results to unpack');
      const out: LuaValue[] = new Array(n);
      for (let k = 0; k < n; k++) out[k] = table.getInt(from + k);
      return out;
    },

    loadstring(s: LuaValue, name: LuaValue): LuaResult {
      const argc = arguments.length;
      const source = checkString(S, s, 1, argc);
      return loadResult(source, optString(S, name, 2, argc, source));
    },

    load(reader: LuaValue, name: LuaValue): LuaResult {
      const argc = arguments.length;
      const chunkName = optString(S, name, 2, argc, '=(load)');
      if (typeof reader !== 'function') throw typeErrorArg(S, 1, 'function', reader, argc);
      let source = '';
      while (true) {
        const piece = first(settle(S, reader()));
        if (piece === undefined) break;
        const text = asString(piece);
        if (text === undefined) return [undefined, 'reader function must return a string'];
        if (text === '') break;
        source += text;
      }
      return loadResult(source, chunkName);
    },

    getfenv(): LuaResult {
      return G;
    },

    setfenv(): LuaResult {
      throw S.error("'setfenv' cannot change environment of given object");
    },

    collectgarbage(opt: LuaValue): LuaResult {
      const o = optString(S, opt, 1, arguments.length, 'collect');
      switch (o) {
        case 'count':
          return process.memoryUsage().heapUsed / 1024;
        case 'step':
          return true;
        case 'setpause':
        case 'setstepmul':
          return 200;
        case 'stop':
        case 'restart':
        case 'collect':
          return 0;
        default:
          throw argError(S, 1, `invalid option '${o}'`);
      }
    },

    gcinfo(): LuaResult {
      return Math.floor(process.memoryUsage().heapUsed / 1024);
    },

    newproxy(arg: LuaValue): LuaResult {
      const u = new LuaUserdata();
      if (arg === true) u.metatable = new LuaTable();
      else if (arg instanceof LuaUserdata) u.metatable = arg.metatable;
      else if (arg !== undefined && arg !== false) throw argError(S, 1, 'boolean or proxy expected');
      return u;
    },
  };
}
