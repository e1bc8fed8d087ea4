import { lt } from '../ops-compare.js';
import type { LuaState } from '../state.js';
import { LuaTable } from '../table.js';
import { first, NONE, truthy, typeName, type LuaFunction, type LuaResult, type LuaValue } from '../value.js';
import { asString, checkInt, checkTable, optInt, optString, typeErrorArg } from './args.js';

/**
 * Lua 5.1's table library (ltablib.c): raw reads and writes, lengths by
 * the border `#` finds, and sort as Lua's own quicksort, so that the calls
 * to a comparator, the order of equal elements and "invalid order function
 * for sorting" come out as in Redis.
 */

/** The table's readonly check for the library's raw writes (lua_rawseti raises from C: no position). */
function rawSetInt(t: LuaTable, i: number, v: LuaValue): void {
  t.set(i, v);
}

function sortRange(S: LuaState, a: LuaValue[], l: number, u: number, less: (x: LuaValue, y: LuaValue) => boolean): void {
  const swap = (i: number, j: number) => {
    const tmp = a[i];
    a[i] = a[j];
    a[j] = tmp;
  };
  while (l < u) {
    if (less(a[u], a[l])) swap(l, u);
    if (u - l === 1) break;
    let i = Math.floor((l + u) / 2);
    if (less(a[i], a[l])) swap(i, l);
    else if (less(a[u], a[i])) swap(i, u);
    if (u - l === 2) break;
    const pivot = a[i];
    swap(i, u - 1);
    i = l;
    let j = u - 1;
    for (;;) {
      while (less(a[++i], pivot)) {
        if (i > u) throw S.error('invalid order function for sorting');
      }
      while (less(pivot, a[--j])) {
        if (j < l) throw S.error('invalid order function for sorting');
      }
      if (j < i) break;
      swap(i, j);
    }
    swap(u - 1, i);
    if (i - l < u - i) {
      j = l;
      i = i - 1;
      l = i + 2;
    } else {
      j = i + 1;
      i = u;
      u = j - 2;
    }
    sortRange(S, a, j, i, less);
  }
}

export function openTable(S: LuaState): Record<string, LuaValue> {
  return {
    insert(t: LuaValue, a: LuaValue, b: LuaValue): LuaResult {
      const argc = arguments.length;
      const table = checkTable(S, t, 1, argc);
      let e = table.length() + 1;
      let pos: number;
      if (argc === 2) {
        pos = e;
        b = a;
      } else if (argc === 3) {
        pos = checkInt(S, a, 2, argc);
        if (pos > e) e = pos;
        for (let i = e; i > pos; i--) rawSetInt(table, i, table.getInt(i - 1));
      } else {
        throw S.error("wrong number of arguments to 'insert'");
      }
      rawSetInt(table, pos, b);
      return NONE;
    },

    remove(t: LuaValue, p: LuaValue): LuaResult {
      const argc = arguments.length;
      const table = checkTable(S, t, 1, argc);
      const e = table.length();
      let pos = optInt(S, p, 2, argc, e);
      if (!(1 <= pos && pos <= e)) return NONE;
      const removed = table.getInt(pos);
      for (; pos < e; pos++) rawSetInt(table, pos, table.getInt(pos + 1));
      rawSetInt(table, e, undefined);
      return removed;
    },

    concat(t: LuaValue, sep: LuaValue, i: LuaValue, j: LuaValue): LuaResult {
      const argc = arguments.length;
      const separator = optString(S, sep, 2, argc, '');
      const table = checkTable(S, t, 1, argc);
      let k = optInt(S, i, 3, argc, 1);
      const last = j === undefined ? table.length() : checkInt(S, j, 4, argc);
      const parts: string[] = [];
      for (; k <= last; k++) {
        const v = table.getInt(k);
        const s = asString(v);
        if (s === undefined) throw S.error(`invalid value (${typeName(v)}) at index ${k} in table for 'concat'`);
        parts.push(s);
      }
      return parts.join(separator);
    },

    sort(t: LuaValue, comp: LuaValue): LuaResult {
      const argc = arguments.length;
      const table = checkTable(S, t, 1, argc);
      const n = table.length();
      if (comp !== undefined && typeof comp !== 'function') throw typeErrorArg(S, 2, 'function', comp, argc);
      const less =
        comp === undefined
          ? (x: LuaValue, y: LuaValue) => lt(S, x, y, null)
          : (x: LuaValue, y: LuaValue) => truthy(first(S.callFromC(comp as LuaFunction, [x, y])));
      // Sorted in a copy (with t[0] and t[n+1], which Lua's partition may read past the ends), written back even on error, as Lua sorts in place.
      const a: LuaValue[] = new Array(n + 2);
      for (let k = 0; k <= n + 1; k++) a[k] = table.getInt(k);
      try {
        sortRange(S, a, 1, n, less);
      } finally {
        for (let k = 1; k <= n; k++) if (table.getInt(k) !== a[k]) rawSetInt(table, k, a[k]);
      }
      return NONE;
    },

    maxn(t: LuaValue): LuaResult {
      const table = checkTable(S, t, 1, arguments.length);
      let max = 0;
      for (let e = table.next(undefined); e !== null; e = table.next(e[0])) {
        if (typeof e[0] === 'number' && e[0] > max) max = e[0];
      }
      return max;
    },

    getn(t: LuaValue): LuaResult {
      return checkTable(S, t, 1, arguments.length).length();
    },

    setn(t: LuaValue): LuaResult {
      checkTable(S, t, 1, arguments.length);
      throw S.error("'setn' is obsolete");
    },

    foreachi(t: LuaValue, f: LuaValue): LuaResult {
      const argc = arguments.length;
      const table = checkTable(S, t, 1, argc);
      const n = table.length();
      if (typeof f !== 'function') throw typeErrorArg(S, 2, 'function', f, argc);
      for (let i = 1; i <= n; i++) {
        const r = first(S.callFromC(f, [i, table.getInt(i)]));
        if (r !== undefined) return r;
      }
      return NONE;
    },

    foreach(t: LuaValue, f: LuaValue): LuaResult {
      const argc = arguments.length;
      const table = checkTable(S, t, 1, argc);
      if (typeof f !== 'function') throw typeErrorArg(S, 2, 'function', f, argc);
      for (let e = table.next(undefined); e !== null; e = table.next(e[0])) {
        const r = first(S.callFromC(f, [e[0], e[1]]));
        if (r !== undefined) return r;
      }
      return NONE;
    },
  };
}
