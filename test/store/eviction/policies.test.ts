import { describe, expect, test } from 'vitest';
import { AccessClocks } from '../../../src/store/eviction/access-clocks.js';
import { Evictor } from '../../../src/store/eviction/evict.js';
import { Keyspace, type EventClass } from '../../../src/keyspace/keyspace.js';

const HOUR = 3600_000;

/** A keyspace with the access clocks a policy needs, its clock under the test's control. */
function keyspace(policy: string): { ks: Keyspace; ev: Evictor; events: [EventClass, string, string][]; effects: string[][] } {
  const ks = new Keyspace(2);
  ks.now = 1_700_000_000_000;
  const events: [EventClass, string, string][] = [];
  const effects: string[][] = [];
  ks.listener = { expired() {}, notify: (_db, type, event, key) => events.push([type, event, key]), propagate: (_db, argv) => effects.push(argv), flushedAll() {} };
  const ev = new Evictor(ks);
  ev.setPolicy(policy);
  // No time limit: each run evicts all it has to in one go.
  ev.tenacity = 100;
  const mode = ev.policy.kind;
  if (mode === 'lru' || mode === 'lfu') {
    ks.access = new AccessClocks(ks, mode);
    ks.touching = true;
  }
  return { ks, ev, events, effects };
}

/** Fills db 0 with n keys k0..k(n-1); every other one gets a TTL when `ttl` says so. */
function fill(ks: Keyspace, n: number, ttl?: (i: number) => number | undefined): void {
  const db = ks.db(0);
  for (let i = 0; i < n; i++) {
    db.set(`k${i}`, 'v');
    const t = ttl?.(i);
    if (t !== undefined) db.setDeadline(`k${i}`, ks.now + t);
  }
}

/** Evicts down to `keep` keys in db 0. */
function evictTo(ev: Evictor, ks: Keyspace, keep: number): string {
  return ev.run(() => ks.db(0).size - keep);
}

function survivors(ks: Keyspace, from: number, to: number): number {
  let n = 0;
  for (let i = from; i < to; i++) if (ks.db(0).dict.has(`k${i}`)) n++;
  return n;
}

describe('eviction policies, in aggregate', () => {
  test('allkeys-lru keeps the keys used recently', () => {
    const { ks, ev } = keyspace('allkeys-lru');
    fill(ks, 2000);
    ks.now += HOUR;
    for (let i = 1000; i < 2000; i++) ks.db(0).get(`k${i}`);
    ks.now += 1000;
    expect(evictTo(ev, ks, 1000)).toBe('ok');
    expect(ks.db(0).size).toBe(1000);
    // Sampling is an approximation: most, not all, of the recent half survives.
    expect(survivors(ks, 1000, 2000)).toBeGreaterThan(900);
  });

  test('allkeys-lru passes over stretches of recently used keys wherever they sit in creation order', () => {
    const { ks, ev } = keyspace('allkeys-lru');
    fill(ks, 4000);
    ks.now += HOUR;
    // Blocks of 250 keys, every other block used recently.
    const recent = (i: number): boolean => Math.floor(i / 250) % 2 === 1;
    for (let i = 0; i < 4000; i++) if (recent(i)) ks.db(0).get(`k${i}`);
    ks.now += 1000;
    expect(evictTo(ev, ks, 2000)).toBe('ok');
    let kept = 0;
    for (let i = 0; i < 4000; i++) if (recent(i) && ks.db(0).dict.has(`k${i}`)) kept++;
    expect(kept).toBeGreaterThan(1800);
  });

  test('allkeys-lru keeps the keys used recently when the keys were there before the policy was chosen', () => {
    const { ks, ev } = keyspace('noeviction');
    fill(ks, 2000);
    ev.setPolicy('allkeys-lru');
    ks.access = new AccessClocks(ks, 'lru');
    ks.touching = true;
    ks.now += HOUR;
    for (let i = 1000; i < 2000; i++) ks.db(0).get(`k${i}`);
    ks.now += 1000;
    expect(evictTo(ev, ks, 1000)).toBe('ok');
    expect(survivors(ks, 1000, 2000)).toBeGreaterThan(900);
  });

  test('allkeys-lfu keeps the keys used often', () => {
    const { ks, ev } = keyspace('allkeys-lfu');
    fill(ks, 2000);
    for (let round = 0; round < 20; round++) for (let i = 0; i < 1000; i += 2) ks.db(0).get(`k${i}`);
    evictTo(ev, ks, 1000);
    let hot = 0;
    for (let i = 0; i < 1000; i += 2) if (ks.db(0).dict.has(`k${i}`)) hot++;
    expect(hot).toBeGreaterThan(450);
  });

  test('volatile-ttl evicts the keys closest to expiring and never a persistent one', () => {
    const { ks, ev } = keyspace('volatile-ttl');
    fill(ks, 3000, (i) => (i < 2000 ? (i + 1) * 1000 : undefined));
    evictTo(ev, ks, 2000);
    expect(survivors(ks, 2000, 3000)).toBe(1000);
    // The half with the longest TTLs mostly survives.
    expect(survivors(ks, 1000, 2000)).toBeGreaterThan(800);
  });

  test.each(['volatile-lru', 'volatile-lfu', 'volatile-random', 'volatile-ttl'])(
    '%s evicts only keys with a TTL, and fails once none is left',
    (policy) => {
      const { ks, ev } = keyspace(policy);
      fill(ks, 400, (i) => (i % 2 === 0 ? HOUR : undefined));
      expect(evictTo(ev, ks, 300)).toBe('ok');
      expect(ks.db(0).expires.size).toBe(100);
      expect(evictTo(ev, ks, 100)).toBe('fail');
      expect(ks.db(0).size).toBe(200);
      expect(ks.db(0).expires.size).toBe(0);
    },
  );

  test.each(['allkeys-lru', 'allkeys-lfu', 'allkeys-random'])('%s may evict every key, across databases', (policy) => {
    const { ks, ev } = keyspace(policy);
    fill(ks, 50);
    ks.db(1).set('other', 'v');
    expect(ev.run(() => ks.db(0).size + ks.db(1).size + 1)).toBe('fail');
    expect(ks.db(0).size + ks.db(1).size).toBe(0);
    expect(ev.evictedKeys).toBe(51);
  });

  test('allkeys-random spreads evictions over the keyspace', () => {
    const { ks, ev } = keyspace('allkeys-random');
    fill(ks, 2000);
    evictTo(ev, ks, 1000);
    const firstHalf = survivors(ks, 0, 1000);
    expect(firstHalf).toBeGreaterThan(400);
    expect(firstHalf).toBeLessThan(600);
  });

  test('noeviction evicts nothing and fails while over', () => {
    const { ks, ev } = keyspace('noeviction');
    fill(ks, 10);
    expect(evictTo(ev, ks, 5)).toBe('fail');
    expect(ks.db(0).size).toBe(10);
    expect(evictTo(ev, ks, 10)).toBe('ok');
  });

  test('an eviction raises the evicted event, propagates a DEL (UNLINK when lazy) and breaks WATCH', () => {
    const { ks, ev, events, effects } = keyspace('allkeys-random');
    fill(ks, 2);
    const watcher = { casDirty: false };
    ks.db(0).watch('k0', watcher);
    ks.db(0).watch('k1', watcher);
    evictTo(ev, ks, 1);
    ev.lazy = true;
    evictTo(ev, ks, 0);
    expect(events.map((e) => e.slice(0, 2))).toEqual([['e', 'evicted'], ['e', 'evicted']]);
    expect(effects.map((e) => e[0])).toEqual(['DEL', 'UNLINK']);
    expect(watcher.casDirty).toBe(true);
  });

  test('a slice stops at the tenacity time limit and reports the eviction still running', () => {
    const { ks, ev } = keyspace('allkeys-random');
    fill(ks, 100);
    ev.tenacity = 0;
    expect(evictTo(ev, ks, 0)).toBe('running');
    // The clock is read after every 16 evictions.
    expect(ks.db(0).size).toBe(84);
  });
});
