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
  /** Per database, where the eviction's walk round its clocks stopped (see sweep). */
  private readonly walks: (ClockWalk | null)[];
  /** The stamp a key without an entry reads as: when tracking began. */
  private readonly since: number;
  logFactor = 10;
  decayTime = 1;

  constructor(
    private readonly ks: Keyspace,
    readonly mode: 'lru' | 'lfu',
  ) {
    this.maps = ks.dbs.map(() => new BigMap<string, number>());
    this.walks = ks.dbs.map(() => null);
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
    const map = this.maps[db.index];
    map.set(key, this.fresh());
    // A parked walk keeps every table its Map has grown into since it last moved: let it go once the Map has doubled.
    const walk = this.walks[db.index];
    if (walk !== null && map.size > 2 * walk.startSize + WALK_SLACK) this.walks[db.index] = null;
  }

  forget(db: Database, key: string): void {
    const map = this.maps[db.index];
    if (map.size !== 0) map.delete(key);
  }

  flushed(db: Database): void {
    this.maps[db.index] = new BigMap();
    this.walks[db.index] = null;
  }

  swapped(a: Database, b: Database): void {
    const maps = this.maps;
    [maps[a.index], maps[b.index]] = [maps[b.index], maps[a.index]];
    this.walks[a.index] = null;
    this.walks[b.index] = null;
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

  /**
   * Whether every key of the database has an entry: true unless keys came
   * in before tracking began (then only sampling the dictionary reaches them).
   * Entries never outlive their key (forget), so counting is enough.
   */
  coversAll(db: Database): boolean {
    return this.maps[db.index].size >= db.dict.size;
  }

  /**
   * Offers the eviction pool up to `n` keys of the database with their
   * scores, walking round the clocks from where the last walk stopped: the
   * key and its stamp sit side by side in the Map's entry table, so each
   * costs a read of the next entry where a sampled key costs a hash lookup.
   * The walk goes in the order keys were first stamped; a stretch of keys
   * used recently gives poor candidates, which is why the evictor reads on
   * while the pool's best is below typicalScore. Returns how many were
   * offered.
   */
  sweep(db: Database, n: number, offer: (score: number, key: string) => void): number {
    const map = this.maps[db.index];
    const size = map.size;
    let walk = this.walks[db.index];
    if (walk === null || walk.map !== map) {
      walk = this.walks[db.index] = { map, part: 0, it: map.partEntries(0), startSize: size, lapSum: 0, lapCount: 0, lastLapMean: -1 };
    }
    const now = this.ks.now;
    const lru = this.mode === 'lru';
    let offered = 0;
    let restarts = 0;
    while (offered < n && offered < size) {
      const r = walk.it.next();
      if (r.done) {
        // The next part, or round to the first; a walk that meets its start twice over has nothing to give.
        walk.part = walk.part + 1 < map.partCount ? walk.part + 1 : 0;
        if (walk.part === 0) {
          if (++restarts > 2) break;
          if (walk.lapCount !== 0) walk.lastLapMean = walk.lapSum / walk.lapCount;
          walk.lapSum = 0;
          walk.lapCount = 0;
        }
        walk.it = map.partEntries(walk.part);
        continue;
      }
      const [key, stamp] = r.value;
      const score = lru ? idleMs(stamp, now) : 255 - lfuDecayed(stamp, now, this.decayTime);
      walk.lapSum += score;
      walk.lapCount++;
      offer(score, key);
      offered++;
    }
    return offered;
  }

  /**
   * What a candidate of the database scores on average: over the walk's
   * last whole lap, or its current one until it has made one.
   */
  typicalScore(db: Database): number {
    const walk = this.walks[db.index];
    if (walk === null) return 0;
    if (walk.lastLapMean >= 0) return walk.lastLapMean;
    return walk.lapCount === 0 ? 0 : walk.lapSum / walk.lapCount;
  }

  /** Entries held, over all databases (MEMORY STATS' overhead). */
  get entries(): number {
    let n = 0;
    for (const m of this.maps) n += m.size;
    return n;
  }
}

/** A walk round one database's clocks: the part of the BigMap it is in, and where. */
interface ClockWalk {
  map: BigMap<string, number>;
  part: number;
  it: Iterator<[string, number]>;
  /** The Map's size when the walk began (see created). */
  startSize: number;
  /** The scores read in the current lap, and the mean of the last whole one (-1: none yet). */
  lapSum: number;
  lapCount: number;
  lastLapMean: number;
}

/** Growth a parked walk is allowed beyond doubling before it is dropped, so that small Maps do not restart their walks often. */
const WALK_SLACK = 1024;
