import type { Ctx } from '../../core/context.js';
import { CommandError } from '../../core/errors.js';
import { strtod } from '../zset/strtod.js';
import { partialSort } from './partial-sort.js';
import { cString, lookupByPattern } from './sort-pattern.js';

export const NOT_DOUBLE = "ERR One or more scores can't be converted into double";

/** One element being sorted and what it sorts by: a number, or (ALPHA with BY) a string, null for a missing weight. */
interface Item {
  element: string;
  score: number;
  weight: string | null;
}

export interface OrderOptions {
  desc: boolean;
  alpha: boolean;
  by: string | null;
  /** STORE: ALPHA compares bytes, where a reply compares as strcoll does. */
  store: boolean;
}

/** strcoll in the C (and glibc's C.UTF-8) locale: strcmp, which stops at a NUL. */
function collate(a: string, b: string): number {
  const x = cString(a);
  const y = cString(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function binary(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Redis's sortCompare for these options. */
function comparator(o: OrderOptions): (a: Item, b: Item) => number {
  const strings = o.store ? binary : collate;
  let cmp: (a: Item, b: Item) => number;
  if (!o.alpha) {
    // Equal scores fall back to the elements' bytes, so a numeric order is total.
    cmp = (a, b) => (a.score > b.score ? 1 : a.score < b.score ? -1 : binary(a.element, b.element));
  } else if (o.by !== null) {
    cmp = (a, b) => {
      if (a.weight === null || b.weight === null) return a.weight === b.weight ? 0 : a.weight === null ? -1 : 1;
      return strings(a.weight, b.weight);
    };
  } else {
    cmp = (a, b) => strings(a.element, b.element);
  }
  return o.desc ? (a, b) => -cmp(a, b) || 0 : cmp;
}

/** A weight as a score, as Redis reads it with strtod: the whole C string, finite or infinite, not NaN, not out of range. */
function score(text: string): number | null {
  const r = strtod(text);
  const stop = r.end === text.length || text.charCodeAt(r.end) === 0;
  return stop && !r.range && r.value === r.value ? r.value : null;
}

/**
 * Sorts `elements` as SORT orders them, in place, for output positions
 * start..end (the whole array unless BY and LIMIT ask for part of it,
 * when Redis sorts partially and only those positions are in order).
 * Weights come from BY's lookups (a missing one is 0, or null for ALPHA)
 * or the elements themselves. Fails with Redis's error when a numeric
 * weight is not a number, after every lookup, as Redis does.
 */
export function sortElements(c: Ctx, elements: string[], o: OrderOptions, start: number, end: number): void {
  const n = elements.length;
  const items: Item[] = new Array(n);
  let bad = false;
  for (let i = 0; i < n; i++) {
    const element = elements[i];
    const item: Item = { element, score: 0, weight: null };
    items[i] = item;
    const w = o.by === null ? element : lookupByPattern(c, o.by, element);
    if (w === null) continue;
    if (o.alpha) {
      if (o.by !== null) item.weight = w;
    } else {
      const s = score(w);
      if (s === null) bad = true;
      else item.score = s;
    }
  }
  if (bad) throw new CommandError(NOT_DOUBLE);
  const cmp = comparator(o);
  if (o.by !== null && (start !== 0 || end !== n - 1)) partialSort(items, cmp, start, end);
  else items.sort(cmp);
  for (let i = 0; i < n; i++) elements[i] = items[i].element;
}
