import type { Site } from './site.js';
import type { LuaState } from './state.js';
import { LuaTable } from './table.js';
import type { LuaValue } from './value.js';

/**
 * Table constructors. NEWTABLE encodes its size hints as Lua's "floating
 * point bytes" (luaO_int2fb), which round sizes of 16 and more up, and the
 * table gets those rounded sizes.
 */
function roundedSize(x: number): number {
  if (x < 8) return x;
  let e = 0;
  while (x >= 16) {
    x = (x + 1) >> 1;
    e++;
  }
  return (8 + (x - 8)) * 2 ** e;
}

export function tnew(narray: number, nhash: number): LuaTable {
  return new LuaTable(roundedSize(narray), roundedSize(nhash));
}

/** {a, b, c} and {a, f()}: positional items only (a fresh array the table adopts), the last values list expanded. */
export function tlist(items: LuaValue[], tail?: LuaValue[]): LuaTable {
  const n = items.length;
  const t = new LuaTable(0, 0);
  const size = roundedSize(n);
  for (let i = n; i < size; i++) items.push(undefined);
  t.arr = items;
  if (tail !== undefined && tail.length > 0) tsetList(t, [], tail, n);
  return t;
}

/**
 * SETLIST: stores items (and a trailing values list) at 1, 2, ... The
 * array part grows to fit the last index only when a values list pushed it
 * past the presized part.
 */
export function tsetList(t: LuaTable, items: LuaValue[], tail: LuaValue[], count = items.length): void {
  const last = count + tail.length;
  if (last > t.arr.length) t.resize(last, t.nodeSize());
  const arr = t.arr;
  for (let i = 0; i < items.length; i++) arr[i] = items[i];
  for (let i = 0; i < tail.length; i++) arr[count + i] = tail[i];
}

/** A keyed field of a constructor: a raw store, with the key errors Lua code raises. */
export function tset(S: LuaState, t: LuaTable, k: LuaValue, v: LuaValue, site: Site): void {
  if (k === undefined) throw S.errorAt(site, 'table index is nil');
  if (k !== k) throw S.errorAt(site, 'table index is NaN');
  t.rawSet(k, v);
}
