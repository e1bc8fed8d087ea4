import type { Database } from './database.js';
import type { Keyspace } from './keyspace.js';
import type { MutableString } from './mutable-string.js';

/**
 * What the keyspace holds. A string value is a JS byte string (one latin1
 * char per byte), the cheapest representation V8 has, or, once something
 * modifies it in place (APPEND, SETRANGE), a MutableString, or a counter's
 * number; nothing else is a string, and code that reads strings must take
 * all three (isString). Every other type is an object that names its type
 * and its Redis encoding.
 */
export type Value = StringValue | TypedValue;

/**
 * A counter that INCR, DECR, INCRBY or DECRBY wrote is kept as a JS number
 * (Redis's int encoding): a safe integer, never -0, read as its decimal
 * text. Counting then neither parses the old value nor makes a string for
 * the new one (INCR -P 16 gained 5-10% in requests a second), and a
 * counter within 32 bits is no object for the collector to copy.
 */
export type StringValue = string | MutableString | number;

/** A string value with bytes to read: a counter's digits are made for it (byteForm). */
export type BytesValue = string | MutableString;

export type TypeName = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

export interface TypedValue {
  readonly type: Exclude<TypeName, 'string'>;
  /** The encoding OBJECT ENCODING reports for Redis's default settings. */
  encoding(): string;
  /**
   * An independent copy (COPY): no later write to either shows in the
   * other. It may share structure with the original copy-on-write, as a
   * list shares its chunks.
   */
  clone(): TypedValue;
  /**
   * The value frozen as it is now, for the AOF rewrite. The rewrite writes a
   * key into the new base a few commands per slice while clients go on
   * writing; it takes a snapshot when it starts on a key, or before the
   * first write to a key it has not reached yet, on that write's path (where
   * Redis's forked child simply has its copy-on-write pages). So:
   *
   * - taking one must cost little however big the value, and little for a
   *   small one too, as every key of the type gets one: a list's snapshot
   *   copies a reference per 32-element chunk (about 0.2 ms for 1,000,000
   *   elements on a loaded machine, where copying the elements took 65 ms
   *   and more for 3,000,000), or its only chunk when it has one;
   * - later writes to the value must not show in the snapshot, and must each
   *   cost a bounded extra for it (a list copies the open 32-slot chunk it
   *   writes into, once; its packed chunks are never written, and a write
   *   opens one into a new array with or without a snapshot); the
   *   rewrite only reads the snapshot;
   * - nothing tells the value when a snapshot is no longer read (a rewrite
   *   can be abandoned at any point; successive rewrites take new ones;
   *   COPY may clone the value meanwhile), so the sharing must be safe
   *   without being released: structure shared copy-on-write, or a
   *   persistent structure, not a log of changes kept until told to stop.
   *
   * A type without it cannot be rewritten: the rewrite fails
   * (aof_last_bgrewrite_status:err) rather than lose the key.
   */
  snapshot?(): ValueSnapshot;
  /**
   * MEMORY USAGE: about how many bytes of heap the value holds in Sluice
   * (not what Redis would use), its elements' sizes estimated from the
   * first `samples` of them where the family does not keep a total
   * (Infinity: all of them). O(samples).
   */
  memoryUsage(samples: number): number;
  /**
   * For a value whose parts expire on their own (hash fields with a TTL,
   * Redis 7.4): the earliest such deadline in ms since the epoch, -1 when
   * no part has one. A database indexes its keys by it (partExpires) when
   * a key is stored by RENAME, MOVE or COPY; the family keeps the index
   * up to date otherwise.
   */
  partDeadline?(): number;
  /**
   * Active expiry of parts: removes the parts due at `now` (at most
   * `budget` of them) as the family expires them on access (events,
   * propagation, the key deleted once empty), records the next deadline
   * with `db.partsExpireAt`, and returns how many parts it removed.
   */
  expireParts?(ks: Keyspace, db: Database, key: string, now: number, budget: number): number;
  /**
   * For a value holding memory outside V8's heap (a list's packed chunks):
   * the keyspace has let go of it for good (deleted, expired, evicted or
   * replaced; not moved by RENAME or MOVE), so it gives that memory back
   * now rather than when the collector finds it dead, and reads as empty
   * from then on. Snapshots and clones keep what they share.
   */
  discard?(): void;
  /**
   * Reads the first of what a command on the value reads next (its packed
   * bytes, the chunk at its head), so that the values of a batch of
   * commands wait for those cache misses together (KeyTable.prefetch).
   * Answers a number made of what it read, which the caller keeps so that
   * the reads are not dropped. Changes nothing.
   */
  warm?(): number;
}

/** A value frozen at one point in time (TypedValue.snapshot). */
export interface ValueSnapshot {
  /**
   * The commands that rebuild the value, as it was when the snapshot was
   * taken, under `key` from nothing (Redis's rewriteListObject and friends):
   * variadic commands (RPUSH, SADD, ZADD, HSET…) of at most
   * REBUILD_ITEMS_PER_COMMAND items each, without the key's TTL (the rewrite
   * adds PEXPIREAT). The rewrite pulls them a few at a time between client
   * requests.
   */
  rebuildCommands(key: string): Iterator<string[]>;
}

/** Items per rebuild command, as Redis's AOF_REWRITE_ITEMS_PER_CMD. */
export const REBUILD_ITEMS_PER_COMMAND = 64;

export function typeOf(v: Value): TypeName {
  return typeof v === 'object' ? v.type : 'string';
}

export function isString(v: Value): v is StringValue {
  return typeof v !== 'object' || v.type === 'string';
}
