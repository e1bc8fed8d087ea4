import type { MutableString } from './mutable-string.js';

/**
 * What the keyspace holds. A string value is a JS byte string (one latin1
 * char per byte), the cheapest representation V8 has, or, once something
 * modifies it in place (APPEND, SETRANGE), a MutableString; nothing else is
 * a string, and code that reads strings must take both (isString). Every
 * other type is an object that names its type and its Redis encoding.
 */
export type Value = StringValue | TypedValue;

export type StringValue = string | MutableString;

export type TypeName = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

export interface TypedValue {
  readonly type: Exclude<TypeName, 'string'>;
  /** The encoding OBJECT ENCODING reports for Redis's default settings. */
  encoding(): string;
  /** An independent deep copy (COPY). */
  clone(): TypedValue;
  /**
   * The commands that rebuild this value under `key` from nothing, for the
   * AOF rewrite (Redis's rewriteListObject and friends): variadic commands
   * (RPUSH, SADD, ZADD, HSET…) of at most REBUILD_ITEMS_PER_COMMAND items
   * each, without the key's TTL (the rewrite adds PEXPIREAT). The rewrite
   * pulls commands a few at a time between client requests and drops the
   * iterator if the value changes meanwhile, so the iterator may read the
   * live structure. A type without it cannot be rewritten: the rewrite fails
   * (aof_last_bgrewrite_status:err) rather than lose the key.
   */
  rebuildCommands?(key: string): Iterator<string[]>;
}

/** Items per rebuild command, as Redis's AOF_REWRITE_ITEMS_PER_CMD. */
export const REBUILD_ITEMS_PER_COMMAND = 64;

export function typeOf(v: Value): TypeName {
  return typeof v === 'string' ? 'string' : v.type;
}

export function isString(v: Value): v is StringValue {
  return typeof v === 'string' || v.type === 'string';
}

/** The value as one byte string: a copy, O(n), for a long MutableString. */
export function stringText(v: StringValue): string {
  return typeof v === 'string' ? v : v.toString();
}
