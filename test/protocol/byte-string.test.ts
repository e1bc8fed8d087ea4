import { describe, expect, test } from 'vitest';
import { byteString } from '../../src/protocol/byte-string.js';

describe('byteString makes the same byte string as latin1Slice', () => {
  test('at every length up to 40, for every byte value, at any offset', () => {
    const bytes = Buffer.alloc(256 + 40);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 7 + 3) & 0xff;
    for (let len = 0; len <= 40; len++) {
      for (let at = 0; at <= 256; at += 17) {
        const s = byteString(bytes, at, len);
        expect(s).toBe(bytes.latin1Slice(at, at + len));
        expect(s.length).toBe(len);
      }
    }
  });

  test('reads nothing past the range it is given, even at the end of the buffer', () => {
    const tail = Buffer.from([0xff, 0x00, 0x80]);
    expect(byteString(tail, 1, 2)).toBe('\u0000\u0080');
    expect(byteString(tail, 3, 0)).toBe('');
  });
});
