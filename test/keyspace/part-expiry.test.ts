import { describe, expect, test } from 'vitest';
import type { Database } from '../../src/keyspace/database.js';
import { Keyspace } from '../../src/keyspace/keyspace.js';
import type { TypedValue } from '../../src/keyspace/value.js';

/** A value with parts due at the given times; expiring one removes the earliest. */
class Parted implements TypedValue {
  readonly type = 'hash' as const;
  calls: { key: string; budget: number }[] = [];
  constructor(public parts: number[]) {
    this.parts.sort((a, b) => a - b);
  }
  encoding(): string {
    return 'test';
  }
  clone(): Parted {
    return new Parted([...this.parts]);
  }
  memoryUsage(): number {
    return 0;
  }
  partDeadline(): number {
    return this.parts.length === 0 ? -1 : this.parts[0];
  }
  expireParts(_ks: Keyspace, db: Database, key: string, now: number, budget: number): number {
    this.calls.push({ key, budget });
    let n = 0;
    while (n < budget && this.parts.length !== 0 && this.parts[0] <= now) {
      this.parts.shift();
      n++;
    }
    db.partsExpireAt(key, this.partDeadline());
    return n;
  }
}

describe('the active expiry of parts (hash fields with a TTL)', () => {
  test('visits only keys whose recorded deadline is due, earliest first, and records what the value answers next', () => {
    const ks = new Keyspace(2);
    const d = ks.db(0);
    const now = Date.now();
    const soon = new Parted([now - 10, now - 5, now + 100_000]);
    const later = new Parted([now + 100_000]);
    d.put('soon', soon, -1);
    d.put('later', later, -1);
    expect([...d.partExpires.entries()]).toEqual([['soon', now - 10], ['later', now + 100_000]]);
    ks.activeExpireCycle(100);
    expect(soon.parts).toEqual([now + 100_000]);
    expect(later.calls).toEqual([]);
    expect(d.partExpires.get('soon')).toBe(now + 100_000);
  });

  test('RENAME-like moves (remove, then put under another key or database) carry the entry; SWAPDB swaps them', () => {
    const ks = new Keyspace(3);
    const [a, b, c] = [ks.db(0), ks.db(1), ks.db(2)];
    const v = new Parted([Date.now() - 1]);
    a.put('k', v, -1);
    a.remove('k');
    b.put('moved', v, -1);
    expect(a.partExpires.size).toBe(0);
    expect(b.partExpires.get('moved')).toBe(v.parts[0]);
    ks.swap(1, 2);
    expect(c.partExpires.get('moved')).toBe(v.parts[0]);
    ks.activeExpireCycle(100);
    expect(v.calls.map((x) => x.key)).toEqual(['moved']);
    expect(c.partExpires.size).toBe(0);
  });

  test('an entry that outlived its value (SET over the key, FLUSHDB) is dropped when it comes due, without a call', () => {
    const ks = new Keyspace(1);
    const d = ks.db(0);
    const v = new Parted([Date.now() - 1]);
    d.put('k', v, -1);
    d.set('k', 'a string now');
    ks.activeExpireCycle(100);
    expect(v.calls).toEqual([]);
    expect(d.partExpires.size).toBe(0);
    d.put('k2', new Parted([Date.now() + 1000]), -1);
    ks.flushDb(0);
    expect([d.partExpires.size, d.partHeap.length]).toEqual([0, 0]);
  });

  test('a slice expires at most 1,000 parts in a database and reports the backlog; later slices finish', () => {
    const ks = new Keyspace(1);
    const d = ks.db(0);
    const now = Date.now();
    const v = new Parted(Array.from({ length: 2500 }, (_, i) => now - 1000 + (i % 100)));
    d.put('k', v, -1);
    ks.activeExpireCycle(100);
    expect(v.parts.length).toBe(1500);
    expect(ks.expireBacklog).toBe(true);
    ks.activeExpireCycle(100);
    ks.activeExpireCycle(100);
    expect(v.parts.length).toBe(0);
    expect(ks.expireBacklog).toBe(false);
    expect(v.calls.map((x) => x.budget)).toEqual([1000, 1000, 1000]);
  });

  test("repeated changes of one key's deadline do not grow the heap without bound", () => {
    const ks = new Keyspace(1);
    const d = ks.db(0);
    for (let i = 0; i < 10_000; i++) d.partsExpireAt('k', Date.now() + 1_000_000 + i);
    expect(d.partHeap.length).toBeLessThanOrEqual(2 * d.partExpires.size + 65);
  });
});
