import { describe, expect, test } from 'vitest';
import { Keyspace } from '../../src/keyspace/keyspace.js';
import { keyHashSlot } from '../../src/cluster/key-slot.js';
import { AccessClocks } from '../../src/store/eviction/access-clocks.js';
import { KeySizeTotals } from '../../src/store/eviction/key-sizes.js';

/** A keyspace loaded aside (a replica's snapshot parsed as it arrived) takes the place of the server's in one step. */
describe('Keyspace.adopt', () => {
  function staged(count: number): Keyspace {
    const ks = new Keyspace(2);
    for (let i = 0; i < count; i++) ks.db(0).put(`k:${i}`, `v:${i}`, i % 2 === 0 ? Date.now() + 60_000 : -1);
    ks.db(1).put('other', 'db', -1);
    return ks;
  }

  test('the databases hold the staged keys, their deadlines, and nothing of what was there', () => {
    const ks = new Keyspace(2);
    ks.db(0).put('old', 'gone', -1);
    ks.flushAll();
    ks.adopt(staged(100));
    expect(ks.db(0).size).toBe(100);
    expect(ks.db(0).get('k:7')).toBe('v:7');
    expect(ks.db(0).expires.get('k:8')).toBeGreaterThan(Date.now());
    expect(ks.db(0).expires.get('k:7')).toBeUndefined();
    expect(ks.db(1).get('other')).toBe('db');
    expect(ks.db(0).get('old')).toBeUndefined();
  });

  test('maxmemory counts the adopted keys as it would had they been stored one by one', () => {
    const direct = new Keyspace(2);
    const source = staged(50);
    for (let i = 0; i < 2; i++) for (const [k, v] of source.db(i).dict.entries()) direct.db(i).put(k, v, -1);
    const counted = new KeySizeTotals(direct);
    const ks = new Keyspace(2);
    const sizes = new KeySizeTotals(ks);
    ks.sizes = sizes;
    ks.adopt(staged(50));
    expect(sizes.total).toBe(counted.total);
    expect(sizes.ofDb(ks.db(1))).toBe(counted.ofDb(direct.db(1)));
  });

  test('the keys start with fresh access clocks, and a cluster node indexes them by slot', () => {
    const ks = new Keyspace(2);
    ks.enableSlotIndex();
    ks.access = new AccessClocks(ks, 'lru');
    const from = staged(20);
    ks.adopt(from);
    expect((ks.access as AccessClocks).idleMs(ks.db(0), 'k:3')).toBeLessThan(2000);
    const slot = keyHashSlot('k:3');
    expect(ks.countKeysInSlot(slot)).toBe([...Array(20).keys()].filter((i) => keyHashSlot(`k:${i}`) === slot).length);
    expect(ks.getKeysInSlot(slot, 100)).toContain('k:3');
  });
});
