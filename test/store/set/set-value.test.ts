import { describe, expect, test } from 'vitest';
import type { SetLimits } from '../../../src/store/set/set-encoding.js';
import { SetValue } from '../../../src/store/set/set-value.js';

/** Redis 7.2's defaults. */
const DEFAULTS: SetLimits = { intsetEntries: 512, listpackEntries: 128, listpackValue: 64 };

/** A set as SADD key ...members builds it. */
function sadd(members: string[], lim = DEFAULTS, set?: SetValue): SetValue {
  const s = set ?? SetValue.create(members[0], members.length, lim);
  s.maybeConvert(members.length, lim);
  for (const m of members) s.add(m, lim);
  return s;
}

const ints = (from: number, n: number) => Array.from({ length: n }, (_, i) => String(from + i));
const words = (n: number, len = 5) => Array.from({ length: n }, (_, i) => `w${i}`.padEnd(len, '.'));

describe('encodings as Redis 7.2 chooses them (7.0 has no listpack sets, so the oracle cannot check these)', () => {
  test('a new set is an intset when its first member is an integer and the command brings few enough', () => {
    expect(sadd(['1', '2']).encoding()).toBe('intset');
    expect(sadd(['a', '2']).encoding()).toBe('listpack');
    // Only the first member decides; the second converts the intset.
    expect(sadd(['1', 'a']).encoding()).toBe('listpack');
    expect(sadd(ints(0, 512)).encoding()).toBe('intset');
    expect(sadd(ints(0, 513)).encoding()).toBe('hashtable');
    expect(sadd(words(129)).encoding()).toBe('hashtable');
    expect(sadd(words(128)).encoding()).toBe('listpack');
  });

  test('how many members a command brings decides, not how many are new', () => {
    const small = sadd(['a', 'b']);
    sadd(Array(200).fill('a'), DEFAULTS, small);
    expect(small.encoding()).toBe('hashtable');
    expect(small.size).toBe(2);
    const intset = sadd(['1']);
    sadd(Array(513).fill('1'), DEFAULTS, intset);
    expect(intset.encoding()).toBe('hashtable');
  });

  test('an intset takes a string as a listpack while every member fits one, else becomes a hashtable', () => {
    const fits = sadd(ints(0, 100));
    fits.add('x', DEFAULTS);
    expect(fits.encoding()).toBe('listpack');
    expect(fits.members().slice(-3)).toEqual(['98', '99', 'x']);

    const tooMany = sadd(ints(0, 128));
    tooMany.add('x', DEFAULTS);
    expect(tooMany.encoding()).toBe('hashtable');

    // An integer longer than set-max-listpack-value (Redis sizes by the smallest and largest in decimal).
    const tight = { ...DEFAULTS, listpackValue: 3 };
    const longInts = sadd(['1', '-100'], tight);
    longInts.add('x', tight);
    expect(longInts.encoding()).toBe('hashtable');
    const shortInts = sadd(['1', '-10'], tight);
    shortInts.add('x', tight);
    expect(shortInts.encoding()).toBe('listpack');

    const longString = sadd(['1']);
    longString.add('x'.repeat(65), DEFAULTS);
    expect(longString.encoding()).toBe('hashtable');
  });

  test('an intset past set-max-intset-entries becomes a hashtable', () => {
    const lim = { ...DEFAULTS, intsetEntries: 4 };
    const s = sadd(ints(0, 4), lim);
    expect(s.encoding()).toBe('intset');
    s.add('4', lim);
    expect(s.encoding()).toBe('hashtable');
    expect(s.has('4') && s.has('0')).toBe(true);
  });

  test('a listpack past set-max-listpack-entries, or given a member longer than set-max-listpack-value, becomes a hashtable', () => {
    const s = sadd(words(128));
    s.add('one-more', DEFAULTS);
    expect(s.encoding()).toBe('hashtable');
    expect(s.size).toBe(129);
    const t = sadd(['a']);
    t.add('y'.repeat(64), DEFAULTS);
    expect(t.encoding()).toBe('listpack');
    t.add('y'.repeat(65), DEFAULTS);
    expect(t.encoding()).toBe('hashtable');
  });

  test('removing members never returns to a smaller encoding', () => {
    const s = sadd([...ints(0, 3), 'x'.repeat(100)]);
    s.remove('x'.repeat(100));
    expect(s.encoding()).toBe('hashtable');
    const l = sadd(['1', 'a']);
    l.remove('a');
    expect(l.encoding()).toBe('listpack');
  });

  test('with set-max-intset-entries 0 or set-max-listpack-entries 0 those encodings are skipped', () => {
    expect(sadd(['1'], { ...DEFAULTS, intsetEntries: 0 }).encoding()).toBe('listpack');
    expect(sadd(['a'], { ...DEFAULTS, listpackEntries: 0 }).encoding()).toBe('hashtable');
    expect(sadd(['1', 'a'], { ...DEFAULTS, listpackEntries: 0 }).encoding()).toBe('hashtable');
  });

  test('an all-integer set of few enough members can be turned back into an intset (SINTERSTORE does)', () => {
    const s = sadd([...ints(0, 200), 'x']);
    s.remove('x');
    expect(s.encoding()).toBe('hashtable');
    s.toIntsetIfFits(DEFAULTS);
    expect(s.encoding()).toBe('intset');
    expect(s.members()).toEqual(ints(0, 200));
    const big = sadd([...ints(0, 600), 'x']);
    big.remove('x');
    big.toIntsetIfFits(DEFAULTS);
    expect(big.encoding()).toBe('hashtable');
  });
});

describe('members and order', () => {
  test('an intset iterates in numeric order, a listpack in insertion order', () => {
    expect(sadd(['10', '-2', '3']).members()).toEqual(['-2', '3', '10']);
    expect(sadd(['b', 'a', '3']).members()).toEqual(['b', 'a', '3']);
  });

  test('membership follows the bytes: "01" and "1" are different members, in every encoding', () => {
    for (const s of [sadd(['1']), sadd(['1', 'a']), sadd([...words(200), '1'])]) {
      expect(s.has('1')).toBe(true);
      expect(s.has('01')).toBe(false);
      expect(s.has('+1')).toBe(false);
      expect(s.add('01', DEFAULTS)).toBe(true);
      expect(s.has('01')).toBe(true);
    }
  });

  test('positions address every member once, and removing by position keeps the rest', () => {
    for (const s of [sadd(ints(0, 50)), sadd(words(50)), sadd(words(300))]) {
      const all = new Set(s.members());
      const seen = new Set<string>();
      for (let i = 0; i < s.size; i++) seen.add(s.memberAt(i));
      expect(seen).toEqual(all);
      const gone = s.removeAt(7);
      expect(s.has(gone)).toBe(false);
      expect(s.size).toBe(all.size - 1);
    }
  });

  test('a listpack takes the chosen positions out in one pass, in order', () => {
    const s = sadd(['a', 'b', 'c', 'd', 'e']);
    expect(s.listpackTake(Uint8Array.from([1, 0, 1, 0, 0]), false)).toEqual(['a', 'c']);
    expect(s.size).toBe(5);
    expect(s.listpackTake(Uint8Array.from([0, 1, 0, 0, 1]), true)).toEqual(['b', 'e']);
    expect(s.members()).toEqual(['a', 'c', 'd']);
  });
});

describe('COPY and the AOF rewrite', () => {
  test('a clone is independent in every encoding', () => {
    for (const s of [sadd(ints(0, 10)), sadd(words(10)), sadd(words(300))]) {
      const c = s.clone();
      expect(c.encoding()).toBe(s.encoding());
      s.add('new', DEFAULTS);
      c.remove(c.memberAt(0));
      expect(c.has('new')).toBe(false);
      expect(s.size).toBe(c.size + 2);
    }
  });

  test('a snapshot rebuilds the set as it was, in SADDs of at most 64 members, whatever happens to it later', () => {
    for (const s of [sadd(ints(0, 130)), sadd(words(100)), sadd(words(1000))]) {
      const before = new Set(s.members());
      const snap = s.snapshot();
      for (const m of s.members().slice(0, 50)) s.remove(m);
      s.add('later', DEFAULTS);
      const cmds = [...{ [Symbol.iterator]: () => snap.rebuildCommands('k') }];
      for (const cmd of cmds) {
        expect(cmd.slice(0, 2)).toEqual(['SADD', 'k']);
        expect(cmd.length - 2).toBeLessThanOrEqual(64);
      }
      expect(new Set(cmds.flatMap((cmd) => cmd.slice(2)))).toEqual(before);
    }
  });
});
