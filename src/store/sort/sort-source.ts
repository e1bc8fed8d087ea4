import { CommandError, WRONGTYPE } from '../../core/errors.js';
import type { Value } from '../../keyspace/value.js';
import { ListValue } from '../../queues/list/list-value.js';
import { SetValue } from '../set/set-value.js';
import { ZSetValue } from '../zset/zset-value.js';

/** What SORT can sort: a list, a set or a sorted set (a missing key sorts as an empty list). */
export type Sortable = ListValue | SetValue | ZSetValue;

export function sortable(v: Value | undefined): Sortable | undefined {
  if (v === undefined || v instanceof SetValue || v instanceof ZSetValue || v instanceof ListValue) return v;
  throw new CommandError(WRONGTYPE);
}

export function sizeOf(v: Sortable | undefined): number {
  if (v === undefined) return 0;
  return v instanceof SetValue || v instanceof ZSetValue ? v.size : v.length;
}

/**
 * `count` elements in the value's own order from position `start`, or
 * backwards from `start` positions before the end when `desc`: what SORT
 * answers for a list or sorted set it does not sort (Redis loads just that
 * range). Not for sets, which have no order of their own.
 */
export function nativeRange(v: ListValue | ZSetValue, start: number, count: number, desc: boolean): string[] {
  const out: string[] = [];
  if (count <= 0) return out;
  if (v instanceof ZSetValue) {
    v.forRange(desc ? v.size - 1 - start : start, count, desc, (m) => out.push(m), true);
    return out;
  }
  if (desc) for (let i = v.length - 1 - start, k = 0; k < count; k++) out.push(v.get(i - k));
  else for (let k = 0; k < count; k++) out.push(v.get(start + k));
  return out;
}

/** Every element, as the value iterates them: a list head first, a set in its encoding's order, a sorted set by rank. */
export function allElements(v: Sortable | undefined): string[] {
  if (v === undefined) return [];
  if (v instanceof SetValue) {
    const out: string[] = [];
    v.each((m) => {
      out.push(m);
    }, true);
    return out;
  }
  return nativeRange(v, 0, sizeOf(v), false);
}
