import type { Database } from './database.js';
import type { KeyTable } from './key-table.js';
import type { Value } from './value.js';

/**
 * Per-key access clocks: the LRU clock, or the LFU counter under an LFU
 * policy (Redis keeps 24 bits of them in every object). Implemented in
 * store/eviction, kept in the dictionary's stamps.
 */
export interface KeyAccess {
  /** A lookup found the key (the dictionary's `found` is its position): refresh its clock or bump its counter. */
  touch(db: Database): void;
  /** A new key was stored (the dictionary's `found` is its position): it starts as a fresh object does in Redis. */
  created(db: Database): void;
  /** The database has a new dictionary, empty (FLUSHDB) or filled already (Database.adopt): every key in it starts fresh. */
  flushed(db: Database): void;
  /** SWAPDB traded the contents of two databases. */
  swapped(a: Database, b: Database): void;
  /** Which clock the keys carry: what a snapshot records of each key (RDB's IDLE or FREQ). */
  readonly mode: 'lru' | 'lfu';
  /** Whether snapshots record the clocks: only under an LRU or LFU policy, as Redis's rdbSaveKeyValuePair. */
  readonly recorded: boolean;
  /** What a snapshot records of a key of `dict` (the contents being saved, wherever SWAPDB or FLUSHALL has put them since): idle seconds (LRU) or the decayed counter (LFU). */
  savedHint(dict: KeyTable, key: string): number;
  /** A snapshot's or RESTORE's IDLETIME (seconds) or FREQ for the key, -1 for none; the one the mode does not use is ignored. */
  restore(db: Database, key: string, idleSecs: number, freq: number): void;
}

/**
 * maxmemory's running total of what keys and values take, kept current by
 * every write path (store/eviction implements it); null while no limit is set.
 */
export interface KeySizes {
  /** A value is stored at `key`, replacing `old` (undefined: a new key). */
  stored(db: Database, key: string, old: Value | undefined, value: Value): void;
  /** The key and `old`, its value, left the database. */
  removed(db: Database, key: string, old: Value): void;
  /** The value at `key` changed in place. */
  changed(db: Database, key: string): void;
  flushed(db: Database): void;
  swapped(a: Database, b: Database): void;
}
