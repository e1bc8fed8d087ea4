import { describe, expect, test } from 'vitest';
import { REMEMBERED, RepeatedArgs } from '../../src/protocol/repeated-args.js';

/** `text`'s bytes at offset 3 of a buffer, as a request's argument sits after its header. */
function framed(text: string): Buffer {
  return Buffer.from(`$9\r${text}\r\n`, 'latin1');
}

describe('RepeatedArgs', () => {
  test('the same bytes again give the same string; a difference in any byte, at any length, gives the new text', () => {
    for (let len = 0; len <= 9; len++) {
      const text = 'abcdefghi'.slice(0, len);
      const repeated = new RepeatedArgs();
      const first = repeated.arg(framed(text), 2, 3, len);
      expect(first).toBe(text);
      expect(repeated.matches(framed(text), 2, 3, len)).toBe(true);
      for (let at = 0; at < len; at++) {
        const changed = text.slice(0, at) + 'Z' + text.slice(at + 1);
        expect(repeated.matches(framed(changed), 2, 3, len), `${JSON.stringify(changed)} against ${JSON.stringify(text)}`).toBe(false);
        expect(repeated.arg(framed(changed), 2, 3, len)).toBe(changed);
        expect(repeated.arg(framed(text), 2, 3, len)).toBe(text);
      }
    }
  });

  test('each place keeps its own last argument, and one longer than its limit is never kept', () => {
    const repeated = new RepeatedArgs();
    repeated.arg(framed('GET'), 0, 3, 3);
    repeated.arg(framed('key'), 1, 3, 3);
    expect(repeated.matches(framed('GET'), 0, 3, 3)).toBe(true);
    expect(repeated.matches(framed('GET'), 1, 3, 3)).toBe(false);
    const long = 'x'.repeat(REMEMBERED[2] + 1);
    const buf = Buffer.from(`$99\r\n${long}\r\n`, 'latin1');
    expect(repeated.arg(buf, 2, 5, long.length)).toBe(long);
    expect(repeated.matches(buf, 2, 5, long.length)).toBe(false);
  });
});
