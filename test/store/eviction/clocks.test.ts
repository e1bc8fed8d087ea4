import { describe, expect, test } from 'vitest';
import { AccessClocks } from '../../../src/store/eviction/access-clocks.js';
import { EvictionPool } from '../../../src/store/eviction/eviction-pool.js';
import { evictionTimeLimitMs } from '../../../src/store/eviction/evict.js';
import { LFU_INIT_VAL, lfuDecayed, lfuLogIncr, lfuMinutes, lfuPack } from '../../../src/store/eviction/lfu.js';
import { idleMs, LRU_CLOCK_MAX, lruClock } from '../../../src/store/eviction/lru-clock.js';
import { Keyspace } from '../../../src/keyspace/keyspace.js';

const MINUTE = 60_000;

describe('LRU clock', () => {
  test('counts whole seconds, and reads idle time across the 24-bit wrap', () => {
    const now = 1_700_000_000_000;
    expect(idleMs(lruClock(now - 5500), now)).toBe(6000);
    expect(idleMs(lruClock(now - 5000), now)).toBe(5000);
    const wrapAt = (LRU_CLOCK_MAX + 1) * 1000;
    // As estimateObjectIdleTime, a wrap costs one tick: 5 s read as 4.
    expect(idleMs(lruClock(wrapAt - 2000), wrapAt + 3000)).toBe(4000);
  });
});

describe('LFU counter', () => {
  test('the first hit above the initial value always counts; 255 is the ceiling', () => {
    expect(lfuLogIncr(LFU_INIT_VAL, 10, () => 0.999)).toBe(6);
    expect(lfuLogIncr(255, 10, () => 0)).toBe(255);
    // At 15 with factor 10 a hit counts with probability 1/101.
    expect(lfuLogIncr(15, 10, () => 0.5)).toBe(15);
    expect(lfuLogIncr(15, 10, () => 0.005)).toBe(16);
  });

  test('decays by one per lfu-decay-time minutes, never below 0, not at all with decay time 0', () => {
    const now = 1_700_000_000_000;
    const stamp = lfuPack(lfuMinutes(now - 10 * MINUTE), 20);
    expect(lfuDecayed(stamp, now, 1)).toBe(10);
    expect(lfuDecayed(stamp, now, 3)).toBe(17);
    expect(lfuDecayed(stamp, now, 0)).toBe(20);
    expect(lfuDecayed(lfuPack(lfuMinutes(now - 30 * MINUTE), 20), now, 1)).toBe(0);
  });
});

describe('access clocks', () => {
  test('a key untouched since tracking began reads as idle since then; a new key as fresh', () => {
    const ks = new Keyspace(1);
    ks.now = 1_700_000_000_000;
    ks.db(0).set('old', 'v');
    const clocks = new AccessClocks(ks, 'lru');
    ks.access = clocks;
    ks.touching = true;
    ks.now += 10_000;
    ks.db(0).set('new', 'v');
    expect(clocks.idleMs(ks.db(0), 'old')).toBe(10_000);
    expect(clocks.idleMs(ks.db(0), 'new')).toBe(0);
    ks.now += 3000;
    ks.db(0).get('old');
    expect(clocks.idleMs(ks.db(0), 'old')).toBe(0);
    expect(clocks.idleMs(ks.db(0), 'new')).toBe(3000);
  });

  test('an overwritten key keeps its LFU counter, a deleted one starts over', () => {
    const ks = new Keyspace(1);
    const clocks = new AccessClocks(ks, 'lfu');
    ks.access = clocks;
    ks.touching = true;
    const db = ks.db(0);
    db.set('k', 'v');
    db.get('k');
    expect(clocks.frequency(db, 'k')).toBe(6);
    db.set('k', 'w');
    expect(clocks.frequency(db, 'k')).toBe(6);
    db.delete('k');
    db.set('k', 'v');
    expect(clocks.frequency(db, 'k')).toBe(LFU_INIT_VAL);
  });
});

describe('eviction pool', () => {
  test('keeps the 16 best candidates and gives the best first', () => {
    const pool = new EvictionPool();
    for (let i = 0; i < 40; i++) pool.offer((i * 7) % 40, `k${(i * 7) % 40}`, 0);
    expect(pool.size).toBe(16);
    const out: string[] = [];
    for (let e = pool.pop(); e !== undefined; e = pool.pop()) out.push(e.key);
    expect(out).toEqual(Array.from({ length: 16 }, (_, i) => `k${39 - i}`));
  });
});

test('tenacity: 50 µs a step to 10, then 15 % more a step, unlimited at 100', () => {
  expect(evictionTimeLimitMs(0)).toBe(0);
  expect(evictionTimeLimitMs(10)).toBe(0.5);
  expect(evictionTimeLimitMs(11)).toBeCloseTo(0.575);
  expect(evictionTimeLimitMs(100)).toBe(Infinity);
});
