import { describe, expect, test } from 'vitest';
import { keyHashSlot } from '../../src/keyspace/key-slot.js';
import { Keyspace } from '../../src/keyspace/keyspace.js';
import { seededInts } from '../helpers/seeded.js';
import { expectSlotIndexExact } from '../helpers/slot-index-check.js';

/** Keys that all hash to the slot of `{tag}`. */
const tagged = (tag: string, n: number) => Array.from({ length: n }, (_, i) => `{${tag}}:${i}`);

describe('the slot → keys index of database 0', () => {
  test('is off until enabled: counts are 0 and no key is listed', () => {
    const ks = new Keyspace();
    ks.db(0).set('{a}x', 'v');
    expect(ks.clusterMode).toBe(false);
    expect(ks.countKeysInSlot(keyHashSlot('a'))).toBe(0);
    expect(ks.getKeysInSlot(keyHashSlot('a'), 10)).toEqual([]);
    expect(ks.deleteKeysInSlot(keyHashSlot('a'))).toBe(0);
    expect(ks.db(0).has('{a}x')).toBe(true);
  });

  test('enabled, it indexes the keys already there and every key added after', () => {
    const ks = new Keyspace();
    ks.db(0).set('{a}1', 'v');
    ks.enableSlotIndex();
    ks.db(0).set('{a}2', 'v');
    ks.db(0).set('b', 'v');
    expect(ks.clusterMode).toBe(true);
    expect(ks.countKeysInSlot(keyHashSlot('a'))).toBe(2);
    expect(ks.countKeysInSlot(keyHashSlot('b'))).toBe(1);
    expectSlotIndexExact(ks);
  });

  test('only database 0 is indexed, as a cluster node has no other', () => {
    const ks = new Keyspace();
    ks.enableSlotIndex();
    ks.db(1).set('k', 'v');
    expect(ks.countKeysInSlot(keyHashSlot('k'))).toBe(0);
  });

  test('GETKEYSINSLOT lists the newest keys first, at most the count asked', () => {
    const ks = new Keyspace();
    ks.enableSlotIndex();
    for (const key of tagged('t', 5)) ks.db(0).set(key, 'v');
    expect(ks.getKeysInSlot(keyHashSlot('t'), 3)).toEqual(['{t}:4', '{t}:3', '{t}:2']);
    expect(ks.getKeysInSlot(keyHashSlot('t'), 0)).toEqual([]);
  });

  test('GETKEYSINSLOT keeps Redis\'s order, newest first, through removals anywhere, overwrites, re-adds, slots dropped whole and the moves removals make', () => {
    for (const seed of [1, 2, 3]) {
      const rand = seededInts(seed);
      const ks = new Keyspace();
      ks.enableSlotIndex();
      const db = ks.db(0);
      // Per slot, its keys oldest first: an overwrite keeps a key's place, a key added again is the newest.
      const model = new Map<number, string[]>();
      const tags = ['a', 'b', 'c'];
      for (let step = 0; step < 20_000; step++) {
        const tag = tags[rand(tags.length)];
        const slot = keyHashSlot(tag);
        const list = model.get(slot) ?? [];
        model.set(slot, list);
        // Removals outrun adds in stretches, so that lists empty, shrink from the end and are packed.
        const removing = step % 4000 < 2000 ? rand(3) === 0 : rand(3) !== 0;
        if (step % 1500 === 1499) {
          // A slot dropped whole goes from its newest key, which must stay at the end of its list.
          expect(ks.deleteKeysInSlot(slot)).toBe(list.length);
          list.length = 0;
        } else if (removing && list.length > 0) {
          const key = list[rand(2) === 0 ? list.length - 1 : rand(list.length)];
          expect(db.delete(key)).toBe(true);
          list.splice(list.indexOf(key), 1);
        } else {
          const key = `{${tag}}${rand(400)}`;
          db.set(key, 'v');
          if (!list.includes(key)) list.push(key);
        }
        if (step % 97 === 0) {
          for (const [s, keys] of model) {
            expect(ks.getKeysInSlot(s, Number.MAX_SAFE_INTEGER)).toEqual([...keys].reverse());
            expect(ks.getKeysInSlot(s, 5)).toEqual([...keys].reverse().slice(0, 5));
          }
        }
      }
      expectSlotIndexExact(ks);
    }
  });

  test('deleting a slot\'s keys removes them alone, each a change propagated as DEL (UNLINK when lazy)', () => {
    const ks = new Keyspace();
    const propagated: string[][] = [];
    ks.listener = { ...ks.listener, propagate: (_db, argv) => propagated.push(argv) };
    ks.enableSlotIndex();
    for (const key of [...tagged('gone', 3), ...tagged('kept', 2)]) ks.db(0).set(key, 'v');
    const dirty = ks.dirty;
    expect(ks.deleteKeysInSlot(keyHashSlot('gone'))).toBe(3);
    expect(ks.dirty - dirty).toBe(3);
    expect(propagated.map((a) => a[0])).toEqual(['DEL', 'DEL', 'DEL']);
    expect(new Set(propagated.map((a) => a[1]))).toEqual(new Set(tagged('gone', 3)));
    expect(ks.countKeysInSlot(keyHashSlot('gone'))).toBe(0);
    expect(ks.db(0).size).toBe(2);
    ks.deleteKeysInSlot(keyHashSlot('kept'), true);
    expect(propagated.slice(3).map((a) => a[0])).toEqual(['UNLINK', 'UNLINK']);
    expectSlotIndexExact(ks);
  });

  test('deleting a slot\'s keys breaks WATCH on them', () => {
    const ks = new Keyspace();
    ks.enableSlotIndex();
    ks.db(0).set('{w}k', 'v');
    const watcher = { casDirty: false };
    ks.db(0).watch('{w}k', watcher);
    ks.deleteKeysInSlot(keyHashSlot('w'));
    expect(watcher.casDirty).toBe(true);
  });

  test('FLUSHDB and FLUSHALL empty it and it goes on indexing the new contents', () => {
    const ks = new Keyspace();
    ks.enableSlotIndex();
    ks.db(0).set('a', 'v');
    ks.flushDb(0);
    expectSlotIndexExact(ks);
    ks.db(0).set('b', 'v');
    ks.flushAll();
    ks.db(0).set('c', 'v');
    expect(ks.countKeysInSlot(keyHashSlot('c'))).toBe(1);
    expectSlotIndexExact(ks);
  });

  test('a swap of database 0\'s contents (which cluster mode refuses) leaves the index with database 0', () => {
    const ks = new Keyspace();
    ks.enableSlotIndex();
    ks.db(0).set('zero', 'v');
    ks.db(1).set('one', 'v');
    ks.swap(0, 1);
    expect(ks.countKeysInSlot(keyHashSlot('one'))).toBe(1);
    expect(ks.countKeysInSlot(keyHashSlot('zero'))).toBe(0);
    ks.db(1).set('more', 'v');
    expect(ks.countKeysInSlot(keyHashSlot('more'))).toBe(0);
    expectSlotIndexExact(ks);
  });

  test('stays exact through random adds, overwrites, deletes, moves between databases, expiries and slot deletions', () => {
    for (const seed of [1, 2, 3]) {
      const rand = seededInts(seed);
      const ks = new Keyspace(2);
      ks.enableSlotIndex();
      const db0 = ks.db(0);
      const db1 = ks.db(1);
      // Few tags, so slots hold several keys and lists are long enough to be cut in the middle; long keys are kept as JS strings.
      const key = () => (rand(5) === 0 ? `${'L'.repeat(300)}${rand(50)}` : `{t${rand(8)}}${rand(1000)}`);
      let largest = 0;
      for (let step = 0; step < 6000; step++) {
        ks.now = 1000 + step;
        const op = rand(100);
        const k = key();
        if (op < 40) db0.set(k, rand(2) === 0 ? 'small' : 'x'.repeat(rand(400)));
        else if (op < 60) db0.delete(k);
        else if (op < 67) db0.put(k, 'renamed', rand(2) === 0 ? -1 : ks.now + rand(20));
        else if (op < 72) {
          // MOVE: detached from one database, put in the other.
          const [from, to] = rand(2) === 0 ? [db0, db1] : [db1, db0];
          const v = from.get(k);
          if (v !== undefined && to.get(k) === undefined) {
            to.put(k, v, -1);
            from.detach(k);
          }
        } else if (op < 80) {
          if (db0.get(k) !== undefined) db0.setDeadline(k, ks.now + rand(5));
        } else if (op < 90) db0.get(k);
        else if (op < 95) ks.activeExpireCycle(5);
        else if (op < 97) {
          if (rand(20) === 0) ks.deleteKeysInSlot(keyHashSlot(k), rand(2) === 0);
        }
        else if (op < 98) db0.remove(k);
        else if (op === 98 && rand(50) === 0) ks.flushDb(rand(2));
        else db1.set(k, 'v');
        largest = Math.max(largest, db0.size);
        if (step % 500 === 0) expectSlotIndexExact(ks);
      }
      expectSlotIndexExact(ks);
      // Past a chunk of positions, so that chunks are made and dropped.
      expect(largest).toBeGreaterThan(1024);
    }
  });
});
