import { optionWord } from '../../core/options.js';
import type { Ctx } from '../../core/context.js';
import { CommandError, SYNTAX, WRONGTYPE } from '../../core/errors.js';
import { ListValue } from './list-value.js';

/** The list at key for a read command (counts a hit or miss); undefined when absent. */
export function readList(c: Ctx, key: string): ListValue | undefined {
  const v = c.db.read(key);
  if (v === undefined || v instanceof ListValue) return v;
  throw new CommandError(WRONGTYPE);
}

/** The list at key for a write command; undefined when absent. */
export function writableList(c: Ctx, key: string): ListValue | undefined {
  const v = c.db.get(key);
  if (v === undefined || v instanceof ListValue) return v;
  throw new CommandError(WRONGTYPE);
}

/** list-max-listpack-size, which sets where a list turns from a listpack into a quicklist and back. */
export function listFill(c: Pick<Ctx, 'config'>): number {
  return c.config.num('list-max-listpack-size');
}

/** LEFT or RIGHT, case-insensitively: true for the head (left). */
export function listEnd(arg: string): boolean {
  const w = optionWord(arg);
  if (w === 'left') return true;
  if (w === 'right') return false;
  throw new CommandError(SYNTAX);
}

/**
 * Pushes elements onto a list, creating it when `list` is undefined, and
 * counts one change per element as Redis does.
 */
export function pushElements(
  c: Ctx, key: string, list: ListValue | undefined, argv: string[], from: number, front: boolean,
): ListValue {
  const n = argv.length - from;
  c.keyspace.dirty += n - 1;
  // A list created by a push of several is built whole; of one, it is pushed to: most often a queue about to be popped.
  const whole = list === undefined && n > 1;
  if (list === undefined) {
    list = whole ? ListValue.pushed(inListOrder(argv, from, front), listFill(c)) : new ListValue();
    c.db.set(key, list);
  } else {
    c.db.modified(key);
  }
  if (!whole) {
    let bytes = 0;
    for (let i = from; i < argv.length; i++) bytes += argv[i].length;
    list.growing(bytes, n, listFill(c));
    for (let i = from; i < argv.length; i++) list.push(argv[i], front);
  }
  c.keyspace.notify(c.db, 'l', front ? 'lpush' : 'rpush', key);
  return list;
}

/** argv[from..] as a push leaves them in the list: reversed for LPUSH, which pushes each at the head in turn. */
function inListOrder(argv: readonly string[], from: number, front: boolean): string[] {
  const elements = argv.slice(from);
  return front ? elements.reverse() : elements;
}

/**
 * Redis's listElementsRemoved, after `count` elements were popped from one
 * end: the pop event, the key deleted (and 'del') when the list emptied,
 * one change counted per element.
 */
export function elementsRemoved(c: Ctx, key: string, list: ListValue, front: boolean, count: number): void {
  const ks = c.keyspace;
  ks.notify(c.db, 'l', front ? 'lpop' : 'rpop', key);
  if (list.length === 0) {
    c.db.delete(key);
    ks.notify(c.db, 'g', 'del', key);
  } else {
    list.shrunk(listFill(c));
    c.db.modified(key);
  }
  ks.dirty += count - 1;
}

/** Writes elements [start, start + n) as an array, or backwards from `start` when `reverse`. */
export function replyRange(c: Ctx, list: ListValue, start: number, n: number, reverse: boolean): void {
  const r = c.reply;
  r.array(n);
  if (reverse) for (let i = 0; i < n; i++) r.bulk(list.get(start - i));
  else for (let i = 0; i < n; i++) r.bulk(list.get(start + i));
}

