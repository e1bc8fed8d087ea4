import { typeError } from './describe.js';
import { metamethod } from './metatables.js';
import { numberToString } from './number-format.js';
import { callMeta } from './ops-call.js';
import type { Site } from './site.js';
import type { LuaState } from './state.js';
import { LuaTable } from './table.js';
import { first, type LuaValue } from './value.js';

/**
 * a .. b: strings and numbers (numbers as "%.14g"), else __concat of either
 * operand, else "attempt to concatenate ..." naming the first operand that
 * is neither a string nor a number. Compiled code nests a chain of `..`
 * to the right, which is the order Lua 5.1 concatenates in.
 */
export function concat(S: LuaState, a: LuaValue, b: LuaValue, site: Site | null): LuaValue {
  if (typeof a === 'string' && typeof b === 'string') return a + b;
  return concatSlow(S, a, b, site);
}

function concatSlow(S: LuaState, a: LuaValue, b: LuaValue, site: Site | null): LuaValue {
  const sa = typeof a === 'number' ? numberToString(a) : a;
  const sb = typeof b === 'number' ? numberToString(b) : b;
  if (typeof sa === 'string' && typeof sb === 'string') return sa + sb;
  let tm = metamethod(S, a, '__concat');
  if (tm === undefined) tm = metamethod(S, b, '__concat');
  if (typeof tm === 'function') return first(callMeta(S, site, tm, a, b));
  if (typeof sa === 'string') throw S.errorAt(site, typeError('concatenate', b, site?.d2));
  throw S.errorAt(site, typeError('concatenate', a, site?.d1));
}

/** #v: a string's length, a table's border (5.1 ignores __len for tables), else __len or an error. */
export function len(S: LuaState, v: LuaValue, site: Site | null): LuaValue {
  if (typeof v === 'string') return v.length;
  if (v instanceof LuaTable) return v.length();
  const tm = metamethod(S, v, '__len');
  if (typeof tm === 'function') return first(callMeta(S, site, tm, v, undefined));
  throw S.errorAt(site, typeError('get length of', v, site?.d1));
}
