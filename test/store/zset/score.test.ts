import { describe, expect, test } from 'vitest';
import { packedScore, packedScoreText, rangeScore, scanScoreText, toScore } from '../../../src/store/zset/score.js';
import { strtod } from '../../../src/store/zset/strtod.js';

/** Expected values were read from glibc (strtod, printf "%.17Lg") on x86-64, as Redis calls them. */
describe('strtod as glibc reads the C locale', () => {
  test('decimal, hexadecimal and special forms, the prefix it reads, and when it reports ERANGE', () => {
    const cases: [string, number, number, boolean][] = [
      ['1.5', 1.5, 3, false], ['  -2e3x', -2000, 6, false], ['.5', 0.5, 2, false], ['5.', 5, 2, false], ['1e', 1, 1, false],
      ['0x1p-1', 0.5, 6, false], ['0X.8', 0.5, 4, false], ['0x', 0, 1, false], ['0x1p', 1, 3, false], ['-0x10', -16, 5, false],
      ['inf', Infinity, 3, false], ['-Infinity', -Infinity, 9, false], ['infinit', Infinity, 3, false], ['nan(abc)', NaN, 8, false],
      ['NaN(', NaN, 3, false], ['1e400', Infinity, 5, true], ['-1e400', -Infinity, 6, true], ['1e-400', 0, 6, true],
      ['0e-400', 0, 6, false], ['1e-320', 1e-320, 6, false], ['0x1p-1075', 0, 9, true], ['0x1.8p-1074', 1e-323, 11, false],
      ['0x1.fffffffffffff8p1023', Infinity, 23, true], ['abc', 0, 0, false], ['', 0, 0, false], ['-', 0, 0, false], [' ', 0, 0, false],
    ];
    for (const [s, value, end, range] of cases) expect(strtod(s), JSON.stringify(s)).toEqual({ value, end, range });
  });
});

describe('score arguments', () => {
  test('a score (string2d) is the whole argument, with no leading blank, not NaN, not overflowing or underflowing to zero', () => {
    expect(toScore('0x10')).toBe(16);
    expect(toScore('+inf')).toBe(Infinity);
    expect(toScore('-0')).toBe(-0);
    expect(toScore('1e-310')).toBe(1e-310);
    expect(toScore('123456789012345678901234567890')).toBe(1.2345678901234568e29);
    expect(toScore('000000123456e-6')).toBe(0.123456);
    expect(toScore('-2.5E+3')).toBe(-2500);
    // Whole numbers read digit by digit: exact to 15 digits, Number() past them, the same value either way.
    for (const whole of ['0', '007', '-42', '999999999999999', '-100000000000000', '9007199254740993', '1234567890123456789']) {
      expect(toScore(whole), whole).toBe(Number(whole));
    }
    for (const bad of ['', ' 1', '1 ', '\t1', 'nan', '1e400', '1e-400', '1x', '1\x00', '0x', '(1', '--1', '1e', '1e-', '1e5e5', '1e5.5']) {
      expect(toScore(bad), JSON.stringify(bad)).toBeNull();
    }
  });

  test('a range end (zslParseRange) allows blanks before, nothing at all, overflow, and text after a NUL', () => {
    expect(rangeScore(' 2')).toBe(2);
    expect(rangeScore('')).toBe(0);
    expect(rangeScore('1e400')).toBe(Infinity);
    expect(rangeScore('3\x00junk')).toBe(3);
    expect(rangeScore('nan')).toBeNull();
    expect(rangeScore('1 ')).toBeNull();
    expect(rangeScore(' ')).toBeNull();
  });
});

describe('score texts', () => {
  test('a listpack keeps integers up to 2^62 as integers (so -0 as 0) and other scores as 7.2 prints them (shortest digits, fpconv layout)', () => {
    const texts: [number, string][] = [
      [3, '3'], [-0, '0'], [0.1, '0.1'], [1e20, '1e+20'], [2 ** 62, '4611686018427387904'], [2 ** 63, '9223372036854776000'],
      [-Infinity, '-inf'], [123456789012345680, '123456789012345680'],
    ];
    for (const [d, text] of texts) {
      expect(packedScoreText(d), String(d)).toBe(text);
      expect(packedScore(text), text).toBe(d === 0 ? 0 : d);
    }
  });

  test('ZSCAN of a skiplist writes "%.17Lg": 17 digits rounded half to even, trailing zeros dropped', () => {
    const texts: [number, string][] = [
      [0.1, '0.10000000000000001'], [1.1, '1.1000000000000001'], [100000000000000.125, '100000000000000.12'], [1e17, '1e+17'],
      [1e16, '10000000000000000'], [1e-4, '0.0001'], [1e-5, '1.0000000000000001e-05'], [5e-324, '4.9406564584124654e-324'],
      [2 ** 60, '1.152921504606847e+18'], [-2.5, '-2.5'], [3, '3'], [-0, '-0'], [Infinity, 'inf'], [1.7976931348623157e308, '1.7976931348623157e+308'],
    ];
    for (const [d, text] of texts) expect(scanScoreText(d), String(d)).toBe(text);
  });
});
