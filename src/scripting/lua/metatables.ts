import type { LuaState } from './state.js';
import { LuaTable } from './table.js';
import { LuaUserdata, type LuaValue } from './value.js';

/** A value's metatable: a table's own, the one all strings share, none for other types. */
export function metatableOf(S: LuaState, v: LuaValue): LuaTable | null {
  if (v instanceof LuaTable) return v.metatable;
  if (typeof v === 'string') return S.stringMeta;
  if (v instanceof LuaUserdata) return v.metatable;
  return null;
}

/** The metamethod `event` ("__index", "__add"...) of a value, or undefined. */
export function metamethod(S: LuaState, v: LuaValue, event: string): LuaValue {
  const mt = metatableOf(S, v);
  return mt === null ? undefined : mt.getStr(event);
}
