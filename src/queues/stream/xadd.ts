import type { Ctx } from '../../core/context.js';
import { CommandError, wrongArity } from '../../core/errors.js';
import { nodeLimits, replyId, writableStream } from './stream-access.js';
import { compareIds, formatId, MAX_ID, nextId, u64Add, U64_MAX, type StreamId } from './id.js';
import { entryFits, LISTPACK_MAX_SIZE, StreamValue } from './stream-value.js';
import { parseTrimArgs, type TrimArgs } from './trim-args.js';

/**
 * The ID XADD gives the entry (Redis's streamAppendItem): `*` is the
 * command's clock time, or the last ID's successor when the clock is not
 * past it; `ms-*` the next sequence in that millisecond. Null when it would
 * not follow the last ID.
 */
function newEntryId(s: StreamValue, a: TrimArgs, now: number): StreamId | null {
  const last = s.lastId;
  let id: StreamId | null;
  if (a.id === null) {
    id = now > last.ms ? { ms: now, seq: 0 } : nextId(last);
  } else if (a.seqForm === 'auto') {
    if (last.ms === a.id.ms) {
      if (last.seq === U64_MAX) return null;
      id = { ms: last.ms, seq: u64Add(last.seq, 1) };
    } else {
      id = a.id;
    }
  } else {
    id = a.id;
  }
  return id !== null && compareIds(id, last) > 0 ? id : null;
}

/**
 * Redis's streamTrim through a command: trims, and when `~` was used
 * rewrites the effect to `=` with what is left (the length, or the first
 * ID, tombstones included), so that replicas and the AOF trim exactly.
 * No effect (null) when nothing consumes it: the first ID is a walk.
 */
function trimStream(s: StreamValue, a: TrimArgs, effect: string[] | null): number {
  const removed = s.trim(a.strategy!, a.maxlen, a.minid, a.approx, a.limit);
  if (a.approx && effect !== null) {
    effect[a.strategyArg - 1] = '=';
    effect[a.strategyArg] = a.strategy === 'maxlen' ? String(s.length) : formatId(s.edgeId(true, true) ?? MAX_ID);
  }
  return removed;
}

/** XADD key [NOMKSTREAM] [MAXLEN|MINID [=|~] threshold [LIMIT count]] *|id field value [field value …] */
export function xadd(c: Ctx, argv: string[]): void {
  const a = parseTrimArgs(c, argv, true);
  const fieldPos = a.idPos + 1;
  const n = argv.length - fieldPos;
  if (n < 2 || n % 2 === 1) throw new CommandError(wrongArity('xadd'));
  if (a.id !== null && a.seqForm === 'given' && a.id.ms === 0 && a.id.seq === 0) {
    throw new CommandError('ERR The ID specified in XADD must be greater than 0-0');
  }
  const key = argv[1];
  let s = writableStream(c, key);
  if (s === undefined && a.noMkstream) {
    c.reply.nullBulk();
    return;
  }
  const fresh = s === undefined;
  if (s === undefined) s = new StreamValue();
  if (s.lastId.ms === U64_MAX && s.lastId.seq === U64_MAX) {
    throw new CommandError('ERR The stream has exhausted the last possible ID, unable to add more items');
  }
  const id = newEntryId(s, a, c.keyspace.now);
  if (id === null) throw new CommandError('ERR The ID specified in XADD is equal or smaller than the target stream top item');
  let size = 0;
  for (let i = fieldPos; i < argv.length; i++) size += argv[i].length;
  // Redis has created the key by now and leaves it, empty; Sluice changes nothing when a command fails.
  // Past V8's longest string an entry cannot be packed at all, so that is refused too (Redis: up to 1 GiB).
  if (size > LISTPACK_MAX_SIZE || !entryFits(n, size)) throw new CommandError('ERR Elements are too large to be stored');
  if (fresh) c.db.set(key, s);
  s.append(id, argv, nodeLimits(c), fieldPos);
  replyId(c.reply, id);
  if (!fresh) c.db.modified(key);
  c.keyspace.notify(c.db, 't', 'xadd', key);
  // The effect is built only when someone consumes it.
  const effect = c.propagating ? argv.slice() : null;
  if (a.strategy !== null && trimStream(s, a, effect) !== 0) c.keyspace.notify(c.db, 't', 'xtrim', key);
  if (effect !== null) {
    if (a.id === null || a.seqForm === 'auto') effect[a.idPos] = formatId(id);
    c.propagateArgv = effect;
  }
  if (!fresh) c.keyspace.waiters?.signalKeyAsReady(c.db, key);
}

/** XTRIM key MAXLEN|MINID [=|~] threshold [LIMIT count] */
export function xtrim(c: Ctx, argv: string[]): void {
  const a = parseTrimArgs(c, argv, false);
  const key = argv[1];
  const s = writableStream(c, key);
  if (s === undefined) {
    c.reply.integer(0);
    return;
  }
  const effect = argv.slice();
  const removed = trimStream(s, a, effect);
  if (removed !== 0) {
    c.keyspace.notify(c.db, 't', 'xtrim', key);
    c.db.modified(key);
    c.keyspace.dirty += removed - 1;
    c.propagateArgv = effect;
  }
  c.reply.integer(removed);
}
