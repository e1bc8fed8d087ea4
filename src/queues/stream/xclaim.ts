import type { Ctx } from '../../core/context.js';
import { CommandError, SYNTAX } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { optionWord } from '../../core/options.js';
import { noGroup, readStream, replyEntry, replyId } from './stream-access.js';
import { alsoPropagate, setIdEffect, xclaimEffect } from './deliver.js';
import type { Consumer, Group } from './group.js';
import { add64, compareIds, formatId, MIN_ID, norm64, parseIdForm, rangeStart, strictIdArg, type StreamId } from './id.js';
import type { Nack } from './pending.js';
import type { StreamValue } from './stream-value.js';
import { createConsumer } from './xread.js';

function int64(s: string, message: string): bigint {
  const n = toInt64(s);
  if (n === null) throw new CommandError(message);
  return n;
}

/** The named consumer, created (with its event and change) when new; seen now. */
function claimant(c: Ctx, key: string, group: Group, name: string): Consumer {
  const consumer = group.consumers.get(name) ?? createConsumer(c, key, group, name);
  consumer.seenTime = c.keyspace.now;
  return consumer;
}

/** Drops a pending entry whose stream entry is gone, propagating that as Redis does (an XCLAIM that finds nothing). */
function dropDeleted(c: Ctx, key: string, group: Group, nack: Nack, idText: string): void {
  alsoPropagate(c, () => xclaimEffect(key, group, nack, idText));
  c.keyspace.dirty++;
  group.pel.remove(nack.id);
  nack.consumer!.pel.remove(nack.id);
}

/** Gives a pending entry to `consumer`. */
function assign(nack: Nack, consumer: Consumer): void {
  if (nack.consumer === consumer) return;
  nack.consumer?.pel.remove(nack.id);
  consumer.pel.insert(nack);
  nack.consumer = consumer;
}

function replyClaimed(c: Ctx, s: StreamValue, id: StreamId, justId: boolean): void {
  if (justId) replyId(c.reply, id);
  else replyEntry(c, id, s.find(id)!.reader.pairs());
}

/**
 * XCLAIM key group consumer min-idle-time id [id …] [IDLE ms] [TIME ms]
 * [RETRYCOUNT count] [FORCE] [JUSTID] [LASTID id] (Redis's xclaimCommand:
 * the IDs run until the first argument that is not one; each claimed
 * entry propagates as an XCLAIM with absolute time and count).
 */
export function xclaim(c: Ctx, argv: string[]): void {
  const key = argv[1];
  const s = readStream(c, key);
  const group = s?.group(argv[2]);
  if (s === undefined || group === undefined) throw noGroup(key, argv[2]);
  let minIdle = Number(int64(argv[4], 'ERR Invalid min-idle-time argument for XCLAIM'));
  if (minIdle < 0) minIdle = 0;
  const ids: StreamId[] = [];
  let j = 5;
  for (; j < argv.length; j++) {
    const p = parseIdForm(argv[j], 0, true);
    if (p === null) break;
    ids.push(p.id);
  }
  const now = c.keyspace.now;
  let force = false;
  let justId = false;
  let deliveryTime = -1;
  let retryCount: bigint = -1n;
  let lastId: StreamId = MIN_ID;
  for (; j < argv.length; j++) {
    const more = argv.length - 1 - j;
    const o = optionWord(argv[j]);
    if (o === 'force') {
      force = true;
    } else if (o === 'justid') {
      justId = true;
    } else if (o === 'idle' && more > 0) {
      deliveryTime = now - Number(int64(argv[++j], 'ERR Invalid IDLE option argument for XCLAIM'));
    } else if (o === 'time' && more > 0) {
      deliveryTime = Number(int64(argv[++j], 'ERR Invalid TIME option argument for XCLAIM'));
    } else if (o === 'retrycount' && more > 0) {
      retryCount = int64(argv[++j], 'ERR Invalid RETRYCOUNT option argument for XCLAIM');
    } else if (o === 'lastid' && more > 0) {
      lastId = strictIdArg(argv[++j]);
    } else {
      throw new CommandError(`ERR Unrecognized XCLAIM option '${argv[j].split('\0')[0]}'`);
    }
  }
  let propagateLastId = false;
  if (compareIds(lastId, group.lastId) > 0) {
    group.lastId = lastId;
    propagateLastId = true;
  }
  // A time in the future or before the epoch is taken as now: clients compute it from their own clocks.
  if (deliveryTime < 0 || deliveryTime > now) deliveryTime = now;
  const consumer = claimant(c, key, group, argv[3]);
  const claimed: StreamId[] = [];
  for (let k = 0; k < ids.length; k++) {
    const id = ids[k];
    let nack = group.pel.get(id);
    if (!s.has(id)) {
      if (nack !== undefined) {
        dropDeleted(c, key, group, nack, argv[5 + k]);
        propagateLastId = false;
      }
      continue;
    }
    if (force && nack === undefined) {
      nack = { id, deliveryTime: now, deliveryCount: 1, consumer: null };
      group.pel.insert(nack);
    }
    if (nack === undefined) continue;
    if (nack.consumer !== null && minIdle !== 0 && now - nack.deliveryTime < minIdle) continue;
    nack.deliveryTime = deliveryTime;
    if (retryCount >= 0n) nack.deliveryCount = norm64(retryCount);
    else if (!justId) nack.deliveryCount = add64(nack.deliveryCount, 1);
    assign(nack, consumer);
    claimed.push(id);
    consumer.activeTime = now;
    alsoPropagate(c, () => xclaimEffect(key, group, nack, argv[5 + k]));
    propagateLastId = false;
    c.keyspace.dirty++;
  }
  if (propagateLastId) {
    alsoPropagate(c, () => setIdEffect(key, group));
    c.keyspace.dirty++;
  }
  c.propagateArgv = null;
  c.reply.array(claimed.length);
  for (const id of claimed) replyClaimed(c, s, id, justId);
}

/** XAUTOCLAIM key group consumer min-idle-time start [COUNT count] [JUSTID] */
export function xautoclaim(c: Ctx, argv: string[]): void {
  const key = argv[1];
  let minIdle = Number(int64(argv[4], 'ERR Invalid min-idle-time argument for XAUTOCLAIM'));
  if (minIdle < 0) minIdle = 0;
  const start = rangeStart(argv[5]);
  let count = 100;
  let justId = false;
  for (let j = 6; j < argv.length; j++) {
    const o = optionWord(argv[j]);
    if (o === 'count' && argv.length - 1 - j > 0) {
      const n = toInt64(argv[j + 1]);
      // Redis caps COUNT at LONG_MAX / 16 so that its buffer of deleted IDs cannot overflow.
      if (n === null || n < 1n || n > (2n ** 63n - 1n) / 16n) throw new CommandError('ERR COUNT must be > 0');
      count = Number(n);
      j++;
    } else if (o === 'justid') {
      justId = true;
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  const s = readStream(c, key);
  const group = s?.group(argv[2]);
  if (s === undefined || group === undefined) throw noGroup(key, argv[2]);
  const consumer = claimant(c, key, group, argv[3]);
  const now = c.keyspace.now;
  let attempts = count * 10;
  const claimed: StreamId[] = [];
  const deleted: StreamId[] = [];
  const pel = group.pel;
  let at = pel.atOrAfter(start);
  while (attempts-- > 0 && count > 0 && at !== undefined) {
    const nack = at;
    if (!s.has(nack.id)) {
      dropDeleted(c, key, group, nack, formatId(nack.id));
      deleted.push(nack.id);
      count--;
      // It has left the list: what follows it is now the first at or after its ID.
      at = pel.atOrAfter(nack.id);
      continue;
    }
    at = pel.after(nack.id);
    if (minIdle !== 0 && now - nack.deliveryTime < minIdle) continue;
    nack.deliveryTime = now;
    if (!justId) nack.deliveryCount = add64(nack.deliveryCount, 1);
    assign(nack, consumer);
    claimed.push(nack.id);
    count--;
    consumer.activeTime = now;
    alsoPropagate(c, () => xclaimEffect(key, group, nack));
    c.keyspace.dirty++;
  }
  const next = at !== undefined ? at.id : MIN_ID;
  c.propagateArgv = null;
  const r = c.reply;
  r.array(3);
  replyId(r, next);
  r.array(claimed.length);
  for (const id of claimed) replyClaimed(c, s, id, justId);
  r.array(deleted.length);
  for (const id of deleted) replyId(r, id);
}
