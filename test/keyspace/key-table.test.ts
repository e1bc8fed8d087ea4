import { describe, expect, test } from 'vitest';
import { KeyTable, WALK_MARKS } from '../../src/keyspace/key-table.js';
import type { Value } from '../../src/keyspace/value.js';
import type { ByteSlabs } from '../../src/keyspace/compact/byte-slabs.js';
import v8 from 'node:v8';
import { gc } from '../helpers/gc.js';
import { seededInts } from '../helpers/seeded.js';

/** Every key's position answers for it, and positions 0..size-1 hold exactly the model's keys. */
function expectConsistent(t: KeyTable, model: Map<string, Value>): void {
  expect(t.size).toBe(model.size);
  const keys = [...t.keys()];
  expect(new Set(keys)).toEqual(new Set(model.keys()));
  keys.forEach((k, i) => {
    expect(t.indexOf(k)).toBe(i);
    expect(t.valueAt(i)).toBe(model.get(k));
  });
}

describe('KeyTable', () => {
  test('set answers the value it replaced (undefined for a new key) and leaves `found` at the key\'s position', () => {
    const t = new KeyTable();
    expect(t.set('a', 'one')).toBeUndefined();
    expect(t.found).toBe(0);
    expect(t.set('b', 'two')).toBeUndefined();
    expect(t.found).toBe(1);
    expect(t.set('a', 'uno')).toBe('one');
    expect(t.found).toBe(0);
    expect(t.get('b')).toBe('two');
    expect(t.found).toBe(1);
    expect(t.get('nosuch')).toBeUndefined();
    expect(t.indexOf('nosuch')).toBe(-1);
  });

  test('the position `found` answers a repeated key only while it still holds that key', () => {
    const t = new KeyTable();
    t.set('a', '1');
    t.set('b', '2');
    t.set('c', '3');
    expect(t.get('a')).toBe('1');
    // Removing a moves c, the last key, into its position: found now holds c, and a lookup of a must miss.
    expect(t.take('a')).toBe('1');
    expect(t.get('a')).toBeUndefined();
    expect(t.get('c')).toBe('3');
    expect(t.found).toBe(0);
    expect(t.set('c', 'three')).toBe('3');
    expect(t.take('b')).toBe('2');
    expect([...t.entries()]).toEqual([['c', 'three']]);
    expect(t.set('b', 'again')).toBeUndefined();
    expect(t.get('b')).toBe('again');
  });

  test('reserve makes room ahead in an empty table: every key added after it is found, through removals and growth past the reserve', () => {
    for (const n of [100, 1000, 3000]) {
      const t = new KeyTable(16);
      t.reserve(n);
      const model = new Map<string, string>();
      for (let i = 0; i < n; i++) {
        t.set(`key:${i}`, `v${i}`);
        model.set(`key:${i}`, `v${i}`);
      }
      expectConsistent(t, model);
      for (let i = 0; i < n; i += 3) {
        expect(t.delete(`key:${i}`)).toBe(true);
        model.delete(`key:${i}`);
      }
      for (let i = n; i < 2 * n; i++) {
        t.set(`key:${i}`, `w${i}`);
        model.set(`key:${i}`, `w${i}`);
      }
      expectConsistent(t, model);
    }
  });

  test('reserve leaves a table that holds keys as it is', () => {
    const t = new KeyTable(16);
    t.set('a', '1');
    t.reserve(1000);
    for (let i = 0; i < 500; i++) t.set(`k${i}`, String(i));
    expect(t.get('a')).toBe('1');
    expect(t.get('k499')).toBe('499');
    expect(t.size).toBe(501);
  });

  test('a key that get missed and set then adds stays consistent through adds, removals, splits and deferred keys between the two', () => {
    const t = new KeyTable(8);
    const model = new Map<string, string>();
    const rnd = seededInts(11);
    for (let step = 0; step < 20_000; step++) {
      const k = `key:${rnd(2000)}`;
      expect(t.get(k)).toBe(model.get(k));
      // Between the lookup and the store: nothing, the same key stored, other keys added or removed, a key deferred.
      const between = rnd(6);
      if (between === 1) {
        const other = `key:${rnd(2000)}`;
        if (rnd(2) === 0) expect(t.delete(other)).toBe(model.delete(other));
        else {
          expect(t.set(other, 'o')).toBe(model.get(other));
          model.set(other, 'o');
        }
      } else if (between === 2) {
        for (let j = 0; j < 20; j++) {
          const other = `key:${rnd(2000)}`;
          expect(t.set(other, 'p')).toBe(model.get(other));
          model.set(other, 'p');
        }
      } else if (between === 3 && !model.has(k)) {
        t.set(k, 'early');
        model.set(k, 'early');
      } else if (between === 4) {
        const other = `deferred:${step}`;
        t.addDeferred(other, 'd');
        model.set(other, 'd');
      }
      const v = `v${step}`;
      expect(t.store(k, v)).toBe(!model.has(k));
      model.set(k, v);
    }
    expect(t.duplicateFound()).toBe(-1);
    expectConsistent(t, model);
  });

  test('stays consistent with a model through growth, shard splits and removals', () => {
    const t = new KeyTable(8);
    const model = new Map<string, string>();
    const rnd = seededInts(3);
    for (let step = 0; step < 20_000; step++) {
      const k = `key:${rnd(3000)}`;
      if (rnd(3) === 0) expect(t.delete(k)).toBe(model.delete(k));
      else {
        const v = `v${step}`;
        expect(t.set(k, v)).toBe(model.get(k));
        model.set(k, v);
      }
    }
    expectConsistent(t, model);
  });

  test('a removal after a lookup of its key stays consistent whatever ran between them: other lookups, adds, removals, holdsAt', () => {
    const t = new KeyTable(8);
    const model = new Map<string, string>();
    const rnd = seededInts(5);
    for (let step = 0; step < 20_000; step++) {
      const k = `key:${rnd(2000)}`;
      // The lookup that a DEL makes before its removal; then, sometimes, other work on the table.
      expect(rnd(2) === 0 ? t.get(k) : t.indexOf(k) >= 0 ? model.get(k) : undefined).toBe(model.get(k));
      const at = t.found;
      const between = rnd(6);
      const other = `key:${rnd(2000)}`;
      if (between === 1) t.get(other);
      if ((between === 2 || between === 4) && other !== k) {
        t.set(other, `w${step}`);
        model.set(other, `w${step}`);
      }
      if ((between === 3 || between === 5) && other !== k) expect(t.delete(other)).toBe(model.delete(other));
      // The key made `found` again without a lookup, after the index may have changed around it.
      if (between >= 4 && model.has(k)) t.holdsAt(at, k);
      if (rnd(3) === 0) {
        const v = `v${step}`;
        expect(t.set(k, v)).toBe(model.get(k));
        model.set(k, v);
      } else {
        expect(t.delete(k)).toBe(model.delete(k));
      }
    }
    expectConsistent(t, model);
  });

  test('a key\'s stamp travels with it when a removal moves it, across chunk boundaries', () => {
    const t = new KeyTable();
    const n = 2500;
    for (let i = 0; i < n; i++) t.set(`k${i}`, 'v');
    t.keepStamps(7);
    expect(t.stampAt(0)).toBe(7);
    expect(t.stampAt(n - 1)).toBe(7);
    for (let i = n; i < n + 100; i++) {
      t.set(`k${i}`, 'v');
      t.setStampAt(t.found, i);
    }
    // Every removal moves the last key into the hole: the moved keys keep their stamps.
    for (let i = 0; i < 1500; i += 3) expect(t.delete(`k${i}`)).toBe(true);
    for (let i = 0; i < n + 100; i++) {
      const at = t.indexOf(`k${i}`);
      if (i < 1500 && i % 3 === 0) expect(at).toBe(-1);
      else expect(t.stampAt(at)).toBe(i >= n ? i : 7);
    }
    // Emptying the table and filling it again needs a stamp chunk per key chunk throughout.
    for (const k of [...t.keys()]) t.delete(k);
    expect(t.size).toBe(0);
    for (let i = 0; i < 1100; i++) {
      t.set(`again${i}`, 'v');
      t.setStampAt(t.found, 10_000 + i);
    }
    for (let i = 0; i < 1100; i++) expect(t.stampAt(t.indexOf(`again${i}`))).toBe(10_000 + i);
  });

  test('a key\'s stamp stays while its value changes form or its record moves', () => {
    const t = new KeyTable();
    const long = 'L'.repeat(300);
    const keys = ['a', long, 'b', `${long}2`, 'c'];
    for (const k of keys) t.set(k, 'v');
    t.keepStamps(5);
    keys.forEach((k, i) => t.setStampAt(t.indexOf(k), 100 + i));
    // A value that outgrows its record's block moves the record; one that is no string leaves it; both come back.
    for (const value of ['x'.repeat(200), 'y', new Map(), 'x'.repeat(400), 'z']) {
      for (const k of keys) t.set(k, value as never);
      keys.forEach((k, i) => expect(t.stampAt(t.indexOf(k))).toBe(100 + i));
    }
    keys.forEach((k) => expect(t.get(k)).toBe('z'));
  });

  test('a live walk meets every key present from its start to its end, while keys come and go', () => {
    const rnd = seededInts(11);
    for (let round = 0; round < 20; round++) {
      const t = new KeyTable(16);
      for (let i = 0; i < 3000; i++) t.set(`s${i}`, 'v');
      for (let i = 0; i < 1000; i++) t.set(`c${i}`, 'v');
      const seen = new Set<string>();
      let fresh = 0;
      for (let i = t.nextDown(t.size); i >= 0; i = t.nextDown(i)) {
        seen.add(t.keyAt(i));
        // Churn between steps: removals (which move the last key down) and arrivals.
        if (rnd(2) === 0) t.delete(`c${rnd(1000)}`);
        if (rnd(2) === 0) t.set(`f${fresh++}`, 'v');
        if (rnd(4) === 0) t.delete(`f${rnd(fresh)}`);
      }
      for (let i = 0; i < 3000; i++) expect(seen.has(`s${i}`)).toBe(true);
    }
  });


  test('a key\'s deadline travels with it when a removal moves it, and a new key at a freed position has none', () => {
    const t = new KeyTable();
    const n = 2500;
    for (let i = 0; i < n; i++) t.set(`k${i}`, 'v');
    // Deadlines only in the last chunk: the keys moved down carry theirs into chunks that had none.
    for (let i = 2100; i < n; i++) t.setDeadlineAt(t.positionOf(`k${i}`), 1_764_000_000_000 + i);
    for (let i = 0; i < 300; i++) expect(t.delete(`k${i}`)).toBe(true);
    for (let i = 300; i < n; i++) expect(t.deadlineAt(t.positionOf(`k${i}`)), `k${i}`).toBe(i >= 2100 ? 1_764_000_000_000 + i : -1);
    for (let i = 0; i < 300; i++) t.set(`new${i}`, 'v');
    for (let i = 0; i < 300; i++) expect(t.deadlineAt(t.positionOf(`new${i}`))).toBe(-1);
    t.setDeadlineAt(t.positionOf('k2200'), -1);
    expect(t.deadlineAt(t.positionOf('k2200'))).toBe(-1);
    // 2100-2499 had one; 2200 lost it.
    expect(t.deadlineCount).toBe(399);
    const walked = [...t.deadlineEntries()];
    expect(walked).toHaveLength(399);
    expect(walked).toContainEqual(['k2499', 1_764_000_000_000 + 2499]);
    t.delete('k2300');
    expect(t.deadlineCount).toBe(398);
    t.delete('new0');
    expect(t.deadlineCount).toBe(398);
  });

  test('a walk of the keys with a deadline meets each one that keeps it while keys come and go', () => {
    const rnd = seededInts(12);
    for (let round = 0; round < 10; round++) {
      const t = new KeyTable(16);
      for (let i = 0; i < 3000; i++) t.set(`s${i}`, 'v');
      for (let i = 0; i < 3000; i += 7) t.setDeadlineAt(t.positionOf(`s${i}`), 5000 + i);
      for (let i = 0; i < 1000; i++) t.set(`c${i}`, 'v');
      const met = new Map<string, number>();
      let fresh = 0;
      for (const [key, when] of t.deadlineEntries()) {
        met.set(key, when);
        if (rnd(2) === 0) t.delete(`c${rnd(1000)}`);
        if (rnd(2) === 0) t.set(`f${fresh++}`, 'v');
        if (rnd(3) === 0 && fresh > 0) {
          const at = t.positionOf(`f${rnd(fresh)}`);
          if (at >= 0) t.setDeadlineAt(at, 1);
        }
      }
      for (let i = 0; i < 3000; i += 7) expect(met.get(`s${i}`)).toBe(5000 + i);
      for (const key of met.keys()) expect(key.startsWith('c')).toBe(false);
    }
  });

  test('a walk\'s marks travel with their keys, keys added meanwhile come marked when the walk asks, each walk has its own bit', () => {
    const t = new KeyTable();
    const n = 2500;
    const a = WALK_MARKS.save;
    const b = WALK_MARKS.rewrite;
    for (let i = 0; i < n; i++) t.set(`k${i}`, 'v');
    t.beginMarks(a, { added: true });
    for (let i = 0; i < n; i += 2) t.mark(t.indexOf(`k${i}`), a);
    // Past the marks' first room: they grow with the table.
    for (let i = n; i < 3 * n; i++) t.set(`k${i}`, 'v');
    t.beginMarks(b, { added: false });
    t.set('late', 'v');
    // Every removal moves the last key into the hole, its marks with it.
    for (let i = 1; i < 1500; i += 4) expect(t.delete(`k${i}`)).toBe(true);
    for (let i = 0; i < 3 * n; i++) {
      const at = t.indexOf(`k${i}`);
      if (i < 1500 && i % 4 === 1) {
        expect(at).toBe(-1);
        continue;
      }
      expect(t.marked(at, a), `k${i}`).toBe(i % 2 === 0 || i >= n);
      expect(t.marked(at, b), `k${i}`).toBe(false);
    }
    expect(t.marked(t.indexOf('late'), a)).toBe(true);
    expect(t.marked(t.indexOf('late'), b)).toBe(false);
    t.endMarks(a);
    t.set('after a', 'v');
    expect(t.marked(t.indexOf('after a'), b)).toBe(false);
    // A new walk of a kind whose last one ended starts with no key marked.
    t.beginMarks(a, { added: true });
    expect(t.marked(t.indexOf('k0'), a)).toBe(false);
    expect(t.marked(t.indexOf('late'), a)).toBe(false);
  });

  test('a walk that asks hears of each key it marked that leaves the table, and of no other', () => {
    const t = new KeyTable();
    for (let i = 0; i < 3000; i++) t.set(`k${i}`, 'v');
    const gone: string[] = [];
    t.beginMarks(WALK_MARKS.rewrite, { added: false, removed: (key) => gone.push(key) });
    for (let i = 0; i < 3000; i += 3) t.mark(t.indexOf(`k${i}`), WALK_MARKS.rewrite);
    for (let i = 0; i < 30; i++) t.delete(`k${i}`);
    t.take('k2999');
    t.take('k2997');
    expect(gone).toEqual([...Array.from({ length: 10 }, (_, j) => `k${3 * j}`), 'k2997']);
    t.endMarks(WALK_MARKS.rewrite);
    t.delete('k30');
    expect(gone).toHaveLength(11);
  });
  test('SCAN positions: a cursor counts positions left, 0 starts and ends, and one past the end starts from the last key', () => {
    const t = new KeyTable();
    for (let i = 0; i < 25; i++) t.set(`k${i}`, 'v');
    const out: string[] = [];
    expect(t.scan(0, 10, out)).toBe(15);
    expect(out).toEqual(Array.from({ length: 10 }, (_, i) => `k${24 - i}`));
    expect(t.scan(15, 10, out)).toBe(5);
    expect(t.scan(5, 10, out)).toBe(0);
    expect(new Set(out).size).toBe(25);
    const late: string[] = [];
    expect(t.scan(1000, 3, late)).toBe(22);
    expect(late).toEqual(['k24', 'k23', 'k22']);
  });

  test('randomKey draws every key of a small table and nothing from an empty one', () => {
    const t = new KeyTable();
    expect(t.randomKey()).toBeUndefined();
    for (let i = 0; i < 8; i++) t.set(`k${i}`, 'v');
    const drawn = new Set<string>();
    for (let i = 0; i < 1000; i++) drawn.add(t.randomKey()!);
    expect(drawn.size).toBe(8);
  });

  describe('keys and values kept as bytes', () => {
    /** A byte string of `n` chars, every byte value in turn from `from`. */
    const bytes = (n: number, from = 0): string => String.fromCharCode(...Array.from({ length: n }, (_, i) => (from + i) & 255));
    const hash = { kind: 'a collection' } as unknown as Value;

    test('every key and value reads back as stored, whatever its length or bytes', () => {
      const t = new KeyTable();
      const keys = ['', '\0', bytes(255), bytes(256), bytes(1000, 7), 'k\u0100', 'plain'];
      const values: Value[] = ['', '\0\xff', bytes(1, 200), bytes(252), bytes(253), bytes(509), bytes(510), bytes(4096), 'v\u20ac', 42, -7, 2 ** 53 - 1, hash];
      for (const k of keys) {
        for (const v of values) {
          t.set(k, v);
          expect(t.get(k)).toBe(v);
          expect(t.keyAt(t.found)).toBe(k);
        }
      }
      expect(t.size).toBe(keys.length);
      expect(new Set(t.keys())).toEqual(new Set(keys));
      for (const k of keys) expect(t.take(k)).toBe(hash);
      expect(t.size).toBe(0);
    });

    test('a key is found by its bytes, not by the string it was stored with', () => {
      const t = new KeyTable();
      const stored = ['user:', '1'].join('');
      t.set(stored, 'v');
      t.set('other', 'w');
      // A different string object with the same bytes, and strings that differ in one byte or in length.
      expect(t.get(String.fromCharCode(117, 115, 101, 114, 58, 49))).toBe('v');
      expect(t.get('user:2')).toBeUndefined();
      expect(t.get('user:')).toBeUndefined();
      expect(t.get('user:10')).toBeUndefined();
      expect(t.has('user:1')).toBe(true);
    });

    test('a key with a char above 255 never matches a record whose bytes its chars would spill into', () => {
      const t = new KeyTable();
      // Four bytes a word: 0x100 in one char would carry into the next byte, or out of the word.
      for (const stored of ['abc\0', '\0\x01\0\0', 'abcd\0\x01\0\0']) t.set(stored, 'kept');
      for (const probe of ['abc\u0100', '\u0100\0\0\0', 'abcd\u0100\0\0\0']) {
        expect(t.get(probe)).toBeUndefined();
        t.set(probe, 'other');
        expect(t.get(probe)).toBe('other');
      }
      for (const stored of ['abc\0', '\0\x01\0\0', 'abcd\0\x01\0\0']) expect(t.get(stored)).toBe('kept');
      expect(t.size).toBe(6);
    });

    test('a value that grows past its record or shrinks far below it moves the record, and the key goes with it', () => {
      const t = new KeyTable();
      for (let i = 0; i < 100; i++) t.set(`k${i}`, 'x');
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 100; i += 2) {
          const big = bytes(20 + ((i * 37 + round * 101) % 490), i);
          expect(t.set(`k${i}`, big)).toBe(round === 0 ? 'x' : bytes(3, i));
          expect(t.get(`k${i}`)).toBe(big);
          t.set(`k${i}`, bytes(3, i));
        }
      }
      for (let i = 0; i < 100; i++) expect(t.get(`k${i}`)).toBe(i % 2 === 0 ? bytes(3, i) : 'x');
    });

    test('a value that leaves its record for the chunk gives the record\'s room back', () => {
      const t = new KeyTable();
      const slabBytes = (): number => (t as unknown as { records: ByteSlabs }).records.slabs.reduce((n, b) => n + b.length, 0);
      const long = bytes(500);
      for (let i = 0; i < 200; i++) t.set(`k${i}`, long);
      const held = slabBytes();
      // A counter, a collection and a string too long for a record each take the value out of it.
      for (let i = 0; i < 200; i++) t.set(`k${i}`, i % 3 === 0 ? i : i % 3 === 1 ? hash : bytes(600));
      for (let i = 0; i < 200; i++) t.set(`n${i}`, long);
      expect(slabBytes()).toBeLessThan(held * 1.2);
      for (let i = 0; i < 200; i++) {
        expect(t.get(`k${i}`)).toEqual(i % 3 === 0 ? i : i % 3 === 1 ? hash : bytes(600));
        expect(t.get(`n${i}`)).toBe(long);
      }
    });

    test('store and delete answer whether the key was there without reading the value', () => {
      const t = new KeyTable();
      expect(t.store('a', 'one')).toBe(true);
      expect(t.store('a', 'two')).toBe(false);
      expect(t.get('a')).toBe('two');
      expect(t.delete('a')).toBe(true);
      expect(t.delete('a')).toBe(false);
      expect(t.store('a', 'three')).toBe(true);
    });

    test('holdsAt answers whether a position holds a key and makes it found', () => {
      const t = new KeyTable();
      t.set('a', '1');
      t.set('b', '2');
      expect(t.holdsAt(0, 'b')).toBe(false);
      expect(t.holdsAt(5, 'a')).toBe(false);
      expect(t.holdsAt(-1, 'a')).toBe(false);
      expect(t.holdsAt(1, 'b')).toBe(true);
      expect(t.found).toBe(1);
      expect(t.take('b')).toBe('2');
      expect(t.get('a')).toBe('1');
    });

    test('a removal that moves a key across chunks carries its JS value and leaves none behind', () => {
      const t = new KeyTable();
      // Chunk 0 holds keys whose values are all in records, chunk 1 keys whose values are not.
      for (let i = 0; i < 1024; i++) t.set(`r${i}`, 'bytes');
      for (let i = 0; i < 1024; i++) t.set(`j${i}`, i);
      // Each removal in chunk 0 moves the last key of chunk 1, a JS value, into chunk 0.
      for (let i = 0; i < 512; i++) expect(t.delete(`r${i}`)).toBe(true);
      for (let i = 512; i < 1024; i++) expect(t.get(`j${i}`)).toBe(i);
      // Each removal of a moved key now moves a key whose value is in its record into a position that held a JS value.
      for (let i = 1023; i >= 512; i--) t.set(`j${i}`, `now bytes ${i}`);
      for (let i = 0; i < 512; i++) expect(t.delete(`j${i}`)).toBe(true);
      for (let i = 512; i < 1024; i++) expect(t.get(`r${i}`)).toBe('bytes');
      for (let i = 512; i < 1024; i++) expect(t.get(`j${i}`)).toBe(`now bytes ${i}`);
      expect(t.size).toBe(1024);
    });

    test('keys and values kept in records leave nothing per key on V8\'s heap', () => {
      const n = 100_000;
      const t = new KeyTable();
      gc();
      const before = v8.getHeapStatistics().used_heap_size;
      for (let i = 0; i < n; i++) t.set(`key:${i}`, 'x'.repeat(32));
      gc();
      const perKey = (v8.getHeapStatistics().used_heap_size - before) / n;
      // A chunk of JS slots for the handles took 16 bytes a key; what is left is a few objects per 1,024 keys.
      expect(perKey).toBeLessThan(2);
      expect(t.get(`key:${n - 1}`)).toBe('x'.repeat(32));
    });

    test('stays consistent with a model through every form of key and value, growth and removals', () => {
      const t = new KeyTable(8);
      const model = new Map<string, Value>();
      const rnd = seededInts(5);
      const someKey = (): string => (rnd(10) === 0 ? bytes(250 + rnd(20), rnd(256)) : `key:${rnd(2000)}`);
      const someValue = (): Value => {
        switch (rnd(5)) {
          case 0: return rnd(1000) - 500;
          case 1: return bytes(rnd(600), rnd(256));
          case 2: return rnd(50) === 0 ? hash : 'v\u0101';
          default: return `v${rnd(100_000)}`;
        }
      };
      for (let step = 0; step < 30_000; step++) {
        const k = someKey();
        const op = rnd(10);
        if (op < 3) expect(t.delete(k)).toBe(model.delete(k));
        else if (op === 3) {
          expect(t.take(k)).toBe(model.get(k));
          model.delete(k);
        } else {
          const v = someValue();
          expect(t.set(k, v)).toBe(model.get(k));
          model.set(k, v);
        }
      }
      expectConsistent(t, model);
    });
  });
});

describe('KeyTable.prefetch: reading ahead where pipelined keys sit', () => {
  /** The keys' bytes back to back in one buffer, and their offset and length pairs. */
  function spansOf(keys: string[]): { buf: Buffer; spans: Int32Array } {
    const buf = Buffer.from(keys.join(''), 'latin1');
    const spans = new Int32Array(2 * keys.length);
    let at = 0;
    keys.forEach((k, j) => {
      spans[2 * j] = at;
      spans[2 * j + 1] = k.length;
      at += k.length;
    });
    return { buf, spans };
  }

  test('it pays only for a table larger than the cache', () => {
    const t = new KeyTable();
    for (let i = 0; i < 1000; i++) t.set(`k${i}`, 'v');
    expect(t.prefetchPays).toBe(false);
    for (let i = 1000; i < 40_000; i++) t.set(`k${i}`, 'v');
    expect(t.prefetchPays).toBe(true);
  });

  test('it changes nothing: present, absent, empty, long and binary keys, values kept as objects, between a lookup and the removal that reuses its slot', () => {
    const t = new KeyTable(64);
    const model = new Map<string, Value>();
    const long = 'L'.repeat(300);
    let warmed = 0;
    const collection = {
      kind: 'a collection',
      warm: () => {
        warmed++;
        return 1;
      },
    } as unknown as Value;
    for (const [k, v] of [[long, 'long'], ['', 'empty'], ['b\xff\x00\r\n', 'binary'], ['collection', collection], ['big', 'x'.repeat(600)]] as const) {
      t.set(k, v);
      model.set(k, v);
    }
    for (let i = 0; i < 5000; i++) {
      t.set(`key:${i}`, `v${i}`);
      model.set(`key:${i}`, `v${i}`);
    }
    const batch = ['key:1', 'nosuch', '', long, 'b\xff\x00\r\n', 'key:4999', 'L'.repeat(299), 'collection', 'big', ...Array.from({ length: 80 }, (_, i) => `key:${i * 7}`)];
    const { buf, spans } = spansOf(batch);
    const before = [...t.entries()];
    expect(t.get('key:10')).toBe('v10');
    t.prefetch(buf, spans, batch.length);
    // The removal right after the lookup of the same key starts from the slot the lookup found.
    expect(t.take('key:10')).toBe('v10');
    model.delete('key:10');
    t.prefetch(buf, spans, batch.length);
    t.prefetchKeys(batch, batch.length);
    // Each read ahead asked the value kept as an object to read what it holds.
    expect(warmed).toBe(3);
    expect(t.size).toBe(model.size);
    for (const [k, v] of model) expect(t.get(k)).toBe(v);
    expect(t.get('key:10')).toBeUndefined();
    expect([...t.entries()].length).toBe(before.length - 1);
  });
});

describe('KeyTable: keys added without a lookup (a load)', () => {
  const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

  test('keys added as bytes and deferred are found, replaced and removed like any others once indexed, splits included', () => {
    const t = new KeyTable(4);
    const model = new Map<string, Value>();
    for (let i = 0; i < 3000; i++) {
      const key = `k:${i}`;
      if (i % 3 === 0) {
        const k = bytes(`..${key}`);
        const v = bytes(`v${i}`);
        expect(t.storeBytes(k, 2, k.length - 2, v, 0, v.length, true)).toBe(1);
        model.set(key, `v${i}`);
      } else {
        const value: Value = i % 3 === 1 ? `long-${'x'.repeat(600)}-${i}` : `s${i}`;
        t.addDeferred(key, value);
        model.set(key, value);
      }
      expect(t.found).toBe(i);
    }
    expect(t.get('k:2999')).toBe(model.get('k:2999'));
    expect(t.duplicateFound()).toBe(-1);
    expectConsistent(t, model);
    for (let i = 0; i < 3000; i += 7) {
      expect(t.delete(`k:${i}`)).toBe(true);
      model.delete(`k:${i}`);
    }
    t.set('k:1', 'new');
    model.set('k:1', 'new');
    expectConsistent(t, model);
  });

  test('a key added twice is indexed twice, and duplicateFound names the first later copy', () => {
    const t = new KeyTable(4);
    t.set('early', 'x');
    for (let i = 0; i < 100; i++) t.addDeferred(`k${i}`, String(i));
    t.addDeferred('k40', 'again');
    const k = bytes('early');
    expect(t.storeBytes(k, 0, k.length, k, 0, 1, true)).toBe(1);
    t.indexDeferred();
    expect(t.duplicateFound()).toBe(101);
    expect(t.duplicateFound()).toBe(-1);
  });

  test('storeBytes without deferring looks the key up: 0 for one already there, and a key too long for a record is refused', () => {
    const t = new KeyTable();
    t.set('abc', 'one');
    const k = bytes('abc');
    expect(t.storeBytes(k, 0, 3, k, 0, 3)).toBe(0);
    expect(t.get('abc')).toBe('one');
    const long = bytes('y'.repeat(300));
    expect(t.storeBytes(long, 0, long.length, k, 0, 3)).toBe(-1);
    expect(t.storeBytes(k, 0, 2, long, 0, 20)).toBe(1);
    expect(t.get('ab')).toBe('y'.repeat(20));
  });
});
