import type { Ctx } from '../../core/context.js';
import { add64, compareIds, formatId, MAX_ID, type StreamId } from './id.js';
import { ENTRIES_READ_UNKNOWN, type Consumer, type Group } from './group.js';
import type { Nack } from './pending.js';
import { entriesReadEstimate, rangeHasTombstones } from './lag.js';
import type { StreamValue } from './stream-value.js';

/** An entry to reply with; null pairs for one deleted since it was delivered. */
export interface Delivered {
  id: StreamId;
  pairs: string[] | null;
}

/** Redis's streamPropagateXCLAIM: the effect that gives `nack` to its consumer on a replica or at load. */
export function xclaimEffect(key: string, group: Group, nack: Nack, idText = formatId(nack.id)): string[] {
  return [
    'XCLAIM', key, group.name, nack.consumer!.name, '0', idText, 'TIME', String(nack.deliveryTime),
    'RETRYCOUNT', String(nack.deliveryCount), 'FORCE', 'JUSTID', 'LASTID', formatId(group.lastId),
  ];
}

/** Redis's streamPropagateGroupID: XGROUP SETID … ENTRIESREAD. */
export function setIdEffect(key: string, group: Group): string[] {
  return ['XGROUP', 'SETID', key, group.name, formatId(group.lastId), 'ENTRIESREAD', String(group.entriesRead)];
}

/**
 * Propagates an effect of a stream command in place of the command's own
 * argv (Redis's alsoPropagate with the command's propagation prevented).
 * The effect is built only when something consumes it: an XREADGROUP
 * that delivers ten entries made ten XCLAIM lines for nobody.
 */
export function alsoPropagate(c: Ctx, effect: () => string[]): void {
  if (!c.propagating) return;
  c.alsoPropagate(effect());
  c.propagateArgv = null;
}

/**
 * Redis's streamReplyWithRange with a group: entries after `after`, at most
 * `count` (0: all), each moving the group's last ID and read counter on and,
 * unless `noack`, becoming pending for `consumer` (taken from whoever had
 * it) and propagated as XCLAIM.
 */
export function deliverNew(
  c: Ctx, key: string, s: StreamValue, group: Group, consumer: Consumer, start: StreamId, count: number, noack: boolean,
): Delivered[] {
  const now = c.keyspace.now;
  const out: Delivered[] = [];
  let lastIdMoved = false;
  for (const e of s.range(start, MAX_ID)) {
    const id = e.id;
    if (compareIds(id, group.lastId) > 0) {
      if (group.entriesRead !== ENTRIES_READ_UNKNOWN && !rangeHasTombstones(s, id, MAX_ID)) {
        group.entriesRead = add64(group.entriesRead, 1);
      } else if (s.entriesAdded !== 0) {
        group.entriesRead = entriesReadEstimate(s, id);
      }
      group.lastId = id;
      if (noack) lastIdMoved = true;
    }
    out.push({ id, pairs: e.reader.pairs() });
    if (!noack) {
      let nack = group.pel.get(id);
      if (nack === undefined) {
        nack = { id, deliveryTime: now, deliveryCount: 1, consumer };
        group.pel.insert(nack);
        consumer.pel.insert(nack);
      } else {
        nack.consumer!.pel.remove(id);
        nack.consumer = consumer;
        nack.deliveryTime = now;
        nack.deliveryCount = 1;
        consumer.pel.insert(nack);
      }
      consumer.activeTime = now;
      alsoPropagate(c, () => xclaimEffect(key, group, nack));
    }
    if (out.length === count) break;
  }
  if (lastIdMoved) alsoPropagate(c, () => setIdEffect(key, group));
  return out;
}

/**
 * Redis's streamReplyWithRangeFromConsumerPEL: the consumer's own pending
 * entries from `start`, each counted as delivered again (not propagated,
 * as in Redis).
 */
export function deliverHistory(c: Ctx, s: StreamValue, consumer: Consumer, start: StreamId, count: number): Delivered[] {
  const out: Delivered[] = [];
  const pel = consumer.pel;
  for (let nack = pel.atOrAfter(start); nack !== undefined && (count === 0 || out.length < count); nack = pel.after(nack.id)) {
    const e = s.find(nack.id);
    if (e === null) {
      out.push({ id: nack.id, pairs: null });
    } else {
      out.push({ id: nack.id, pairs: e.reader.pairs() });
      nack.deliveryTime = c.keyspace.now;
      nack.deliveryCount = add64(nack.deliveryCount, 1);
    }
  }
  return out;
}

