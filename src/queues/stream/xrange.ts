import type { Ctx } from '../../core/context.js';
import { CommandError, NOT_INTEGER, SYNTAX } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { optionWord } from '../../core/options.js';
import { readStream, replyEntry, writableStream } from './stream-access.js';
import { compareIds, rangeEnd, rangeStart, strictIdArg, type StreamId } from './id.js';
import type { StreamValue } from './stream-value.js';

/**
 * Writes entries start ≤ ID ≤ end (reversed when `rev`), at most `count`
 * (0: all), as an array; returns how many.
 */
export function replyRange(c: Ctx, s: StreamValue, start: StreamId, end: StreamId, count: number, rev: boolean): number {
  const out: { id: StreamId; pairs: string[] }[] = [];
  for (const e of s.range(start, end, rev)) {
    out.push({ id: e.id, pairs: e.reader.pairs() });
    if (out.length === count) break;
  }
  c.reply.array(out.length);
  for (const e of out) replyEntry(c, e.id, e.pairs);
  return out.length;
}

/** XRANGE key start end [COUNT count], XREVRANGE key end start [COUNT count] */
function xrangeGeneric(rev: boolean) {
  return (c: Ctx, argv: string[]): void => {
    const start = rangeStart(rev ? argv[3] : argv[2]);
    const end = rangeEnd(rev ? argv[2] : argv[3]);
    let count = -1;
    for (let j = 4; j < argv.length; j++) {
      if (optionWord(argv[j]) === 'count' && j + 1 < argv.length) {
        const n = toInt64(argv[++j]);
        if (n === null) throw new CommandError(NOT_INTEGER);
        count = n < 0n ? 0 : Number(n);
      } else {
        throw new CommandError(SYNTAX);
      }
    }
    const s = readStream(c, argv[1]);
    if (s === undefined) {
      c.reply.array(0);
      return;
    }
    if (count === 0) {
      c.reply.nullArray();
      return;
    }
    replyRange(c, s, start, end, count === -1 ? 0 : count, rev);
  };
}

export const xrange = xrangeGeneric(false);
export const xrevrange = xrangeGeneric(true);

/** XLEN key */
export function xlen(c: Ctx, argv: string[]): void {
  c.reply.integer(readStream(c, argv[1])?.length ?? 0);
}

/** XDEL key id [id …]: tombstones what exists; the stream stays, even empty. */
export function xdel(c: Ctx, argv: string[]): void {
  const key = argv[1];
  const s = writableStream(c, key);
  if (s === undefined) {
    c.reply.integer(0);
    return;
  }
  const ids: StreamId[] = [];
  for (let j = 2; j < argv.length; j++) ids.push(strictIdArg(argv[j]));
  let deleted = 0;
  let firstGone = false;
  for (const id of ids) {
    if (!s.delete(id)) continue;
    if (compareIds(id, s.firstId) === 0) firstGone = true;
    if (compareIds(id, s.maxDeletedId) > 0) s.maxDeletedId = id;
    deleted++;
  }
  if (deleted !== 0) {
    if (s.length === 0 || firstGone) s.refreshFirstId();
    c.db.modified(key);
    c.keyspace.notify(c.db, 't', 'xdel', key);
    c.keyspace.dirty += deleted - 1;
  }
  c.reply.integer(deleted);
}
