import { typeName, type LuaValue } from './value.js';

/**
 * luaG_typeerror's wording: "attempt to <op> local 'x' (a nil value)" when
 * Lua can name the operand from its bytecode (`desc` is then "local 'x'",
 * "global 'x'", "field 'x'", "upvalue 'x'" or "method 'x'"), else "attempt
 * to <op> a nil value".
 */
export function typeError(op: string, v: LuaValue, desc: string | undefined): string {
  return desc === undefined ? `attempt to ${op} a ${typeName(v)} value` : `attempt to ${op} ${desc} (a ${typeName(v)} value)`;
}

/** luaG_ordererror: "attempt to compare two table values" or "attempt to compare number with nil". */
export function orderError(a: LuaValue, b: LuaValue): string {
  const t1 = typeName(a);
  const t2 = typeName(b);
  // Lua compares the third letters of the type names to tell "two" from "with".
  return t1[2] === t2[2] ? `attempt to compare two ${t1} values` : `attempt to compare ${t1} with ${t2}`;
}
