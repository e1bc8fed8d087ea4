import { describe, expect, test } from 'vitest';
import { BusFramer, DEFAULT_MAX_MESSAGE_LENGTH } from '../../../src/cluster/bus/framer.js';
import { seededInts } from '../../helpers/seeded.js';
import { loadCapture } from './captured.js';

const captured = loadCapture('7.2.6').messages.slice(0, 12).map((m) => m.bytes);
const stream = Buffer.concat(captured);

function head(sig: string, totlen: number): Buffer {
  const b = Buffer.alloc(8);
  b.write(sig, 0, 'latin1');
  b.writeUInt32BE(totlen, 4);
  return b;
}

describe('cutting a bus stream into messages', () => {
  test('messages come out whole and in order however the stream is chunked', () => {
    const next = seededInts(7);
    for (const chunking of ['byte', 'random', 'all'] as const) {
      const framer = new BusFramer();
      const out: Buffer[] = [];
      for (let at = 0; at < stream.length;) {
        const size = chunking === 'byte' ? 1 : chunking === 'all' ? stream.length : 1 + next(5000);
        const r = framer.push(stream.subarray(at, at + size));
        expect(r.error).toBeNull();
        out.push(...r.messages);
        at += size;
      }
      expect(out).toEqual(captured);
      expect(framer.pending).toBe(0);
    }
  });

  test('nothing returned or held shares memory with a pushed chunk, which the caller may reuse', () => {
    const framer = new BusFramer();
    const readBuffer = Buffer.alloc(3000);
    const out: Buffer[] = [];
    for (let at = 0; at < stream.length; at += readBuffer.length) {
      const n = stream.copy(readBuffer, 0, at, at + readBuffer.length);
      out.push(...framer.push(readBuffer.subarray(0, n)).messages);
      readBuffer.fill(0xee);
    }
    expect(out).toEqual(captured);
  });

  test('a bad signature or a totlen shorter than the header ends the stream, as Redis closes the link', () => {
    const framer = new BusFramer();
    const r = framer.push(Buffer.concat([captured[0], head('HTTP', 2256)]));
    expect(r).toEqual({ messages: [captured[0]], error: 'bad message signature on the cluster bus' });
    expect(framer.push(captured[1]).error).toBe('bad message signature on the cluster bus');
    expect(new BusFramer().push(head('RCmb', 2255)).error).toMatch(/bad message length 2255 .*shorter than the header/);
  });

  test('an absurd totlen is refused from its first 8 bytes, before anything is held for it', () => {
    const framer = new BusFramer();
    expect(framer.push(head('RCmb', 0xffffffff)).error).toMatch(/bad message length 4294967295 .*longer than/);
    expect(framer.pending).toBe(0);
    expect(DEFAULT_MAX_MESSAGE_LENGTH).toBeLessThan(0xffffffff);
    expect(new BusFramer(10000).push(head('RCmb', 10001)).error).toMatch(/longer than 10000/);
  });

  test('a large message that is still arriving holds only what has arrived', () => {
    const framer = new BusFramer();
    expect(framer.push(head('RCmb', 100_000_000))).toEqual({ messages: [], error: null });
    framer.push(Buffer.alloc(1000));
    expect(framer.pending).toBe(1008);
  });
});
