import type { ConfigReader, Ctx } from '../../core/context.js';
import { CommandError, WRONGTYPE } from '../../core/errors.js';
import { ZSetValue, type ZsetLimits } from './zset-value.js';

/** The sorted set at key for a read command (counts a hit or miss); undefined when absent. */
export function readZset(c: Ctx, key: string): ZSetValue | undefined {
  const v = c.db.read(key);
  if (v === undefined || v instanceof ZSetValue) return v;
  throw new CommandError(WRONGTYPE);
}

/** The sorted set at key for a write command; undefined when absent. */
export function writableZset(c: Ctx, key: string): ZSetValue | undefined {
  const v = c.db.get(key);
  if (v === undefined || v instanceof ZSetValue) return v;
  throw new CommandError(WRONGTYPE);
}

/** The encoding limits as the parameters set them now. */
export function readZsetLimits(config: Pick<ConfigReader, 'num'>): ZsetLimits {
  return Object.freeze({ entries: config.num('zset-max-listpack-entries'), value: config.num('zset-max-listpack-value') });
}

/** The encoding limits a write follows, read once per change of the parameters. */
export function zsetLimits(c: Pick<Ctx, 'config'>): ZsetLimits {
  return c.config.derived(readZsetLimits, readZsetLimits);
}

/**
 * After `count` (> 0) members left the set at key: its event, the key
 * deleted (and 'del') when the set emptied, and one change counted per
 * member, as Redis counts them.
 */
export function membersRemoved(c: Ctx, key: string, z: ZSetValue, event: string, count: number): void {
  const ks = c.keyspace;
  if (z.size === 0) c.db.delete(key);
  else c.db.modified(key);
  ks.dirty += count - 1;
  ks.notify(c.db, 'z', event, key);
  if (z.size === 0) ks.notify(c.db, 'g', 'del', key);
}

/**
 * Stores a computed result at `dst` as Redis's *STORE commands do: the set
 * (replacing the key and its TTL) with `event`, or, for an empty result,
 * the key deleted if it existed. Replies with the result's size.
 */
export function storeResult(c: Ctx, dst: string, z: ZSetValue, event: string): void {
  if (z.size > 0) {
    c.db.setKey(dst, z);
    c.keyspace.notify(c.db, 'z', event, dst);
  } else if (c.db.delete(dst)) {
    c.keyspace.notify(c.db, 'g', 'del', dst);
  }
  c.reply.integer(z.size);
}

/**
 * Writes entries as ZRANGE does: members, each followed by its score when
 * `withScores`, flat in RESP2 and as [member, score] pairs in RESP3.
 */
export function replyEntries(c: Ctx, z: ZSetValue, start: number, count: number, reverse: boolean, withScores: boolean): void {
  const r = c.reply;
  if (!withScores) {
    r.array(count);
    z.forRange(start, count, reverse, (m) => r.bulk(m));
    return;
  }
  if (r.proto === 2) {
    r.array(count * 2);
    z.forRange(start, count, reverse, (m, s) => {
      r.bulk(m);
      r.double(s);
    });
    return;
  }
  r.array(count);
  z.forRange(start, count, reverse, (m, s) => {
    r.array(2);
    r.bulk(m);
    r.double(s);
  });
}
