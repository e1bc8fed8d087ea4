import type { Ctx } from '../../core/context.js';
import type { CommandSpec, KeyRef } from '../../core/command.js';
import { optionWord } from '../../core/options.js';
import { ownCopy } from '../../keyspace/compact/packed.js';
import { ListValue } from '../../queues/list/list-value.js';
import { SetValue } from '../set/set-value.js';
import { ZSetValue } from '../zset/zset-value.js';
import { limitRange, parseSortOptions, type SortOptions } from './sort-options.js';
import { sortElements } from './sort-order.js';
import { lookupByPattern } from './sort-pattern.js';
import { allElements, nativeRange, sizeOf, sortable, type Sortable } from './sort-source.js';

/** The elements of the output and its positions start..end (inclusive; empty when end < start). */
interface Sorted {
  elements: string[];
  start: number;
  end: number;
}

/**
 * Orders the value as Redis's sortCommandGeneric does. A constant BY
 * pattern leaves the elements in their own order (a list's or sorted
 * set's, backwards for DESC, LIMIT taken directly), except that a set,
 * which has no order of its own, is sorted ALPHA when the result is stored
 * or goes to a script, so that what is stored or what a script does with
 * it does not depend on the set's layout.
 */
function order(c: Ctx, v: Sortable | undefined, o: SortOptions): Sorted {
  let { dontSort, alpha, by } = o;
  if (dontSort && v instanceof SetValue && (o.store !== null || c.fromScript)) {
    dontSort = false;
    alpha = true;
    by = null;
  }
  if (v instanceof ZSetValue) v.unpack();
  const [start, end] = limitRange(o.offset, o.count, sizeOf(v));
  if (dontSort && v !== undefined && !(v instanceof SetValue)) {
    const count = end - start + 1;
    return { elements: nativeRange(v, start, count, o.desc), start: 0, end: count - 1 };
  }
  const elements = allElements(v);
  if (!dontSort) {
    // Weights that tie under ALPHA keep the order they come in, as glibc's qsort (a merge sort) keeps it in Redis.
    // An intset's or a listpack's order is Redis's own; a hashtable's is made its bytes' order, so that a stored
    // result never depends on the table's layout (Redis's is its hash order, which no one can reproduce).
    if (alpha && by !== null && v instanceof SetValue && v.encoding() === 'hashtable') elements.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    sortElements(c, elements, { desc: o.desc, alpha, by, store: o.store !== null }, start, end);
  }
  return { elements, start, end };
}

function reply(c: Ctx, s: Sorted, gets: readonly string[]): void {
  const r = c.reply;
  const rows = Math.max(0, s.end - s.start + 1);
  r.array(gets.length === 0 ? rows : rows * gets.length);
  for (let j = s.start; j <= s.end; j++) {
    const element = s.elements[j];
    if (gets.length === 0) r.bulk(element);
    for (const g of gets) {
      const val = lookupByPattern(c, g, element);
      if (val === null) r.nullBulk();
      else r.bulk(val);
    }
  }
}

/**
 * STORE: the output as a list at `dst` (a missing GET value stored as an
 * empty string), replacing what was there and its TTL, one change per
 * element; an empty output deletes `dst`.
 */
function store(c: Ctx, s: Sorted, gets: readonly string[], dst: string): void {
  const out: string[] = [];
  for (let j = s.start; j <= s.end; j++) {
    const element = s.elements[j];
    if (gets.length === 0) out.push(element);
    for (const g of gets) out.push(ownCopy(lookupByPattern(c, g, element) ?? ''));
  }
  const ks = c.keyspace;
  if (out.length > 0) {
    c.db.setKey(dst, ListValue.of(out, c.config.num('list-max-listpack-size')));
    ks.notify(c.db, 'l', 'sortstore', dst);
    ks.dirty += out.length - 1;
  } else if (c.db.delete(dst)) {
    ks.notify(c.db, 'g', 'del', dst);
  }
  c.reply.integer(out.length);
}

function sortGeneric(c: Ctx, argv: string[], readonly: boolean): void {
  const o = parseSortOptions(argv, readonly, argv.length === 2 || c.readsEveryKey(argv), argv.length > 2 && c.config.bool('cluster-enabled'));
  const sorted = order(c, sortable(c.db.read(argv[1])), o);
  if (o.store === null) reply(c, sorted, o.gets);
  else store(c, sorted, o.gets, o.store);
}

const SORT_KEY: KeyRef = { pos: 1, flags: ['RO', 'access'] };

/**
 * Redis's sortGetKeys: the sorted key, and the argument after the last
 * STORE, skipping LIMIT's, GET's and BY's arguments on the way (and no
 * others: a STORE's own argument is looked at as an option too).
 */
function sortKeys(argv: string[]): KeyRef[] {
  let dst = -1;
  for (let i = 2; i < argv.length; i++) {
    const word = optionWord(argv[i]);
    if (word === 'limit') i += 2;
    else if (word === 'get' || word === 'by') i += 1;
    else if (word === 'store' && i + 1 < argv.length) dst = i + 1;
  }
  return dst === -1 ? [SORT_KEY] : [SORT_KEY, { pos: dst, flags: ['OW', 'update'] }];
}

const SORT_BASE = {
  arity: -2, acl: ['set', 'sortedset', 'list', 'dangerous'], group: 'generic',
  complexity: 'O(N+M*log(M)) where N is the number of elements in the list or set to sort, and M the number of returned elements. When the elements are not sorted, complexity is O(N).',
} as const;
const SORT_KEY_SPEC = 'RO access: index 1, range 0';
const PATTERN_KEYS = {
  spec: 'RO access: unknown, unknown',
  notes: "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort",
};
const SORT_ARGS = 'key:key [BY by-pattern:pattern=pattern#1] [LIMIT limit{offset:integer count:integer}] '
  + '[GET get-pattern:pattern=pattern#1... +] [order(ASC | DESC)] [sorting->ALPHA]';

export const sortCommands: CommandSpec[] = [
  {
    ...SORT_BASE, name: 'sort', flags: ['write', 'denyoom'], since: '1.0.0',
    keySpecs: [SORT_KEY_SPEC, PATTERN_KEYS, {
      spec: 'OW update: unknown, unknown',
      notes: "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array",
    }],
    getKeys: sortKeys, args: `${SORT_ARGS} [STORE destination:key#2]`,
    summary: 'Sorts the elements in a list, a set, or a sorted set, optionally storing the result.',
    handler: (c, argv) => sortGeneric(c, argv, false),
  },
  {
    ...SORT_BASE, name: 'sort_ro', flags: ['readonly'], since: '7.0.0',
    keySpecs: [SORT_KEY_SPEC, PATTERN_KEYS], getKeys: () => [SORT_KEY], args: SORT_ARGS,
    summary: 'Returns the sorted elements of a list, a set, or a sorted set.',
    handler: (c, argv) => sortGeneric(c, argv, true),
  },
];
