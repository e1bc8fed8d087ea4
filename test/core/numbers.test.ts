import { describe, expect, test } from 'vitest';
import { integerText } from '../../src/core/numbers.js';
import { seededInts } from '../helpers/seeded.js';

describe('integerText', () => {
  test('writes the same digits as String for every safe integer and int64 bigint', () => {
    const edges = [0, -0, 1, -1, 9, 10, 11, 99, 100, 101, 1023, 1024, 10_000, 99_999, 2 ** 31 - 1, -(2 ** 31 - 1), 2 ** 31, -(2 ** 31), 10 ** 15, -(10 ** 15), Number.MAX_SAFE_INTEGER, Number.MIN_SAFE_INTEGER];
    for (const n of edges) expect(integerText(n)).toBe(String(n));
    const pick = seededInts(7);
    for (let i = 0; i < 10_000; i++) {
      const n = (pick(2) === 0 ? -1 : 1) * (pick(2 ** 30) * 2 ** 23 + pick(2 ** 23));
      expect(integerText(n)).toBe(String(n));
    }
    for (let i = 0; i < 10_000; i++) {
      const n = (pick(2) === 0 ? -1 : 1) * pick(2 ** 31 + 2);
      expect(integerText(n)).toBe(String(n));
    }
    for (const b of [9223372036854775807n, -9223372036854775808n, 2n ** 53n + 1n]) expect(integerText(b)).toBe(String(b));
  });
});
