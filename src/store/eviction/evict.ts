import { performance } from 'node:perf_hooks';
import { msSince, NO_LATENCY, type LatencySink } from '../../core/latency.js';
import type { Database } from '../../keyspace/database.js';
import type { Keyspace } from '../../keyspace/keyspace.js';
import type { AccessClocks } from './access-clocks.js';
import { EvictionPool } from './eviction-pool.js';
import { parsePolicy, type Policy } from './policies.js';

/** performEvictions' outcome: under the limit, still over but more slices follow, or nothing left to evict. */
export type EvictionResult = 'ok' | 'running' | 'fail';

/** How many samples' worth of keys one eviction may walk past looking for a typical candidate (see populate). */
const LOOKAHEAD = 16;

/** Keys evicted between two looks at the clock, as Redis. */
const CLOCK_EVERY = 16;

/**
 * How long one eviction slice may run, in ms, from maxmemory-eviction-tenacity
 * (evictionTimeLimitUs): 50 µs a step up to 10 (500 µs), growing by 15 % a
 * step beyond, and no limit at 100.
 */
export function evictionTimeLimitMs(tenacity: number): number {
  if (tenacity <= 10) return (50 * tenacity) / 1000;
  if (tenacity < 100) return (500 * 1.15 ** (tenacity - 10)) / 1000;
  return Infinity;
}

/**
 * Redis's performEvictions: while used memory is over the limit, pick a
 * victim as the policy says and delete it (an `evicted` event, a DEL or
 * UNLINK propagated, WATCH broken), for at most one time slice.
 */
export class Evictor {
  policy: Policy = parsePolicy('noeviction');
  samples = 5;
  tenacity = 10;
  /** lazyfree-lazy-eviction: evictions propagate as UNLINK. */
  lazy = false;
  evictedKeys = 0;
  /** Where eviction-cycle and eviction-del latencies go. */
  latency: LatencySink = NO_LATENCY;
  private readonly pool = new EvictionPool();
  /** Per database, where volatile sampling stopped walking the deadlines. */
  private readonly walks: ({ map: object; it: Iterator<[string, number]> } | null)[];
  private nextDb = 0;
  private readonly offers: ((score: number, key: string, at: number) => void)[] = [];

  constructor(private readonly ks: Keyspace) {
    this.walks = ks.dbs.map(() => null);
  }

  setPolicy(name: string): void {
    if (name === this.policy.name) return;
    this.policy = parsePolicy(name);
    // Scores of one policy mean nothing to another.
    this.pool.clear();
  }

  /** Evicts while `over()` (bytes above the limit) is positive. */
  run(over: () => number): EvictionResult {
    if (over() <= 0) return 'ok';
    if (this.policy.kind === 'none') return 'fail';
    const start = performance.now();
    const result = this.slice(over, start);
    if (this.latency.threshold !== 0) this.latency.addIfNeeded('eviction-cycle', msSince(start));
    return result;
  }

  private slice(over: () => number, start: number): EvictionResult {
    const limit = evictionTimeLimitMs(this.tenacity);
    let evicted = 0;
    while (over() > 0) {
      const victim = this.policy.kind === 'random' ? this.randomVictim() : this.bestVictim();
      if (victim === null) return 'fail';
      this.evict(victim[0], victim[1]);
      if (++evicted % CLOCK_EVERY === 0 && performance.now() - start > limit) return over() > 0 ? 'running' : 'ok';
    }
    return 'ok';
  }

  private evict(db: Database, key: string): void {
    const start = this.latency.threshold !== 0 ? performance.now() : -1;
    db.remove(key);
    if (start !== -1) this.latency.addIfNeeded('eviction-del', msSince(start));
    db.signal(key);
    this.evictedKeys++;
    this.ks.notify(db, 'e', 'evicted', key);
    this.ks.listener.propagate(db, [this.lazy ? 'UNLINK' : 'DEL', key]);
  }

  private candidates(db: Database): { size: number; has(key: string): boolean } {
    return this.policy.volatile ? db.expires : db.dict;
  }

  /** LRU, LFU and TTL: sample every database into the pool, then take its best live candidate. */
  private bestVictim(): [Database, string] | null {
    const dbs = this.ks.dbs;
    for (;;) {
      let keys = 0;
      for (const db of dbs) {
        const size = this.candidates(db).size;
        if (size === 0) continue;
        keys += size;
        this.populate(db);
      }
      if (keys === 0) return null;
      for (let c = this.pool.pop(); c !== undefined; c = this.pool.pop()) {
        const db = dbs[c.db];
        // Still at the position it was offered from (a removal since may have moved another key there), else looked up.
        if (db.dict.holdsAt(c.at, c.key)) return [db, c.key];
        if (this.candidates(db).has(c.key)) return [db, c.key];
      }
    }
  }

  /**
   * Offers `maxmemory-samples` keys of a database to the pool. Under
   * allkeys-lru and allkeys-lfu they come from a walk round the
   * dictionary's positions and stamps (AccessClocks.sweep): no lookup per
   * key, which is what a random sample costs, in cache misses. Under the
   * volatile policies they are drawn uniformly from the dictionary (a draw
   * may land on a key without a TTL: it is drawn again, a bounded number of
   * times); deadlines have no random access, so when few keys have one, the
   * rest of the sample walks round them.
   */
  private populate(db: Database): void {
    const n = this.samples;
    const volatile = this.policy.volatile;
    let got = 0;
    const access = volatile ? null : (this.ks.access as AccessClocks | null);
    if (access !== null) {
      // Read on past a stretch of recently used keys, within a bound, until the pool holds a typical candidate.
      const offer = this.offerer(db);
      const typical = access.typicalScore(db);
      let walked = access.sweep(db, n, offer);
      while (walked < LOOKAHEAD * n && this.pool.bestScore() < typical) {
        const more = access.sweep(db, n, offer);
        if (more === 0) break;
        walked += more;
      }
      return;
    }
    for (let tries = 0; got < n && tries < 4 * n; tries++) {
      const key = db.dict.randomKey();
      if (key === undefined) break;
      const when = volatile ? db.expires.get(key) : -1;
      if (when === undefined) continue;
      got++;
      this.pool.offer(this.score(db, key, when), key, db.index);
    }
    for (; volatile && got < n && got < db.expires.size; got++) {
      const [key, when] = this.nextDeadline(db);
      this.pool.offer(this.score(db, key, when), key, db.index);
    }
  }

  /** An offer function for the database's candidates, made once per database. */
  private offerer(db: Database): (score: number, key: string, at: number) => void {
    let f = this.offers[db.index];
    if (f === undefined) f = this.offers[db.index] = (score, key, at) => this.pool.offer(score, key, db.index, at);
    return f;
  }

  /** The next entry of a database's deadlines, walking round them from where the last sample stopped. */
  private nextDeadline(db: Database): [string, number] {
    for (;;) {
      let walk = this.walks[db.index];
      // FLUSHDB and SWAPDB give a database another deadline map: the walk starts over on it.
      if (walk === null || walk.map !== db.expires) walk = this.walks[db.index] = { map: db.expires, it: db.expires.entries() };
      const r = walk.it.next();
      if (!r.done) return r.value;
      this.walks[db.index] = null;
    }
  }

  private score(db: Database, key: string, deadline: number): number {
    if (this.policy.kind === 'ttl') return Number.MAX_SAFE_INTEGER - (deadline === -1 ? db.deadline(key) : deadline);
    return (this.ks.access as AccessClocks | null)?.score(db, key) ?? 0;
  }

  /** allkeys-random and volatile-random: one key of the next database that has any. */
  private randomVictim(): [Database, string] | null {
    const dbs = this.ks.dbs;
    for (let i = 0; i < dbs.length; i++) {
      const db = dbs[(++this.nextDb) % dbs.length];
      if (this.candidates(db).size === 0) continue;
      if (this.policy.volatile) return [db, this.randomDeadlineKey(db)];
      return [db, db.dict.randomKey()!];
    }
    return null;
  }

  /**
   * A key with a deadline: drawn from the dictionary, or, when
   * a few draws find none with a TTL, a random 0-15 steps along the walk.
   */
  private randomDeadlineKey(db: Database): string {
    for (let tries = 0; tries < 20; tries++) {
      const key = db.dict.randomKey();
      if (key !== undefined && db.expires.has(key)) return key;
    }
    let skip = Math.floor(Math.random() * 16) % db.expires.size;
    let entry = this.nextDeadline(db);
    while (skip-- > 0) entry = this.nextDeadline(db);
    return entry[0];
  }

}
