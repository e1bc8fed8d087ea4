import type { Ctx } from '../../core/context.js';
import { CommandError, NOT_INTEGER, SYNTAX } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { optionWord } from '../../core/options.js';
import { noGroup, readStream, replyId } from './stream-access.js';
import { compareIds, rangeEnd, rangeStart, strictIdArg, type StreamId } from './id.js';

/** XACK key group id [id …]: all IDs are checked before any is acknowledged. */
export function xack(c: Ctx, argv: string[]): void {
  const s = readStream(c, argv[1]);
  const group = s?.group(argv[2]);
  if (group === undefined) {
    c.reply.integer(0);
    return;
  }
  const ids: StreamId[] = [];
  for (let j = 3; j < argv.length; j++) ids.push(strictIdArg(argv[j]));
  let acked = 0;
  for (const id of ids) {
    const nack = group.pel.take(id);
    if (nack === undefined) continue;
    nack.consumer!.pel.remove(id);
    acked++;
  }
  c.keyspace.dirty += acked;
  c.reply.integer(acked);
}

function int64(s: string): bigint {
  const n = toInt64(s);
  if (n === null) throw new CommandError(NOT_INTEGER);
  return n;
}

/** XPENDING key group [[IDLE min-idle-time] start end count [consumer]] */
export function xpending(c: Ctx, argv: string[]): void {
  const key = argv[1];
  const groupName = argv[2];
  const argc = argv.length;
  if (argc !== 3 && (argc < 6 || argc > 9)) throw new CommandError(SYNTAX);
  let start: StreamId | null = null;
  let end: StreamId | null = null;
  let count = 0;
  let minIdle = 0;
  let consumerName: string | null = null;
  if (argc >= 6) {
    let at = 3;
    if (optionWord(argv[3]) === 'idle') {
      minIdle = Number(int64(argv[4]));
      if (argc < 8) throw new CommandError(SYNTAX);
      at += 2;
    }
    const n = int64(argv[at + 2]);
    count = n < 0n ? 0 : Number(n);
    start = rangeStart(argv[at]);
    end = rangeEnd(argv[at + 1]);
    if (at + 3 < argc) consumerName = argv[at + 3];
  }
  const s = readStream(c, key);
  const group = s?.group(groupName);
  if (group === undefined) throw noGroup(key, groupName);
  const r = c.reply;
  if (start === null) {
    const first = group.pel.first();
    r.array(4);
    r.integer(group.pel.size);
    if (first === undefined) {
      r.nullBulk();
      r.nullBulk();
      r.nullArray();
      return;
    }
    replyId(r, first.id);
    replyId(r, group.pel.last()!.id);
    const owners = group.sortedConsumers().filter((x) => x.pel.size !== 0);
    r.array(owners.length);
    for (const o of owners) {
      r.array(2);
      r.bulk(o.name);
      r.bulk(String(o.pel.size));
    }
    return;
  }
  let pel = group.pel;
  if (consumerName !== null) {
    const consumer = group.consumers.get(consumerName);
    if (consumer === undefined) {
      r.array(0);
      return;
    }
    pel = consumer.pel;
  }
  const now = c.keyspace.now;
  const out = [];
  for (let nack = pel.atOrAfter(start!); count > 0 && nack !== undefined && compareIds(nack.id, end!) <= 0; nack = pel.after(nack.id)) {
    if (minIdle !== 0 && now - nack.deliveryTime < minIdle) continue;
    out.push(nack);
    count--;
  }
  r.array(out.length);
  for (const nack of out) {
    r.array(4);
    replyId(r, nack.id);
    r.bulk(nack.consumer!.name);
    r.integer(Math.max(0, now - nack.deliveryTime));
    r.integer(nack.deliveryCount);
  }
}
