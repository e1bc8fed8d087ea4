import { describe, expect, test } from 'vitest';
import { globFrames, globMatch } from '../../src/core/glob.js';

/** [pattern, subject, expected] */
type Case = [string, string, boolean];

function check(cases: Case[], nocase = false): void {
  for (const [p, s, want] of cases) {
    expect(globMatch(p, s, nocase), `${JSON.stringify(p)} ~ ${JSON.stringify(s)}${nocase ? ' (nocase)' : ''}`).toBe(want);
  }
}

describe('globMatch (Redis stringmatchlen semantics)', () => {
  test('literals, ? and *', () => {
    check([
      ['hello', 'hello', true], ['hello', 'hell', false], ['hello', 'helloo', false],
      ['h?llo', 'hallo', true], ['h?llo', 'hllo', false], ['?', '', false], ['??', 'a', false],
      ['*', 'anything', true], ['h*llo', 'hllo', true], ['h*llo', 'heeeello', true], ['h*llo', 'hello!', false],
      ['*llo', 'hello', true], ['he*', 'he', true], ['*a*', 'bab', true], ['*a*', 'bbb', false],
      ['a*b*c', 'aXbYc', true], ['a*b*c', 'aXcYb', false], ['***', 'x', true], ['a**b', 'ab', true],
      ['', '', true], ['', 'a', false],
    ]);
  });

  test('the empty subject is matched only by the empty pattern, as in Redis', () => {
    check([['*', '', false], ['**', '', false], ['', '', true], ['?*', '', false]]);
  });

  test('character classes: sets, negation, ranges, reversed ranges', () => {
    check([
      ['h[ae]llo', 'hallo', true], ['h[ae]llo', 'hello', true], ['h[ae]llo', 'hillo', false],
      ['h[^e]llo', 'hallo', true], ['h[^e]llo', 'hello', false],
      ['h[a-c]llo', 'hbllo', true], ['h[a-c]llo', 'hdllo', false], ['h[c-a]llo', 'hbllo', true],
      ['[0-9][0-9]', '42', true], ['[0-9]', 'a', false], ['[a-]', '-', false], ['[a-]', 'a', true], ['[a-]', ']', true],
      ['[]', 'x', false], ['[]]', ']', false], ['[!a]', '!', true], ['[]a]', 'a', false],
    ]);
  });

  test('unterminated classes end the pattern', () => {
    check([['h[a', 'ha', true], ['h[a', 'hb', false], ['[', 'a', false], ['[^', 'a', true], ['[a-', 'a', true]]);
  });

  test('backslash escapes, inside and outside classes', () => {
    check([
      ['h\\*llo', 'h*llo', true], ['h\\*llo', 'hello', false], ['\\?', '?', true], ['\\?', 'a', false],
      ['\\[a]', '[a]', true], ['[\\]]', ']', true], ['[\\-]', '-', true], ['[a\\-z]', 'b', false],
      ['f\\\\oo', 'f\\oo', true], ['foo\\', 'foo\\', true], ['[a\\', '\\', true],
    ]);
  });

  test('nocase folds ASCII letters only, and not escaped class members', () => {
    check([
      ['HELLO', 'hello', true], ['h[A-C]llo', 'hbllo', true], ['h[a-c]llo', 'HBLLO', true], ['[^A]', 'a', false],
      ['\\A', 'a', true], ['[\\A]', 'a', false], ['[\\A]', 'A', true], ['\xc9', '\xe9', false],
    ], true);
    check([['HELLO', 'hello', false], ['[A-C]', 'b', false]]);
  });

  test('binary subjects and patterns, with high bytes compared as signed chars in ranges', () => {
    check([
      ['a\x00b', 'a\x00b', true], ['a?b', 'a\x00b', true], ['*\x00*', 'x\x00y', true], ['*\x00*', 'xy', false],
      ['\xff*', '\xff\xfe', true], ['[\xfe\xff]', '\xff', true],
      // Redis (x86) reads 0xff as -1, so [\x00-\xff] is the range -1..0.
      ['[\x00-\xff]', '\xff', true], ['[\x00-\xff]', '\x00', true], ['[\x00-\xff]', '\x01', false],
      ['[\x80-\xff]', '\x90', true], ['[\x80-\xff]', 'a', false], ['[\x01-\x80]', 'a', false], ['[\x01-\x80]', '\x90', true],
    ]);
  });

  test('patterns that would backtrack exponentially stop early', () => {
    const subject = 'a'.repeat(60);
    const before = globFrames();
    expect(globMatch('a*'.repeat(30) + 'b', subject)).toBe(false);
    expect(globMatch('*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b', subject)).toBe(false);
    expect(globMatch('*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*?*!', 'x'.repeat(200))).toBe(false);
    // Without the early stop each of these needs on the order of 60^20 frames.
    expect(globFrames() - before).toBeLessThan(50_000);
    expect(globMatch('a*'.repeat(30), subject)).toBe(true);
  });

  test('more than 1000 nested stars never match, as in Redis', () => {
    expect(globMatch('*a'.repeat(1001), 'a'.repeat(1001))).toBe(false);
    expect(globMatch('*a'.repeat(999), 'a'.repeat(999))).toBe(true);
  });
});
