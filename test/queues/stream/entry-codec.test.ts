import { describe, expect, test } from 'vitest';
import { afterHeader, bytesItem, headerAt, intItem, intOf, intValue, itemBytes, itemString, varint } from '../../../src/queues/stream/entry-codec.js';
import { formatId, U64_MAX, type StreamId } from '../../../src/queues/stream/id.js';
import { StreamValue } from '../../../src/queues/stream/stream-value.js';

const LIMITS = { maxBytes: 4096, maxEntries: 100 };

/** `s` as a block stores a value: an integer item when intValue reads one, else its bytes. */
const stringItem = (s: string) => {
  const v = intValue(s);
  return v === v ? intItem(v) : bytesItem(s);
};

/** Values that look like integers and are not the decimal they would print as, or are past what an item holds. */
const NOT_CANONICAL = ['007', '-0', '+1', '1e3', ' 1', '1 ', '0x10', '1.0', '-', '', '9999999999999999', '-9999999999999999', '12345678901234567890'];
const CANONICAL = ['0', '7', '-7', '1700000123', '999999999999999', '-999999999999999', '127', '-128', '4294967296'];

function readAll(packed: string, count: number): string[] {
  const out: string[] = [];
  let p = 0;
  for (let i = 0; i < count; i++) {
    const h = headerAt(packed, p);
    p = afterHeader();
    out.push(itemString(packed, h, p));
    p += itemBytes(h);
  }
  expect(p).toBe(packed.length);
  return out;
}

describe('stream entry items', () => {
  test('every value reads back byte for byte, integer-looking or not', () => {
    const long = 'x'.repeat(70_000);
    const values = [...NOT_CANONICAL, ...CANONICAL, 'email', '\x00\xff\x80', long];
    expect(readAll(values.map(stringItem).join(''), values.length)).toEqual(values);
  });

  test('a canonical decimal is kept as an integer: a 10-digit timestamp takes 5 chars, not 11', () => {
    expect(stringItem('1700000123')).toHaveLength(5);
    expect(stringItem('7')).toHaveLength(1);
    expect(stringItem('007')).toHaveLength(4);
    expect(stringItem('9999999999999999')).toHaveLength(17);
  });

  test('integer items hold negatives and values past 32 bits', () => {
    const ints = [0, 1, -1, 63, -64, 2 ** 31, -(2 ** 31) - 1, 2 ** 50, -(2 ** 50)];
    const packed = ints.map(intItem).join('');
    let p = 0;
    const read = ints.map(() => {
      const h = headerAt(packed, p);
      p = afterHeader();
      return intOf(h);
    });
    expect(read).toEqual(ints);
    expect(p).toBe(packed.length);
  });
});

test('varints of every width read back, up to 2^53', () => {
  const values = [0, 127, 128, 0x3fff, 0x4000, 0x1fffff, 0x200000, 0xfffffff, 0x10000000, 2 ** 35 + 5, 2 ** 53 - 1];
  const packed = values.map(varint).join('');
  let p = 0;
  expect(values.map(() => {
    const h = headerAt(packed, p);
    p = afterHeader();
    return h;
  })).toEqual(values);
  expect(varint(0x10000000)).toHaveLength(5);
});

describe('entries packed with items', () => {
  test('every ID and value survives a stream of blocks: IDs far past 2^53, sequences below the master\'s, many fields', () => {
    const s = new StreamValue();
    const ids: StreamId[] = [
      { ms: 5, seq: 2 ** 40 },
      { ms: 6, seq: 0 },
      { ms: 2 ** 52, seq: 3 },
      { ms: 2n ** 60n, seq: 0 },
      { ms: 2n ** 60n, seq: 2n ** 63n },
      { ms: U64_MAX, seq: 1 },
    ];
    const entries = ids.map((id, i) => {
      const pairs = i % 2 === 0 ? ['ts', '1700000000', 'n', '-0', 'big', '12345678901234567890'] : Array.from({ length: 40 }, (_, k) => (k % 3 === 0 ? String(k - 20) : `f${k}`));
      return { id, pairs };
    });
    for (const e of entries) s.append(e.id, e.pairs, LIMITS);
    const read = Array.from(s.range(), (e) => ({ id: formatId(e.id), pairs: e.reader.pairs() }));
    expect(read).toEqual(entries.map((e) => ({ id: formatId(e.id), pairs: e.pairs })));
    expect(Array.from(s.range(undefined, undefined, true), (e) => formatId(e.id))).toEqual(ids.map(formatId).reverse());
  });
});
