import { ceilLog2, stringHash } from './table-hash.js';
import { filled, LuaTable, SCAN_LIMIT } from './table.js';
import type { LuaValue } from './value.js';

/**
 * Fills a fresh table with string keys as a run of rawSet calls in that
 * order would (cmsgpack's maps and cjson's objects, which lua_settable
 * one pair at a time into a new table): the same node vector, collision
 * chains and lastfree, so the same `next` order. Each doubling of the node
 * vector along the way is played on scratch slot numbers instead of on
 * the table's four arrays, which are then made once at their final size.
 *
 * Lua 5.1's placement (ltable.c's newkey and getfreepos, as table.ts
 * follows them) for keys whose main position is their hash modulo the
 * size: a key goes to its main position when that slot is free; else,
 * taking the highest free slot below lastfree, either the key there moves
 * to it (when that key is out of its own main position) or the new key
 * goes there, chained after it. When no free slot is left, the vector is
 * rebuilt at the power of two that holds every key and the new one, its
 * old nodes put back from the last slot to the first.
 */

/** Pairs past this many are set one by one: the scratch slots stay small. */
export const MAX_PAIRS = 4096;
const SLOTS = 2 * MAX_PAIRS;

/** Two sets of scratch slots (the pair in each slot, -1 when free; the next slot in its chain, -1 at the end), swapped at each rebuild. */
let pairAt = new Int32Array(SLOTS);
let linkAt = new Int32Array(SLOTS);
let oldPairAt = new Int32Array(SLOTS);
let oldLinkAt = new Int32Array(SLOTS);
let hashes = new Float64Array(MAX_PAIRS);

let size = 0;
let lastfree = 0;
let rebuilds = 0;

/**
 * Sets keys[i] to values[i] (i < n) in `t`, a table nothing has been set
 * in, and answers true; answers false, having set nothing, when a key is
 * not a string, a value is nil, a key comes twice, or there are more than
 * MAX_PAIRS pairs: the caller then sets them one by one.
 */
export function fillStringKeys(t: LuaTable, keys: readonly LuaValue[], values: readonly LuaValue[], n: number): boolean {
  if (n === 0) return true;
  if (n > MAX_PAIRS) return false;
  for (let i = 0; i < n; i++) {
    const k = keys[i];
    if (typeof k !== 'string' || values[i] === undefined) return false;
    hashes[i] = stringHash(k);
  }
  size = 0;
  lastfree = 0;
  rebuilds = 0;
  for (let i = 0; i < n; i++) {
    if (size !== 0 && holds(keys, keys[i] as string, i)) return false;
    while (!place(i)) rebuild(i + 1);
  }
  const nk = filled<LuaValue>(size, undefined);
  const nv = filled<LuaValue>(size, undefined);
  const nn = filled(size, -1);
  const nh = filled(size, 0);
  const index = size > SCAN_LIMIT ? new Map<LuaValue, number>() : null;
  for (let s = 0; s < size; s++) {
    nn[s] = linkAt[s];
    const p = pairAt[s];
    if (p < 0) continue;
    nk[s] = keys[p];
    nv[s] = values[p];
    nh[s] = hashes[p];
    index?.set(keys[p], s);
  }
  t.setNodes(nk, nv, nn, nh, lastfree, index);
  t.shape += rebuilds;
  return true;
}

/**
 * Sets keys[i] to values[i] in a fresh table `t`: placed at once by
 * fillStringKeys when it can, else one by one. Callers gather at most
 * MAX_PAIRS pairs before placing them, and set the rest one by one.
 */
export function placePairs(t: LuaTable, keys: readonly LuaValue[], values: readonly LuaValue[]): void {
  if (!fillStringKeys(t, keys, values, keys.length)) for (let i = 0; i < keys.length; i++) t.rawSet(keys[i], values[i]);
}

/** Whether a key among the first `placed` is `k` (the chain from k's main position, as a lookup walks it). */
function holds(keys: readonly LuaValue[], k: string, placed: number): boolean {
  for (let s = hashes[placed] & (size - 1); s !== -1; s = linkAt[s]) {
    const p = pairAt[s];
    if (p >= 0 && keys[p] === k) return true;
  }
  return false;
}

/** Places pair i as newkey would; false when the vector is full (no size yet, or no free slot left). */
function place(i: number): boolean {
  if (size === 0) return false;
  const mp = hashes[i] & (size - 1);
  if (pairAt[mp] < 0) {
    pairAt[mp] = i;
    return true;
  }
  let free = -1;
  while (lastfree > 0) {
    lastfree--;
    if (pairAt[lastfree] < 0) {
      free = lastfree;
      break;
    }
  }
  if (free < 0) return false;
  let other = hashes[pairAt[mp]] & (size - 1);
  if (other !== mp) {
    // The node at mp is out of its main position: it moves to the free slot and the new key takes mp.
    while (linkAt[other] !== mp) other = linkAt[other];
    linkAt[other] = free;
    pairAt[free] = pairAt[mp];
    linkAt[free] = linkAt[mp];
    linkAt[mp] = -1;
    pairAt[mp] = i;
  } else {
    linkAt[free] = linkAt[mp];
    linkAt[mp] = free;
    pairAt[free] = i;
  }
  return true;
}

/** Lua's rehash for `keys` string keys (the new one counted): a node vector of the next power of two, the old nodes put back from the last. */
function rebuild(keys: number): void {
  const oldSize = size;
  const pairs = oldPairAt;
  oldPairAt = pairAt;
  pairAt = pairs;
  const links = oldLinkAt;
  oldLinkAt = linkAt;
  linkAt = links;
  size = 2 ** ceilLog2(keys);
  for (let s = 0; s < size; s++) {
    pairAt[s] = -1;
    linkAt[s] = -1;
  }
  lastfree = size;
  rebuilds++;
  for (let s = oldSize - 1; s >= 0; s--) {
    const p = oldPairAt[s];
    if (p >= 0) place(p);
  }
}
