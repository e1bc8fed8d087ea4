import { metamethod } from '../metatables.js';
import { numberToString } from '../number-format.js';
import type { LuaState } from '../state.js';
import { LuaTable } from '../table.js';
import { objectSerial } from '../table-hash.js';
import { first, LuaUserdata, typeName, type LuaValue } from '../value.js';

/** A stand-in for the "%p" address Lua prints for tables and functions: stable per object, never reused. */
function address(v: object): string {
  const serial = v instanceof LuaTable ? v.serial : objectSerial(v);
  return '0x' + (0x55d4a8000000 + serial * 4).toString(16);
}

/** tostring() without metamethods. */
export function rawToString(v: LuaValue): string {
  switch (typeof v) {
    case 'undefined':
      return 'nil';
    case 'boolean':
      return v ? 'true' : 'false';
    case 'number':
      return numberToString(v);
    case 'string':
      return v;
    default:
      if (v instanceof LuaUserdata && v.isNull) return 'userdata: (nil)';
      return `${typeName(v)}: ${address(v)}`;
  }
}

/** luaB_tostring: __tostring if the value has one (its result as it is), else rawToString. */
export function toStringMeta(S: LuaState, v: LuaValue): LuaValue {
  const tm = metamethod(S, v, '__tostring');
  if (tm !== undefined) {
    if (typeof tm !== 'function') throw S.error(`attempt to call a ${typeName(tm)} value`);
    return first(S.callFromC(tm, [v]));
  }
  return rawToString(v);
}
