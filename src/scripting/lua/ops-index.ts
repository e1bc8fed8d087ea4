import { typeError } from './describe.js';
import { metamethod } from './metatables.js';
import { callMeta, callMeta3 } from './ops-call.js';
import type { Site } from './site.js';
import type { LuaState } from './state.js';
import { LuaTable } from './table.js';
import { first, type LuaValue } from './value.js';

/** Lua's MAXTAGLOOP: how many __index/__newindex tables a lookup follows. */
const MAXTAGLOOP = 100;

/**
 * t[k] as Lua code evaluates it (luaV_gettable). site.d1 names `o` for the
 * error; a null site is a library function indexing (no position, no name).
 */
export function index(S: LuaState, o: LuaValue, k: LuaValue, site: Site | null): LuaValue {
  if (o instanceof LuaTable) {
    const v = o.get(k);
    if (v !== undefined || o.metatable === null) return v;
  }
  return indexMeta(S, o, k, site);
}

/** index() for a constant string key (t.name, globals), through the site's inline cache. */
export function indexStr(S: LuaState, o: LuaValue, k: string, site: Site): LuaValue {
  if (o instanceof LuaTable) {
    const nk = o.nk;
    if (nk !== null) {
      let slot = site.ic;
      if (nk[slot] !== k) {
        slot = o.slotOf(k);
        if (slot >= 0) site.ic = slot;
      }
      const v = slot >= 0 ? o.nv[slot] : undefined;
      if (v !== undefined || o.metatable === null) return v;
    } else if (o.metatable === null) {
      return undefined;
    }
  }
  return indexMeta(S, o, k, site);
}

function indexMeta(S: LuaState, o: LuaValue, k: LuaValue, site: Site | null): LuaValue {
  for (let loop = 0; loop < MAXTAGLOOP; loop++) {
    let tm: LuaValue;
    if (o instanceof LuaTable) {
      const v = o.get(k);
      if (v !== undefined || o.metatable === null) return v;
      tm = o.metatable.getStr('__index');
      if (tm === undefined) return undefined;
    } else {
      tm = metamethod(S, o, '__index');
      if (tm === undefined) throw S.errorAt(site, typeError('index', o, loop === 0 ? site?.d1 : undefined));
    }
    if (typeof tm === 'function') return first(callMeta(S, site, tm, o, k));
    o = tm;
  }
  throw S.errorAt(site, 'loop in gettable');
}

/** setIndex() for a constant string key (t.name = v, globals), through the site's inline cache. */
export function setIndexStr(S: LuaState, o: LuaValue, k: string, v: LuaValue, site: Site): void {
  if (o instanceof LuaTable && o.metatable === null && !o.readonly) {
    const nk = o.nk;
    if (nk !== null) {
      const slot = site.ic;
      if (nk[slot] === k) {
        o.nv[slot] = v;
        return;
      }
    }
    o.rawSet(k, v);
    const slot = o.nk === null ? -1 : o.slotOf(k);
    if (slot >= 0) site.ic = slot;
    return;
  }
  setIndexMeta(S, o, k, v, site);
}

/** t[k] = v as Lua code assigns it (luaV_settable, with Redis's readonly tables). */
export function setIndex(S: LuaState, o: LuaValue, k: LuaValue, v: LuaValue, site: Site | null): void {
  if (o instanceof LuaTable && o.metatable === null && !o.readonly && k !== undefined && k === k) {
    o.rawSet(k, v);
    return;
  }
  setIndexMeta(S, o, k, v, site);
}

function setIndexMeta(S: LuaState, o: LuaValue, k: LuaValue, v: LuaValue, site: Site | null): void {
  for (let loop = 0; loop < MAXTAGLOOP; loop++) {
    let tm: LuaValue;
    if (o instanceof LuaTable) {
      if (o.readonly) throw S.errorAt(site, 'Attempt to modify a readonly table');
      if (k === undefined) throw S.errorAt(site, 'table index is nil');
      if (k !== k) throw S.errorAt(site, 'table index is NaN');
      const old = o.get(k);
      tm = old === undefined && o.metatable !== null ? o.metatable.getStr('__newindex') : undefined;
      if (tm === undefined) {
        o.rawSet(k, v);
        return;
      }
      // Lua's luaH_set has already made the slot before it looks for __newindex.
      o.rawSet(k, undefined);
    } else {
      tm = metamethod(S, o, '__newindex');
      if (tm === undefined) throw S.errorAt(site, typeError('index', o, loop === 0 ? site?.d1 : undefined));
    }
    if (typeof tm === 'function') {
      callMeta3(S, site, tm, o, k, v);
      return;
    }
    o = tm;
  }
  throw S.errorAt(site, 'loop in settable');
}
