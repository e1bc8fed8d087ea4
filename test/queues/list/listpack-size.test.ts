import { describe, expect, test } from 'vitest';
import { toInt64 } from '../../../src/codecs/integer-text.js';
import { intEntrySize, isListpackInt, listpackEntrySize } from '../../../src/queues/list/listpack-size.js';

/** Strings near the integer rules' edges: signs, zeros, dots, 15 to 20 digits, int64's bounds and past them. */
function candidates(): string[] {
  const out = ['', '0', '-0', '00', '01', '-', '+1', ' 1', '1 ', '1.5', '1234567.123', '1e5', '-1', '9', '127', '128', '-4096', '4095',
    '9223372036854775807', '9223372036854775808', '-9223372036854775808', '-9223372036854775809', '99999999999999999999'];
  for (let digits = 13; digits <= 21; digits++) {
    out.push('9'.repeat(digits), '-' + '9'.repeat(digits), '1' + '0'.repeat(digits - 1), '-1' + '0'.repeat(digits - 1));
  }
  let seed = 7;
  const rnd = (n: number) => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  for (let i = 0; i < 2000; i++) {
    let s = rnd(4) === 0 ? '-' : '';
    const len = 1 + rnd(21);
    for (let j = 0; j < len; j++) s += rnd(40) === 0 ? '.' : String(rnd(10));
    out.push(s);
  }
  return out;
}

describe('listpack sizes of strings', () => {
  test("a string is an integer entry exactly when Redis's string2ll reads it as an int64", () => {
    for (const s of candidates()) expect([s, isListpackInt(s)]).toEqual([s, toInt64(s) !== null]);
  });

  test('an integer entry takes its integer encoding, any other short string its bytes, a header byte and a back-length byte', () => {
    for (const s of candidates()) {
      const n = toInt64(s);
      const expected = n !== null ? intEntrySize(Number(n)) : 1 + s.length + 1;
      expect([s, listpackEntrySize(s)]).toEqual([s, expected]);
    }
  });
});
