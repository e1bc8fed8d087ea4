import type { Ctx } from '../../core/context.js';
import type { Reply } from '../../protocol/reply.js';
import { CommandError, WRONGTYPE } from '../../core/errors.js';
import { formatId, type StreamId } from './id.js';
import { StreamValue, type NodeLimits } from './stream-value.js';

/** The stream at key for a read command (counts a hit or miss); undefined when absent. */
export function readStream(c: Ctx, key: string): StreamValue | undefined {
  const v = c.db.read(key);
  if (v === undefined || v instanceof StreamValue) return v;
  throw new CommandError(WRONGTYPE);
}

/** The stream at key for a write command; undefined when absent. */
export function writableStream(c: Ctx, key: string): StreamValue | undefined {
  const v = c.db.get(key);
  if (v === undefined || v instanceof StreamValue) return v;
  throw new CommandError(WRONGTYPE);
}

export function nodeLimits(c: Ctx): NodeLimits {
  return { maxBytes: c.config.num('stream-node-max-bytes'), maxEntries: c.config.num('stream-node-max-entries') };
}

/** An ID as a bulk string. */
export function replyId(r: Reply, id: StreamId): void {
  if (typeof id.ms === 'number' && typeof id.seq === 'number') r.bulkDashed(id.ms, id.seq);
  else r.bulk(formatId(id));
}

/** One entry as Redis replies with it: its ID and its fields and values, or a null array for a deleted one. */
export function replyEntry(c: Ctx, id: StreamId, pairs: readonly string[] | null): void {
  const r = c.reply;
  r.array(2);
  replyId(r, id);
  if (pairs === null) {
    r.nullArray();
    return;
  }
  r.array(pairs.length);
  for (const s of pairs) r.bulk(s);
}

/** The error Redis gives when a key or group named by XREADGROUP, XPENDING… does not exist. */
export function noGroup(key: string, group: string, suffix = ''): CommandError {
  return new CommandError(`NOGROUP No such key '${key}' or consumer group '${group}'${suffix}`);
}
