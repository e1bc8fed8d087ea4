import { describe, expect, test } from 'vitest';
import { RdbWriter } from '../../../src/codecs/rdb/writer.js';
import { ListValue } from '../../../src/queues/list/list-value.js';
import { listpackEntrySize } from '../../../src/queues/list/listpack-size.js';
import { pack } from '../../../src/keyspace/compact/packed.js';
import { HashValue } from '../../../src/store/hash/hash-value.js';
import type { Value } from '../../../src/keyspace/value.js';
import { SetValue } from '../../../src/store/set/set-value.js';
import { PackedZset } from '../../../src/store/zset/packed-zset.js';
import { ZSetValue } from '../../../src/store/zset/zset-value.js';
import { loadLimits, type LoadLimits } from '../../../src/persistence/rdb/decode-value.js';
import { dumpPayload, payloadValue } from '../../../src/persistence/rdb/dump-payload.js';
import { CONTAINER_PACKED, TYPE_HASH_LISTPACK, TYPE_LIST_QUICKLIST_2, TYPE_SET_LISTPACK, TYPE_ZSET_LISTPACK } from '../../../src/persistence/rdb/format.js';
import { ListpackBuilder, readListpack, entryText } from '../../../src/persistence/rdb/listpack.js';
import { packListpack } from '../../../src/persistence/rdb/listpack-packed.js';
import { seededInts } from '../../helpers/seeded.js';

/**
 * Loading turns a small collection's listpack straight into the packed
 * string the family keeps (listpack-packed.ts). It must give what reading
 * the listpack entry by entry gives, or null so that that path runs.
 */

/** A listpack from entries as given: a string entry is always stored as a string, even one Redis would store as an integer. */
function rawListpack(entries: (string | number)[]): Buffer {
  const parts: number[] = [];
  for (const e of entries) {
    const start = parts.length;
    if (typeof e === 'number') {
      parts.push(0xf3, e & 0xff, (e >> 8) & 0xff, (e >> 16) & 0xff, (e >> 24) & 0xff);
    } else {
      parts.push(0x80 | e.length, ...Buffer.from(e, 'latin1'));
    }
    parts.push(parts.length - start);
  }
  const lp = Buffer.from([0, 0, 0, 0, 0, 0, ...parts, 0xff]);
  lp.writeUInt32LE(lp.length, 0);
  lp.writeUInt16LE(entries.length, 4);
  return lp;
}

const limits: LoadLimits = loadLimits({
  config: {
    num: (name: string) =>
      ({
        'list-max-listpack-size': -2,
        'hash-max-listpack-entries': 128,
        'hash-max-listpack-value': 64,
        'set-max-intset-entries': 512,
        'set-max-listpack-entries': 128,
        'set-max-listpack-value': 64,
        'zset-max-listpack-entries': 128,
        'zset-max-listpack-value': 64,
      })[name]!,
    str: () => '',
  },
} as never);

/** A payload of `type` whose body is one listpack (a quicklist's one packed node for a list). */
function listpackPayload(type: number, lp: Buffer): Buffer {
  const w = new RdbWriter(false);
  w.byte(type);
  if (type === TYPE_LIST_QUICKLIST_2) {
    w.length(1);
    w.length(CONTAINER_PACKED);
  }
  w.blob(lp, false);
  return w.result();
}

const dump = (v: Value): Buffer => dumpPayload(v, { compress: false, listFill: -2 });

describe('a listpack packed in one pass', () => {
  test('gives the packed string of its entries as read one by one, for every integer width and string length up to 4095', () => {
    const next = seededInts(7);
    for (let round = 0; round < 300; round++) {
      const lp = new ListpackBuilder();
      const n = 1 + next(40);
      for (let i = 0; i < n; i++) {
        const kind = next(6);
        if (kind === 0) lp.add(String(next(128)));
        else if (kind === 1) lp.add(String(next(8192) - 4096));
        else if (kind === 2) lp.add(String(next(2 ** 31) - 2 ** 30));
        else if (kind === 3) lp.add('s'.repeat(next(70)));
        else if (kind === 4) lp.add('L'.repeat(100 + next(3996)));
        else lp.add(`m${next(1000)}:${'\u00ff'.repeat(next(3))}`);
      }
      const bytes = lp.finish();
      const entries = readListpack(bytes, 0).map(entryText);
      const got = packListpack(bytes, Infinity, 0);
      expect(got).not.toBeNull();
      expect(got!.packed).toBe(pack(entries));
      expect(got!.count).toBe(entries.length);
      expect(got!.longest).toBe(Math.max(...entries.map((e) => e.length)));
      expect(got!.bytes).toBe(entries.reduce((a, e) => a + e.length, 0));
      expect(got!.listpackBytes).toBe(entries.reduce((a, e) => a + listpackEntrySize(e), 0));
    }
  });

  test('leaves to the entry-by-entry path 64-bit integers, a string Redis would have stored as an integer (listpackBytes -1), and more entries than asked', () => {
    expect(packListpack(new ListpackBuilder().add('a').add('9007199254740993').finish(), Infinity, 0)).toBeNull();
    expect(packListpack(rawListpack(['a', '12']), Infinity, 0)!.listpackBytes).toBe(-1);
    expect(packListpack(rawListpack(['a', '+12', '012']), Infinity, 0)!.listpackBytes).toBe(-1);
    expect(packListpack(rawListpack(['a', 'b', 'c']), 2, 0)).toBeNull();
    expect(packListpack(rawListpack(['a', 'b', 'c']), 3, 0)!.count).toBe(3);
  });

  test('finds repeated entries among all of them (a set) or among every other one (a hash: fields, not values)', () => {
    expect(packListpack(rawListpack(['a', 'b', 'a']), Infinity, 1)).toBeNull();
    expect(packListpack(rawListpack(['7', 7]), Infinity, 1)).toBeNull();
    expect(packListpack(rawListpack(['f', 'v', 'g', 'v']), Infinity, 2)!.count).toBe(4);
    expect(packListpack(rawListpack(['f', 'v', 'f', 'w']), Infinity, 2)).toBeNull();
    expect(packListpack(rawListpack(['f', 'v', 'g', 'v']), Infinity, 1)).toBeNull();
  });

  test('never throws on damaged bytes, and whatever it takes, reading entry by entry takes the same', () => {
    const next = seededInts(11);
    let taken = 0;
    for (let round = 0; round < 3000; round++) {
      const lp = new ListpackBuilder();
      for (let i = 1 + next(8); i > 0; i--) lp.add(next(2) === 0 ? String(next(70000) - 35000) : 'v'.repeat(next(150)));
      const bytes = Buffer.from(lp.finish());
      for (let flips = 1 + next(3); flips > 0; flips--) bytes[next(bytes.length)] = next(256);
      const got = packListpack(bytes, Infinity, 0);
      if (got === null) continue;
      taken++;
      expect(pack(readListpack(bytes, 0).map(entryText))).toBe(got.packed);
    }
    expect(taken).toBeGreaterThan(0);
  });

  test('leaves a listpack longer than 64 KiB to the entry-by-entry path', () => {
    const lp = new ListpackBuilder();
    for (let i = 0; i < 17; i++) lp.add('x'.repeat(4000));
    const bytes = lp.finish();
    expect(bytes.length).toBeGreaterThan(64 * 1024);
    expect(packListpack(bytes, Infinity, 0)).toBeNull();
    expect(readListpack(bytes, 0)).toHaveLength(17);
  });

  test('refuses what readListpack refuses: a wrong back-length, count, size or end byte', () => {
    const good = new ListpackBuilder().add('hello').add('12').finish();
    expect(packListpack(good, Infinity, 0)).not.toBeNull();
    const damage: [number, number][] = [[6 + 6, 9], [4, 3], [good.length - 1, 0], [0, 99]];
    for (const [at, byte] of damage) {
      const bad = Buffer.from(good);
      bad[at] = byte;
      expect(packListpack(bad, Infinity, 0)).toBeNull();
      expect(() => readListpack(bad, 0)).toThrow(/invalid listpack/);
    }
  });
});

describe('small collections loaded through it', () => {
  test('hashes, sets, sorted sets and lists come back with their encoding and their bytes, whichever path loads them', () => {
    const hashes = [
      ['f', 'v'],
      ['name', 'user1', 'age', '42', 'city', 'somewhere'],
      ['n', '-4096', 'big', '2147483647', 'long', 'x'.repeat(64)],
      ['over', 'y'.repeat(65)],
      Array.from({ length: 40 }, (_, i) => `f${i >> 1}-${i}`),
    ];
    for (const pairs of hashes) {
      const h = new HashValue();
      h.setPairs(pairs, 0, limits.hash);
      const loaded = payloadValue(dump(h), limits) as HashValue;
      expect(loaded.encoding()).toBe(h.encoding());
      expect(dump(loaded)).toEqual(dump(h));
    }
    const sets = [['x', 'y', '9'], ['1', '2', 'a'], ['5', '6'], ['z'.repeat(65), 'q'], Array.from({ length: 100 }, (_, i) => `m${i}`)];
    for (const members of sets) {
      const s = SetValue.create(members[0], members.length, limits.set);
      s.addAll(members, 0, limits.set);
      const loaded = payloadValue(dump(s), limits) as SetValue;
      expect(loaded.encoding()).toBe(s.encoding());
      expect(dump(loaded)).toEqual(dump(s));
    }
    const zsets: [number[], string[]][] = [
      [[1, 2.5, 7], ['a', 'b', 'c']],
      [[0.1, 0.1, -3, Infinity], ['m', 'n', 'o', 'p']],
      [[5, 5, 5], ['c', 'b', 'a']],
      [Array.from({ length: 100 }, (_, i) => i / 3), Array.from({ length: 100 }, (_, i) => `z${i}`)],
    ];
    for (const [scores, members] of zsets) {
      const z = new ZSetValue(new PackedZset());
      members.forEach((m, i) => z.add(m, scores[i], limits.zset));
      const loaded = payloadValue(dump(z), limits) as ZSetValue;
      expect(loaded.encoding()).toBe(z.encoding());
      expect(dump(loaded)).toEqual(dump(z));
    }
    const lists = [['a', 'bb', '7', 'dddd'], ['x'.repeat(5000), 'y'.repeat(3000)], Array.from({ length: 200 }, (_, i) => String(i))];
    for (const elements of lists) {
      const l = ListValue.loaded(elements, -2, 1);
      const loaded = payloadValue(dump(l), limits) as ListValue;
      expect(loaded.encoding()).toBe(l.encoding());
      expect(dump(loaded)).toEqual(dump(l));
    }
  });

  test('a sorted set is taken as packed only when its scores are in the form Sluice writes them and its pairs in order', () => {
    const taken = (pairs: (string | number)[]) => {
      const e = packListpack(rawListpack(pairs), Infinity, 2);
      return e !== null && PackedZset.ifCanonical(e.packed, e.count / 2, Infinity) !== null;
    };
    expect(taken(['a', 1, 'b', '2.5', 'c', 7])).toBe(true);
    expect(taken(['a', '0.1', 'b', '0.1', 'c', 'inf'])).toBe(true);
    expect(taken(['b', 1, 'a', 1])).toBe(false);
    expect(taken(['a', 2, 'b', 1])).toBe(false);
    expect(taken(['a', '1.50'])).toBe(false);
    expect(taken(['a', '0.10000000000000001'])).toBe(false);
    expect(taken(['a', ''])).toBe(false);
  });

  test('a listpack the one-pass path leaves (a repeated field, a string that reads as an integer) loads as before', () => {
    expect(() => payloadValue(listpackPayload(TYPE_HASH_LISTPACK, rawListpack(['f', 'v', 'f', 'w'])), limits)).toThrow('duplicate hash fields');
    expect(() => payloadValue(listpackPayload(TYPE_SET_LISTPACK, rawListpack(['m', 'm'])), limits)).toThrow('duplicate set members');
    expect(() => payloadValue(listpackPayload(TYPE_ZSET_LISTPACK, rawListpack(['m', '1', 'm', '2'])), limits)).toThrow('duplicate sorted set members');
    // Scores out of order, or not in the form Sluice writes them, are put in order and rewritten.
    for (const pairs of [['b', '2', 'a', '1'], ['a', '1.50', 'b', '+2'], ['a', 'inf', 'b', '-inf']]) {
      const z = payloadValue(listpackPayload(TYPE_ZSET_LISTPACK, rawListpack(pairs)), limits) as ZSetValue;
      const expected = new ZSetValue(new PackedZset());
      for (let i = 0; i < pairs.length; i += 2) expected.add(pairs[i], Number(pairs[i + 1].replace('inf', 'Infinity')), limits.zset);
      expect(dump(z)).toEqual(dump(expected));
    }
    const list = payloadValue(listpackPayload(TYPE_LIST_QUICKLIST_2, rawListpack(['a', '12'])), limits) as ListValue;
    const elements: string[] = [];
    list.each((e) => elements.push(e));
    expect(elements).toEqual(['a', '12']);
    expect(list.encoding()).toBe('listpack');
  });
});
