import { describe, expect, test } from 'vitest';
import { Crc64, crc64 } from '../../../src/codecs/crc64.js';
import { lzfCompress, lzfDecompress } from '../../../src/codecs/lzf.js';
import { RdbError } from '../../../src/codecs/rdb/rdb-error.js';
import { MAX_VALUE_ELEMENTS, RdbReader } from '../../../src/codecs/rdb/reader.js';
import { loadLimits, readValue } from '../../../src/persistence/rdb/decode-value.js';
import { RdbWriter } from '../../../src/codecs/rdb/writer.js';
import { ListpackBuilder, readListpack } from '../../../src/persistence/rdb/listpack.js';

/** The RDB primitives on their own: what the golden payloads and Redis's files do not reach one by one. */

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('CRC-64', () => {
  test("is Redis's: 0xe9c6d914c4b8d9ca for 123456789, the same fed in pieces", () => {
    const data = Buffer.from('123456789');
    expect(crc64(data).readBigUInt64LE(0)).toBe(0xe9c6d914c4b8d9can);
    expect(new Crc64().update(data.subarray(0, 4)).update(data.subarray(4)).digest()).toEqual(crc64(data));
  });

  test('over a byte string (updateText, matchesText) is the same as over its bytes, at every length around the 8-byte steps', () => {
    const text = new Crc64();
    expect(text.updateText('123456789')).toBe(true);
    expect(text.digest().readBigUInt64LE(0)).toBe(0xe9c6d914c4b8d9can);
    const next = rng(5);
    for (let n = 0; n < 80; n++) {
      const b = Buffer.from(Array.from({ length: n + 8 }, () => Math.floor(next() * 256)));
      const s = b.toString('latin1');
      const c = new Crc64();
      expect(c.updateText(s, n)).toBe(true);
      const bytes = new Crc64().update(b, n);
      expect(c.digest()).toEqual(bytes.digest());
      bytes.writeTo(b, n);
      expect(c.matchesText(b.toString('latin1'), n)).toBe(true);
      b[n + 7] ^= 1;
      expect(c.matchesText(b.toString('latin1'), n)).toBe(false);
    }
    expect(new Crc64().updateText('abc\u0100defghijk')).toBe(false);
    expect(new Crc64().updateText('abcdefghij\u0100k')).toBe(false);
  });
});

describe('LZF', () => {
  test('what it compresses decompresses to the input: runs, repeats, noise, long literal runs', () => {
    const next = rng(1);
    const inputs = [
      Buffer.alloc(1000, 'a'),
      Buffer.from('abcdefgh'.repeat(300)),
      Buffer.from(Array.from({ length: 5000 }, (_, i) => (i % 300 < 100 ? Math.floor(next() * 256) : i % 7))),
      Buffer.from(Array.from({ length: 70000 }, () => Math.floor(next() * 4))),
    ];
    for (const input of inputs) {
      const packed = lzfCompress(input, input.length - 4);
      expect(packed).not.toBeNull();
      expect(lzfDecompress(packed!, input.length)).toEqual(input);
    }
  });

  test('gives up on what it cannot shrink by four bytes, as Redis then stores the string raw', () => {
    const next = rng(2);
    const noise = Buffer.from(Array.from({ length: 200 }, () => Math.floor(next() * 256)));
    expect(lzfCompress(noise, noise.length - 4)).toBeNull();
  });
});

describe('lengths and strings', () => {
  test('every length form reads back, 64-bit ones exactly', () => {
    const w = new RdbWriter(false);
    const values: (number | bigint)[] = [0, 63, 64, 16383, 16384, 2 ** 32 - 1, 2 ** 32, 2 ** 53 - 1, 2n ** 64n - 1n];
    for (const v of values) w.length(v);
    const r = new RdbReader(Buffer.from(w.result()));
    for (const v of values) expect(r.lengthU64()).toBe(v);
  });

  test('strings that read as 32-bit integers are written as integers, others as bytes', () => {
    const w = new RdbWriter(true);
    const values = ['0', '-128', '127', '-32768', '32767', '2147483647', '-2147483648', '2147483648', '01', '-0', '', 'x'.repeat(100)];
    for (const v of values) w.string(v);
    const bytes = Buffer.from(w.result());
    expect(bytes.subarray(0, 2)).toEqual(Buffer.from([0xc0, 0]));
    const r = new RdbReader(bytes);
    for (const v of values) expect(r.string()).toBe(v);
    expect(r.remaining).toBe(0);
  });

  test('a length past the data fails at once, naming the offset', () => {
    const r = new RdbReader(Buffer.from([0x80, 0xff, 0xff, 0xff, 0xff, 0x61]));
    expect(() => r.string()).toThrow(RdbError);
    expect(() => new RdbReader(Buffer.from([0x05, 0x61])).string()).toThrow('unexpected end of data at offset 1');
    expect(() => new RdbReader(Buffer.from([0xc5])).string()).toThrow('unknown string encoding 5 at offset 0');
  });

  test('ASCII doubles as RDB 1-7 store them, with the three special lengths', () => {
    const r = new RdbReader(Buffer.from('\x031.5\xfd\xfe\xff\x0512e-3\x03abc', 'latin1'));
    expect(r.asciiDouble()).toBe(1.5);
    expect(r.asciiDouble()).toBeNaN();
    expect(r.asciiDouble()).toBe(Infinity);
    expect(r.asciiDouble()).toBe(-Infinity);
    expect(r.asciiDouble()).toBe(0.012);
    expect(() => r.asciiDouble()).toThrow('invalid double');
  });
});

describe('listpack', () => {
  test('every integer width and string length reads back; integer-looking strings become integers', () => {
    const items = [
      '0', '127', '128', '-4096', '4095', '-4097', '32767', '-32768', '8388607', '-8388608', '2147483647', '-2147483648',
      '9223372036854775807', '-9223372036854775808', '9223372036854775808', '', 'a'.repeat(63), 'b'.repeat(64), 'c'.repeat(4095), 'd'.repeat(4096), '01', '+1',
    ];
    const lp = new ListpackBuilder();
    for (const s of items) lp.add(s);
    const read = readListpack(lp.finish(), 0).map(String);
    expect(read).toEqual(items);
  });

  test('a wrong back-length, count or end byte is refused', () => {
    const good = new ListpackBuilder().add('hello').add('12').finish();
    const badBack = Buffer.from(good);
    badBack[6 + 6] = 9;
    expect(() => readListpack(badBack, 100)).toThrow(/invalid listpack: bad back-length at offset 11\d/);
    const badCount = Buffer.from(good);
    badCount[4] = 3;
    expect(() => readListpack(badCount, 0)).toThrow('invalid listpack: entry count in header does not match at offset 4');
    const noEnd = Buffer.from(good);
    noEnd[noEnd.length - 1] = 0;
    expect(() => readListpack(noEnd, 0)).toThrow(/invalid listpack/);
  });
});

describe('a value with more elements than a JS array can safely grow to', () => {
  const limits = loadLimits({ config: { num: (name: string) => (name.endsWith('entries') ? 128 : 64), str: () => '' } } as never);

  test(`a list claiming ${MAX_VALUE_ELEMENTS + 1} empty elements, all present, is refused as corrupt before one is read`, () => {
    // RDB_TYPE_LIST: a 32-bit length (0x80 then big-endian), then that many zero-length strings.
    const n = MAX_VALUE_ELEMENTS + 1;
    const data = Buffer.alloc(5 + n);
    data[0] = 0x80;
    data.writeUInt32BE(n, 1);
    const r = new RdbReader(data);
    expect(() => readValue(r, 1, limits)).toThrow(RdbError);
    expect(r.pos).toBe(5);
  });

  test('the limit counts the elements of one value, not of the whole file', () => {
    const data = Buffer.from([2, 0, 0, 2, 0, 0]);
    const r = new RdbReader(data);
    for (let i = 0; i < 2; i++) expect(readValue(r, 1, limits)).toBeDefined();
    expect(r.pos).toBe(6);
  });
});
