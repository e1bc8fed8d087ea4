import { describe, expect, test } from 'vitest';
import { RespWriter } from '../../../src/protocol/reply.js';
import { BYTES_FROM, MutableString } from '../../../src/keyspace/mutable-string.js';

/** The buffer behind a value, null while it is held as a JS string. */
const bufferOf = (s: MutableString): Buffer | null => (s as unknown as { bytes: Buffer | null }).bytes;

/** What writeBulk puts on the wire for bytes [start, end). */
function wire(s: MutableString, start?: number, end?: number): string {
  const w = new RespWriter();
  s.writeBulk(w, start, end);
  return (w.take() as Buffer).toString('latin1');
}

const bulk = (v: string) => `$${v.length}\r\n${v}\r\n`;

/** A deterministic byte string of every byte value. */
function bytes(n: number, seed = 1): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String.fromCharCode((i * 31 + seed * 7) & 0xff);
  return out;
}

describe('MutableString', () => {
  test('a short value stays a JS string through appends and range writes, and reports raw', () => {
    const s = new MutableString('12');
    s.append('3');
    s.setRange(0, '9');
    expect(s.toString()).toBe('923');
    expect(s.length).toBe(3);
    expect(s.encoding()).toBe('raw');
    expect(bufferOf(s)).toBeNull();
  });

  test('a value moves into a buffer when a change takes it to BYTES_FROM, keeping every byte', () => {
    const head = bytes(BYTES_FROM - 2);
    const s = new MutableString(head);
    s.append('\x00');
    expect(bufferOf(s)).toBeNull();
    s.append('\xff');
    expect(bufferOf(s)).not.toBeNull();
    expect(s.toString()).toBe(head + '\x00\xff');
    expect(s.length).toBe(BYTES_FROM);
  });

  test('a long plain string wrapped for a change is moved into a buffer of its length, not rebuilt', () => {
    const text = bytes(3 * BYTES_FROM);
    const s = new MutableString(text);
    s.setRange(5, 'abc');
    expect(bufferOf(s)!.length).toBe(text.length);
    expect(s.toString()).toBe(text.slice(0, 5) + 'abc' + text.slice(8));
  });

  test('appends double the buffer when it is full, so n appends reallocate O(log n) times', () => {
    const s = new MutableString(bytes(BYTES_FROM));
    let expected = s.toString();
    const buffers = new Set<Buffer>();
    for (let i = 0; i < 20 * BYTES_FROM; i += 7) {
      const piece = bytes(7, i);
      s.append(piece);
      expected += piece;
      const buf = bufferOf(s)!;
      buffers.add(buf);
      expect(buf.length).toBeGreaterThanOrEqual(s.length);
    }
    expect(buffers.size).toBeLessThanOrEqual(6);
    expect(s.toString()).toBe(expected);
  });

  test('SETRANGE-style writes change the bytes where they are, within the length', () => {
    const s = new MutableString(bytes(2 * BYTES_FROM));
    s.append('x');
    const buf = bufferOf(s);
    const expected = s.toString().split('');
    for (const [at, piece] of [[0, 'head'], [BYTES_FROM, 'middle'], [2 * BYTES_FROM - 2, 'end']] as const) {
      s.setRange(at, piece);
      expected.splice(at, piece.length, ...piece);
    }
    expect(bufferOf(s)).toBe(buf);
    expect(s.toString()).toBe(expected.join(''));
    expect(s.length).toBe(2 * BYTES_FROM + 1);
  });

  test('a write past the end fills the gap with zero bytes, in a string, in spare room and in a new buffer', () => {
    const short = new MutableString('ab');
    short.setRange(5, 'c');
    expect(short.toString()).toBe('ab\0\0\0c');

    const long = new MutableString(bytes(BYTES_FROM));
    long.append('z');
    const room = bufferOf(long)!.length;
    long.setRange(BYTES_FROM + 10, 'q');
    expect(bufferOf(long)!.length).toBe(room);
    expect(long.toString().slice(BYTES_FROM)).toBe('z' + '\0'.repeat(9) + 'q');

    long.setRange(room + 100, 'w');
    expect(long.length).toBe(room + 101);
    const text = long.toString();
    expect(text.slice(BYTES_FROM + 11)).toBe('\0'.repeat(room + 100 - BYTES_FROM - 11) + 'w');
  });

  test('a value made from the start of a buffer (a big SET) grows into the rest without reallocating, its gaps zeroed over what the room held', () => {
    const len = BYTES_FROM + 5;
    const buf = Buffer.alloc(len + 100, 0xee);
    buf.write(bytes(len), 0, 'latin1');
    const s = MutableString.fromBytes(buf, len);
    expect(s.length).toBe(len);
    expect(s.toString()).toBe(bytes(len));
    s.append('tail');
    s.setRange(len + 10, 'q');
    expect(bufferOf(s)).toBe(buf);
    expect(s.toString()).toBe(bytes(len) + 'tail' + '\0'.repeat(6) + 'q');
    s.setRange(len + 200, 'w');
    expect(bufferOf(s)).not.toBe(buf);
    expect(s.toString()).toBe(bytes(len) + 'tail' + '\0'.repeat(6) + 'q' + '\0'.repeat(189) + 'w');
  });

  test('byteAt reads a byte from a string or a buffer, and 0 past the end', () => {
    for (const s of [new MutableString('a\xffb'), MutableString.fromBytes(Buffer.from('a\xffb', 'latin1'))]) {
      expect([s.byteAt(0), s.byteAt(1), s.byteAt(2), s.byteAt(3), s.byteAt(1e9)]).toEqual([0x61, 0xff, 0x62, 0, 0]);
    }
    const grown = new MutableString('x'.repeat(BYTES_FROM));
    grown.append('y');
    expect(bufferOf(grown)!.length).toBeGreaterThan(grown.length);
    expect(grown.byteAt(BYTES_FROM)).toBe(0x79);
    expect(grown.byteAt(BYTES_FROM + 1)).toBe(0);
  });

  test('view shows the bytes of a buffer without copying them, and copies those of a short string', () => {
    const long = MutableString.zeroed(BYTES_FROM);
    const whole = long.view();
    long.setRange(5, '\x07');
    expect(whole.length).toBe(BYTES_FROM);
    expect(whole[5]).toBe(7);
    expect([...long.view(4, 7)]).toEqual([0, 7, 0]);
    const short = new MutableString('ab\x80');
    expect([...short.view()]).toEqual([0x61, 0x62, 0x80]);
    expect([...short.view(1, 2)]).toEqual([0x62]);
  });

  test('bytesInPlace gives the buffer holding the bytes, the value first and room after it, moving a short one into a buffer', () => {
    const short = new MutableString('abc');
    const bytes = short.bytesInPlace();
    expect(bytes.length).toBe(3);
    bytes[1] = 0x7a;
    expect(short.toString()).toBe('azc');
    const grown = new MutableString('x'.repeat(BYTES_FROM));
    grown.append('y');
    const inPlace = grown.bytesInPlace();
    expect(inPlace.length).toBeGreaterThan(BYTES_FROM + 1);
    expect(inPlace.buffer).toBe(bufferOf(grown)!.buffer);
    // The room is not the value's: writing there changes nothing it holds.
    inPlace[BYTES_FROM + 1] = 0x7e;
    expect(grown.length).toBe(BYTES_FROM + 1);
    expect(grown.toString().endsWith('xy')).toBe(true);
    inPlace[0] = 0x41;
    expect(grown.byteAt(0)).toBe(0x41);
  });

  test('setByte writes one byte of a short value and of one held in a buffer, leaving the rest', () => {
    const short = new MutableString('abc');
    short.setByte(2, 0xff);
    expect(short.toString()).toBe('ab\xff');
    const long = MutableString.zeroed(2 * BYTES_FROM);
    long.setByte(BYTES_FROM, 0x80);
    expect([long.byteAt(BYTES_FROM - 1), long.byteAt(BYTES_FROM), long.byteAt(BYTES_FROM + 1)]).toEqual([0, 0x80, 0]);
    expect(long.length).toBe(2 * BYTES_FROM);
  });

  test('zeroed(n) holds exactly n zero bytes', () => {
    expect(MutableString.zeroed(3).toString()).toBe('\0\0\0');
    const big = MutableString.zeroed(10 * BYTES_FROM);
    expect(bufferOf(big)!.length).toBe(10 * BYTES_FROM);
    expect(big.length).toBe(10 * BYTES_FROM);
    big.setRange(10 * BYTES_FROM - 1, 'x');
    expect(bufferOf(big)!.length).toBe(10 * BYTES_FROM);
    expect(big.toString()).toBe('\0'.repeat(10 * BYTES_FROM - 1) + 'x');
  });

  test('writeBulk sends the whole value or a range, from a string or a buffer', () => {
    const short = new MutableString('hello');
    expect(wire(short)).toBe(bulk('hello'));
    expect(wire(short, 1, 3)).toBe(bulk('el'));
    const text = bytes(BYTES_FROM + 50);
    const long = new MutableString(text.slice(0, 10));
    long.append(text.slice(10));
    expect(bufferOf(long)).not.toBeNull();
    expect(wire(long)).toBe(bulk(text));
    expect(wire(long, BYTES_FROM, BYTES_FROM + 20)).toBe(bulk(text.slice(BYTES_FROM, BYTES_FROM + 20)));
    expect(wire(long, 0, 0)).toBe(bulk(''));
  });

  test('a reply keeps the bytes it was given when the value changes afterwards', () => {
    const s = new MutableString(bytes(BYTES_FROM));
    s.append('tail');
    const w = new RespWriter();
    s.writeBulk(w);
    s.setRange(0, 'XXXX');
    expect((w.take() as Buffer).toString('latin1')).toBe(bulk(bytes(BYTES_FROM) + 'tail'));
  });

  test('clone is independent and holds only the length', () => {
    const s = new MutableString(bytes(BYTES_FROM));
    s.append('more');
    const copy = s.clone();
    expect(bufferOf(copy)!.length).toBe(s.length);
    s.setRange(0, 'changed');
    s.append('!');
    copy.append('?');
    expect(copy.toString()).toBe(bytes(BYTES_FROM) + 'more?');
    expect(s.toString()).toBe('changed' + bytes(BYTES_FROM).slice(7) + 'more!');

    const short = new MutableString('abc');
    const shortCopy = short.clone();
    short.append('d');
    expect(shortCopy.toString()).toBe('abc');
  });
});
