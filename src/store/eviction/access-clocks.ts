import { BigMap } from '../keyspace/big-map.js';
import type { Database } from '../keyspace/database.js';
import type { KeyAccess } from '../keyspace/key-meters.js';
import type { Keyspace } from '../keyspace/keyspace.js';
import { LFU_INIT_VAL, lfuDecayed, lfuLogIncr, lfuMinutes, lfuPack } from './lfu.js';
import { idleMs, LRU_CLOCK_MAX, lruClock } from './lru-clock.js';

/**
 * Per-key access clocks, one map per database beside the key dictionary:
 * an LRU clock or a packed LFU stamp, Redis's 24 bits per object. Strings
 * are JS primitives with no room for a field, and wrapping every value in
 * an entry object would cost every lookup a second dereference, so the
 * clocks sit apart and cost nothing while no LRU/LFU policy is chosen.
 * They are kept lazily: a key without an entry has not been touched since
 * tracking began (`since`), so switching a policy on needs no walk of the
 * keyspace; an entry appears when a key is created or first looked up.
 */
export class AccessClocks implements KeyAccess {
  private maps: BigMap<string, number>[];
  /** The stamp a key without an entry reads as: when tracking began. */
  private readonly since: number;
  logFactor = 10;
  decayTime = 1;

  constructor(
    private readonly ks: Keyspace,
    readonly mode: 'lru' | 'lfu',
  ) {
    this.maps = ks.dbs.map(() => new BigMap<string, number>());
    this.since = this.fresh();
  }

  /** A new object's stamp: Redis's createObject. */
  private fresh(): number {
    const now = this.ks.now;
    return this.mode === 'lru' ? lruClock(now) : lfuPack(lfuMinutes(now), LFU_INIT_VAL);
  }

  private stamp(db: Database, key: string): number {
    return this.maps[db.index].get(key) ?? this.since;
  }

  touch(db: Database, key: string): void {
    const now = this.ks.now;
    const map = this.maps[db.index];
    if (this.mode === 'lru') {
      map.set(key, lruClock(now));
      return;
    }
    const counter = lfuLogIncr(lfuDecayed(map.get(key) ?? this.since, now, this.decayTime), this.logFactor);
    map.set(key, lfuPack(lfuMinutes(now), counter));
  }

  created(db: Database, key: string): void {
    this.maps[db.index].set(key, this.fresh());
  }

  forget(db: Database, key: string): void {
    const map = this.maps[db.index];
    if (map.size !== 0) map.delete(key);
  }

  flushed(db: Database): void {
    this.maps[db.index] = new BigMap();
  }

  swapped(a: Database, b: Database): void {
    const maps = this.maps;
    [maps[a.index], maps[b.index]] = [maps[b.index], maps[a.index]];
  }

  /**
   * RESTORE … IDLETIME or FREQ (Redis's objectSetLRUOrLFU): under LFU a
   * FREQ sets the counter, under LRU an IDLETIME in seconds backdates the
   * clock (wrapping as Redis does when it would go below 0); -1 for none.
   */
  restore(db: Database, key: string, idleSecs: number, freq: number): void {
    const now = this.ks.now;
    if (this.mode === 'lfu') {
      if (freq >= 0) this.maps[db.index].set(key, lfuPack(lfuMinutes(now), freq));
      return;
    }
    if (idleSecs < 0) return;
    const clock = lruClock(now);
    let stamp = clock - idleSecs;
    if (stamp < 0) stamp = (clock + Math.floor(LRU_CLOCK_MAX / 2)) % LRU_CLOCK_MAX;
    this.maps[db.index].set(key, stamp);
  }

  /** rdbSaveKeyValuePair's hint: whole idle seconds under LRU, the decayed counter under LFU. */
  savedHint(db: Database, key: string): number {
    return this.mode === 'lru' ? Math.floor(this.idleMs(db, key) / 1000) : this.frequency(db, key);
  }

  /** OBJECT IDLETIME's milliseconds (LRU mode). */
  idleMs(db: Database, key: string): number {
    return idleMs(this.stamp(db, key), this.ks.now);
  }

  /** OBJECT FREQ's counter, decayed to now without being stored (LFU mode). */
  frequency(db: Database, key: string): number {
    return lfuDecayed(this.stamp(db, key), this.ks.now, this.decayTime);
  }

  /**
   * How good a victim the key is, higher first (evictionPoolPopulate's
   * `idle`): idle time under LRU, 255 minus the decayed counter under LFU.
   */
  score(db: Database, key: string): number {
    return this.mode === 'lru' ? this.idleMs(db, key) : 255 - this.frequency(db, key);
  }

  /**
   * The score of a key that has an entry, else undefined: an entry proves
   * the key exists (deletion drops it), which saves the sampler a lookup
   * in the dictionary for nearly every key once eviction has churned.
   */
  scoreIfStamped(db: Database, key: string): number | undefined {
    const stamp = this.maps[db.index].get(key);
    if (stamp === undefined) return undefined;
    return this.mode === 'lru' ? idleMs(stamp, this.ks.now) : 255 - lfuDecayed(stamp, this.ks.now, this.decayTime);
  }

  /** Entries held, over all databases (MEMORY STATS' overhead). */
  get entries(): number {
    let n = 0;
    for (const m of this.maps) n += m.size;
    return n;
  }
}
