import { describe, expect, test } from 'vitest';
import {
  intAt, intInsert, intRemove, intSearch, intsetOf, intText, parseIntMember, widthFor, widthOfAll, type IntMember,
} from '../../../src/store/set/intset.js';

/** Builds an intset by inserting `values` one by one, as SADD does. */
function build(values: IntMember[]): { s: string; width: number; n: number } {
  let s = '';
  let width = 2;
  let n = 0;
  for (const v of values) {
    const at = intSearch(s, width, n, v);
    if (at >= 0) continue;
    s = intInsert(s, width, n, v, -at - 1);
    width = Math.max(width, widthFor(v));
    n++;
  }
  return { s, width, n };
}

function texts(set: { s: string; width: number; n: number }): string[] {
  return Array.from({ length: set.n }, (_, i) => intText(set.s, set.width, i));
}

describe('intset strings', () => {
  test('members are read as Redis reads integers: no sign but -, no leading zeros or blanks, within int64', () => {
    expect(parseIntMember('0')).toBe(0);
    expect(parseIntMember('-17')).toBe(-17);
    expect(parseIntMember('9007199254740991')).toBe(9007199254740991);
    expect(parseIntMember('9007199254740992')).toBe(9007199254740992n);
    expect(parseIntMember('-9223372036854775808')).toBe(-9223372036854775808n);
    for (const bad of ['', '-', '-0', '+1', '01', ' 1', '1 ', '1.0', '9223372036854775808', '0x10', 'a']) {
      expect(parseIntMember(bad), bad).toBeNull();
    }
  });

  test('the width is the narrowest of 2, 4 or 8 bytes that holds every member', () => {
    expect([-32768, 32767].map(widthFor)).toEqual([2, 2]);
    expect([-32769, 32768, -2147483648, 2147483647].map(widthFor)).toEqual([4, 4, 4, 4]);
    expect([-2147483649, 2147483648, 9007199254740993n].map(widthFor)).toEqual([8, 8, 8]);
    expect(build([1, 2, 3]).s.length).toBe(6);
    expect(build([1, 70000]).s.length).toBe(8);
    expect(build([1, 5000000000]).s.length).toBe(16);
  });

  test('members stay sorted numerically whatever the insertion order, widening keeping them', () => {
    const values: IntMember[] = [5, -3, 40000, -32769, 0, 9223372036854775807n, -9223372036854775808n, 7, 2147483648, -1];
    const set = build(values);
    const sorted = [...values].sort((a, b) => (a < b ? -1 : 1)).map(String);
    expect(texts(set)).toEqual(sorted);
    expect(set.width).toBe(8);
  });

  test('the int64 extremes and the values around 2^53 keep every digit', () => {
    const edges: IntMember[] = [
      -9223372036854775808n, 9223372036854775807n, 9007199254740991, 9007199254740992n, -9007199254740991,
      -9007199254740992n, -9007199254740993n, 4294967295, 4294967296, -4294967296, -4294967297,
    ];
    const set = build(edges);
    expect(texts(set)).toEqual([...edges].sort((a, b) => (a < b ? -1 : 1)).map(String));
    for (let i = 0; i < set.n; i++) {
      const v = intAt(set.s, set.width, i);
      expect(typeof v === 'number' ? Number.isSafeInteger(v) : v > BigInt(Number.MAX_SAFE_INTEGER) || v < -BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    }
  });

  test('search finds members and gives the insertion point of others, in every width', () => {
    for (const values of [[-5, 0, 5], [-70000, 0, 70000], [-5000000000, 0, 5000000000]]) {
      const set = build(values);
      expect(intSearch(set.s, set.width, set.n, values[1])).toBe(1);
      expect(intSearch(set.s, set.width, set.n, 1)).toBe(-3);
      expect(intSearch(set.s, set.width, set.n, -6000000000)).toBe(-1);
      expect(intSearch(set.s, set.width, set.n, 9223372036854775807n)).toBe(-4);
    }
  });

  test('removal keeps the width (Redis never narrows)', () => {
    const set = build([1, 5000000000, 3]);
    const s = intRemove(set.s, set.width, 2);
    expect(texts({ s, width: set.width, n: 2 })).toEqual(['1', '3']);
    expect(s.length).toBe(16);
  });

  test('a whole set is built sorted in one go', () => {
    const values: IntMember[] = [3, -2, 9223372036854775807n, 0];
    const width = widthOfAll(values);
    expect(width).toBe(8);
    expect(texts({ s: intsetOf(values, width), width, n: 4 })).toEqual(['-2', '0', '3', '9223372036854775807']);
  });
});
