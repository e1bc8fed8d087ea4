import type { Database } from '../../keyspace/database.js';
import type { KeyAccess } from '../../keyspace/key-meters.js';
import type { KeyTable } from '../../keyspace/key-table.js';
import type { Keyspace } from '../../keyspace/keyspace.js';
import { LFU_INIT_VAL, lfuDecayed, lfuLogIncr, lfuMinutes, lfuPack } from './lfu.js';
import { idleMs, LRU_CLOCK_MAX, lruClock } from './lru-clock.js';

/**
 * Per-key access clocks: an LRU clock or a packed LFU stamp, Redis's 24
 * bits per object, kept beside each key in its database's dictionary
 * (KeyTable's stamps): the LFU counter under an LFU policy, the LRU clock
 * under every other, as Redis. Switching between the two stamps every
 * existing key as used at that moment.
 */
export class AccessClocks implements KeyAccess {
  /** Per database, where the eviction's walk round its stamps stopped (see sweep). */
  private readonly walks: ClockWalk[];
  logFactor = 10;
  decayTime = 1;
  recorded = false;

  constructor(
    private readonly ks: Keyspace,
    readonly mode: 'lru' | 'lfu',
  ) {
    const stamp = this.fresh();
    for (const db of ks.dbs) db.dict.keepStamps(stamp);
    this.walks = ks.dbs.map(() => newWalk());
  }

  /** A new object's stamp: Redis's createObject. */
  private fresh(): number {
    const now = this.ks.now;
    return this.mode === 'lru' ? lruClock(now) : lfuPack(lfuMinutes(now), LFU_INIT_VAL);
  }

  /** The key's stamp in `dict`; a key not there reads as new. */
  private stamp(dict: KeyTable, key: string): number {
    const i = dict.indexOf(key);
    return i < 0 ? this.fresh() : dict.stampAt(i);
  }

  touch(db: Database): void {
    const now = this.ks.now;
    const dict = db.dict;
    const i = dict.found;
    if (this.mode === 'lru') {
      dict.setStampAt(i, lruClock(now));
      return;
    }
    const counter = lfuLogIncr(lfuDecayed(dict.stampAt(i), now, this.decayTime), this.logFactor);
    dict.setStampAt(i, lfuPack(lfuMinutes(now), counter));
  }

  created(db: Database): void {
    db.dict.setStampAt(db.dict.found, this.fresh());
  }

  flushed(db: Database): void {
    db.dict.keepStamps(this.fresh());
    this.walks[db.index] = newWalk();
  }

  swapped(a: Database, b: Database): void {
    this.walks[a.index] = newWalk();
    this.walks[b.index] = newWalk();
  }

  /**
   * RESTORE … IDLETIME or FREQ (Redis's objectSetLRUOrLFU): under LFU a
   * FREQ sets the counter, under LRU an IDLETIME in seconds backdates the
   * clock (wrapping as Redis does when it would go below 0); -1 for none.
   */
  restore(db: Database, key: string, idleSecs: number, freq: number): void {
    // Only a hint the policy keeps sets a stamp: the key is not looked up for nothing.
    if (this.mode === 'lfu' ? freq < 0 : idleSecs < 0) return;
    const now = this.ks.now;
    const i = db.dict.indexOf(key);
    if (i < 0) return;
    if (this.mode === 'lfu') {
      db.dict.setStampAt(i, lfuPack(lfuMinutes(now), freq));
      return;
    }
    const clock = lruClock(now);
    let stamp = clock - idleSecs;
    if (stamp < 0) stamp = (clock + Math.floor(LRU_CLOCK_MAX / 2)) % LRU_CLOCK_MAX;
    db.dict.setStampAt(i, stamp);
  }

  /** rdbSaveKeyValuePair's hint: whole idle seconds under LRU, the decayed counter under LFU. */
  savedHint(dict: KeyTable, key: string): number {
    const stamp = this.stamp(dict, key);
    const now = this.ks.now;
    return this.mode === 'lru' ? Math.floor(idleMs(stamp, now) / 1000) : lfuDecayed(stamp, now, this.decayTime);
  }

  /** OBJECT IDLETIME's milliseconds (LRU mode). */
  idleMs(db: Database, key: string): number {
    return idleMs(this.stamp(db.dict, key), this.ks.now);
  }

  /** OBJECT FREQ's counter, decayed to now without being stored (LFU mode). */
  frequency(db: Database, key: string): number {
    return lfuDecayed(this.stamp(db.dict, key), this.ks.now, this.decayTime);
  }

  /**
   * How good a victim the key is, higher first (evictionPoolPopulate's
   * `idle`): idle time under LRU, 255 minus the decayed counter under LFU.
   */
  score(db: Database, key: string): number {
    return this.scoreOf(this.stamp(db.dict, key));
  }

  private scoreOf(stamp: number): number {
    return this.mode === 'lru' ? idleMs(stamp, this.ks.now) : 255 - lfuDecayed(stamp, this.ks.now, this.decayTime);
  }

  /**
   * Offers the eviction pool up to `n` keys of the database with their
   * scores and positions, walking round the dictionary's positions from
   * where the last walk stopped: a key and its stamp cost a read of
   * consecutive memory, where a random sample costs a lookup. A stretch of
   * keys used recently gives poor candidates, which is why the evictor reads
   * on while the pool's best is below typicalScore. Returns how many were
   * offered.
   */
  sweep(db: Database, n: number, offer: (score: number, key: string, at: number) => void): number {
    const dict: KeyTable = db.dict;
    const size = dict.size;
    const walk = this.walks[db.index];
    let offered = 0;
    for (; offered < n && offered < size; offered++) {
      if (walk.at >= size) {
        walk.at = 0;
        if (walk.lapCount !== 0) walk.lastLapMean = walk.lapSum / walk.lapCount;
        walk.lapSum = 0;
        walk.lapCount = 0;
      }
      const at = walk.at++;
      const score = this.scoreOf(dict.stampAt(at));
      walk.lapSum += score;
      walk.lapCount++;
      offer(score, dict.keyAt(at), at);
    }
    return offered;
  }

  /**
   * What a candidate of the database scores on average: over the walk's
   * last whole lap, or its current one until it has made one.
   */
  typicalScore(db: Database): number {
    const walk = this.walks[db.index];
    if (walk.lastLapMean >= 0) return walk.lastLapMean;
    return walk.lapCount === 0 ? 0 : walk.lapSum / walk.lapCount;
  }
}

/** A walk round one database's positions, and the scores it read in its current lap and its last whole one (-1: none yet). */
interface ClockWalk {
  at: number;
  lapSum: number;
  lapCount: number;
  lastLapMean: number;
}

function newWalk(): ClockWalk {
  return { at: 0, lapSum: 0, lapCount: 0, lastLapMean: -1 };
}
