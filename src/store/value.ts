/**
 * What the keyspace holds. A string value is stored as a JS byte string (one
 * latin1 char per byte), the cheapest representation V8 has; every other type
 * is an object that names its type and its Redis encoding.
 */
export type Value = string | TypedValue;

export type TypeName = 'string' | 'list' | 'set' | 'zset' | 'hash' | 'stream';

export interface TypedValue {
  readonly type: Exclude<TypeName, 'string'>;
  /** The encoding OBJECT ENCODING reports for Redis's default settings. */
  encoding(): string;
  /** An independent deep copy (COPY). */
  clone(): TypedValue;
}

export function typeOf(v: Value): TypeName {
  return typeof v === 'string' ? 'string' : v.type;
}
