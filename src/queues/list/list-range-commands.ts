import { optionWord } from '../../core/options.js';
import type { Ctx } from '../../core/context.js';
import type { CommandSpec } from '../../core/command.js';
import { CommandError, NOT_INTEGER, SYNTAX } from '../../core/errors.js';
import { intArg } from '../../core/numbers.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { listFill, readList, replyRange, writableList } from './list-access.js';

const INT64_MIN = -(2n ** 63n);
const RANK_RANGE = 'ERR value is out of range, value must between -9223372036854775807 and 9223372036854775807';
const RANK_ZERO =
  "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use negative to start from the end of the list";

/**
 * Clamps Redis's inclusive [start, end] (negative from the tail) to a list
 * of `length`: the first index and the count, 0 when the range is empty.
 */
function clampRange(start: number, end: number, length: number): [number, number] {
  if (start < 0) start = length + start;
  if (end < 0) end = length + end;
  if (start < 0) start = 0;
  if (start > end || start >= length) return [0, 0];
  if (end >= length) end = length - 1;
  return [start, end - start + 1];
}

function lrange(c: Ctx, argv: string[]): void {
  const start = intArg(argv[2]);
  const end = intArg(argv[3]);
  const list = readList(c, argv[1]);
  if (list === undefined) {
    c.reply.array(0);
    return;
  }
  const [from, n] = clampRange(start, end, list.length);
  replyRange(c, list, from, n, false);
}

/** LTRIM: O(N) in the elements removed. As in Redis, trimming nothing still raises the event but counts no change. */
function ltrim(c: Ctx, argv: string[]): void {
  const start = intArg(argv[2]);
  const end = intArg(argv[3]);
  const key = argv[1];
  const list = writableList(c, key);
  if (list === undefined) {
    c.reply.ok();
    return;
  }
  const length = list.length;
  const [from, n] = clampRange(start, end, length);
  const front = n === 0 ? length : from;
  const back = n === 0 ? 0 : length - from - n;
  list.trim(front, back);
  const ks = c.keyspace;
  ks.notify(c.db, 'l', 'ltrim', key);
  if (list.length === 0) {
    c.db.remove(key);
    ks.notify(c.db, 'g', 'del', key);
  } else {
    list.shrunk(listFill(c));
  }
  c.db.signal(key);
  ks.dirty += front + back;
  c.reply.ok();
}

function rankArg(s: string): number {
  const n = toInt64(s);
  if (n === null) throw new CommandError(NOT_INTEGER);
  if (n === INT64_MIN) throw new CommandError(RANK_RANGE);
  if (n === 0n) throw new CommandError(RANK_ZERO);
  return Number(n);
}

/** Redis's getPositiveLongFromObjectOrReply with a message of its own for any bad value. */
function nonNegativeArg(s: string, message: string): number {
  const n = toInt64(s);
  if (n === null || n < 0n) throw new CommandError(message);
  return Number(n);
}

/**
 * LPOS key element [RANK rank] [COUNT num-matches] [MAXLEN len]: the index of
 * the rank-th match (from the tail for a negative rank), or with COUNT the
 * indexes of up to that many matches (all when 0), looking at no more than
 * MAXLEN elements (all when 0).
 */
function lpos(c: Ctx, argv: string[]): void {
  let rank = 1;
  let count = -1;
  let maxlen = 0;
  for (let j = 3; j < argv.length; j++) {
    const opt = optionWord(argv[j]);
    const more = j < argv.length - 1;
    if (opt === 'rank' && more) rank = rankArg(argv[++j]);
    else if (opt === 'count' && more) count = nonNegativeArg(argv[++j], "ERR COUNT can't be negative");
    else if (opt === 'maxlen' && more) maxlen = nonNegativeArg(argv[++j], "ERR MAXLEN can't be negative");
    else throw new CommandError(SYNTAX);
  }
  const list = readList(c, argv[1]);
  if (list === undefined) {
    if (count !== -1) c.reply.array(0);
    else c.reply.nullBulk();
    return;
  }
  const element = argv[2];
  const fromTail = rank < 0;
  if (fromTail) rank = -rank;
  const n = list.length;
  const scan = maxlen === 0 ? n : Math.min(maxlen, n);
  const found: number[] = [];
  let matches = 0;
  // The elements looked at: the first `scan` from the head, or the last `scan` from the tail.
  for (let i = fromTail ? n : 0; ; ) {
    const at = fromTail ? list.find(element, n - scan, i, true) : list.find(element, i, scan, false);
    if (at === -1) break;
    i = fromTail ? at : at + 1;
    matches++;
    if (matches < rank) continue;
    found.push(at);
    if (count === -1 || (count !== 0 && found.length >= count)) break;
  }
  if (count !== -1) {
    c.reply.array(found.length);
    for (const i of found) c.reply.integer(i);
  } else if (found.length === 0) {
    c.reply.nullBulk();
  } else {
    c.reply.integer(found[0]);
  }
}

const LIST = { acl: ['list'], group: 'list' } as const;

export const listRangeCommands: CommandSpec[] = [
  {
    ...LIST, name: 'lrange', arity: 4, flags: ['readonly'], traits: ['keeps-no-argv'], keySpecs: ['RO access: index 1, range 0'],
    args: 'key:key start:integer stop:integer', since: '1.0.0', summary: 'Returns a range of elements from a list.',
    complexity: 'O(S+N) where S is the distance of start offset from HEAD for small lists, from nearest end (HEAD or TAIL) for large lists; and N is the number of elements in the specified range.',
    handler: lrange,
  },
  {
    ...LIST, name: 'ltrim', arity: 4, flags: ['write'], keySpecs: ['RW delete: index 1, range 0'],
    args: 'key:key start:integer stop:integer', since: '1.0.0',
    summary: 'Removes elements from both ends a list. Deletes the list if all elements were trimmed.',
    complexity: 'O(N) where N is the number of elements to be removed by the operation.', handler: ltrim,
  },
  {
    ...LIST, name: 'lpos', arity: -3, flags: ['readonly'], keySpecs: ['RO access: index 1, range 0'],
    args: 'key:key element [RANK rank:integer] [COUNT num-matches:integer] [MAXLEN len:integer]', since: '6.0.6',
    summary: 'Returns the index of matching elements in a list.',
    complexity: 'O(N) where N is the number of elements in the list, for the average case. When searching for elements near the head or the tail of the list, or when the MAXLEN option is provided, the command may run in constant time.',
    handler: lpos,
  },
];
