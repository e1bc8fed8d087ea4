import { describe, expect, test } from 'vitest';
import { RequestParser, type RequestSink } from '../../src/protocol/request-parser.js';
import { encodeCommand } from '../helpers/resp-client.js';
import { seededInts } from '../helpers/seeded.js';

/** What the sink was offered ahead (each request's name and second argument) and what it was then asked to run. */
interface Seen {
  ahead: { name: string; arg: string }[][];
  commands: string[][];
  errors: string[];
  /** Spans offered outside the buffer they came with. */
  outside: number;
}

/**
 * A bare parser fed `chunks`, its sink looking ahead when `looks` says so.
 * Each chunk goes through one reused buffer scribbled over after the call,
 * as the server's shared read buffer is.
 */
function feed(chunks: Buffer[], { looks = true, authenticated = true }: { looks?: boolean; authenticated?: boolean } = {}): Seen {
  const seen: Seen = { ahead: [], commands: [], errors: [], outside: 0 };
  const sink: RequestSink = {
    command: (argv) => {
      seen.commands.push([...argv]);
      return true;
    },
    protocolError: (message) => seen.errors.push(message),
    queryBufferOverflow: () => seen.errors.push('overflow'),
    looksAhead: () => looks,
    ahead: (buf, names, spans, count) => {
      for (let j = 0; j < count; j++) if (spans[2 * j] < 0 || spans[2 * j] + spans[2 * j + 1] > buf.length) seen.outside++;
      seen.ahead.push(Array.from({ length: count }, (_, j) => ({ name: names[j], arg: buf.latin1Slice(spans[2 * j], spans[2 * j] + spans[2 * j + 1]) })));
    },
  };
  const parser = new RequestParser(sink, { maxBulkLen: 512 * 1024 * 1024, queryBufferLimit: 1024 * 1024 * 1024 });
  parser.authenticated = authenticated;
  const readBuffer = Buffer.alloc(Math.max(...chunks.map((c) => c.length)));
  for (const chunk of chunks) {
    chunk.copy(readBuffer);
    parser.feed(readBuffer.subarray(0, chunk.length));
    readBuffer.fill(0x3f);
  }
  return seen;
}

const req = (...argv: string[]) => encodeCommand(argv);
const cat = (...parts: Buffer[]) => Buffer.concat(parts);

describe('framing a read ahead for the sink (RequestSink.ahead)', () => {
  test('looking ahead changes nothing the parser frames or refuses, whatever the bytes and however they are cut', () => {
    const rnd = seededInts(70);
    const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)];
    const word = () => Array.from({ length: rnd(6) }, () => pick(['a', 'k', '1', '\r', '\n', '*', '$', '\0', '\xff'])).join('');
    let windows = 0;
    for (let trial = 0; trial < 400; trial++) {
      const parts: Buffer[] = [];
      for (let k = rnd(40); k >= 0; k--) {
        const kind = rnd(20);
        if (kind < 15) parts.push(req(pick(['GET', 'SET', 'LPUSH', 'ECHO', 'MGET', word()]), ...Array.from({ length: rnd(4) }, word)));
        else if (kind < 17) parts.push(Buffer.from(Array.from({ length: rnd(12) }, () => pick(['*', '$', '\r', '\n', '0', '2', '9', '-', 'x'])).join(''), 'latin1'));
        else if (kind < 18) parts.push(Buffer.from('PING\r\n'));
        else parts.push(req(...Array.from({ length: 17 + rnd(3) }, word)));
      }
      const all = Buffer.concat(parts);
      const chunks: Buffer[] = [];
      for (let at = 0; at < all.length; ) {
        const n = 1 + rnd(Math.min(trial % 2 === 0 ? 64 : 4096, all.length - at));
        chunks.push(all.subarray(at, at + n));
        at += n;
      }
      if (chunks.length === 0) continue;
      const looking = feed(chunks, { looks: true });
      const not = feed(chunks, { looks: false });
      expect(looking.commands).toEqual(not.commands);
      expect(looking.errors).toEqual(not.errors);
      expect(looking.outside).toBe(0);
      windows += looking.ahead.length;
    }
    // The mixes did get framed ahead, in windows of every size.
    expect(windows).toBeGreaterThan(300);
  });

  test('the whole requests of a read are offered with their names and second arguments before the first runs; a partial one is not', () => {
    const partial = req('GET', 'k4');
    const seen = feed([cat(req('SET', 'k1', 'v'), req('get', 'k2'), req('HSET', 'h', 'f', 'v')), partial.subarray(0, 5)]);
    expect(seen.ahead).toEqual([[{ name: 'SET', arg: 'k1' }, { name: 'get', arg: 'k2' }, { name: 'HSET', arg: 'h' }]]);
    expect(seen.commands).toEqual([['SET', 'k1', 'v'], ['get', 'k2'], ['HSET', 'h', 'f', 'v']]);
  });

  test('binary and empty arguments are offered by their exact bytes', () => {
    const seen = feed([cat(req('GET', 'a\r\nb\0'), req('GET', ''), req('GET', '\xff'))]);
    expect(seen.ahead).toEqual([[{ name: 'GET', arg: 'a\r\nb\0' }, { name: 'GET', arg: '' }, { name: 'GET', arg: '\xff' }]]);
    expect(seen.commands.map((c) => c[1])).toEqual(['a\r\nb\0', '', '\xff']);
  });

  test('a read of one request is not looked ahead into', () => {
    expect(feed([req('GET', 'k')]).ahead).toEqual([]);
  });

  test('nothing is framed ahead when the sink does not ask, nor for a client that has not authenticated', () => {
    const batch = cat(req('GET', 'a'), req('GET', 'b'));
    expect(feed([batch], { looks: false }).ahead).toEqual([]);
    expect(feed([batch], { authenticated: false }).ahead).toEqual([]);
  });

  test('framing ahead stops at a request of one argument, an inline request and one of more than 16 arguments', () => {
    const many = req('MSET', ...Array.from({ length: 16 }, (_, i) => `x${i}`));
    expect(feed([cat(req('GET', 'a'), req('GET', 'b'), req('PING'), req('GET', 'c'))]).ahead).toEqual([[{ name: 'GET', arg: 'a' }, { name: 'GET', arg: 'b' }]]);
    expect(feed([cat(req('GET', 'a'), req('GET', 'b'), Buffer.from('GET c\r\n'), req('GET', 'd'))]).ahead.map((a) => a.length)).toEqual([2]);
    expect(feed([cat(req('GET', 'a'), req('GET', 'b'), many, req('GET', 'c'))]).ahead.map((a) => a.length)).toEqual([2]);
    const seen = feed([cat(req('GET', 'a'), req('GET', 'b'), many, req('GET', 'c'))]);
    expect(seen.commands.length).toBe(4);
  });

  test('at most 32 requests are offered at once; the request after them frames ahead again', () => {
    const batch = cat(...Array.from({ length: 70 }, (_, i) => req('GET', `k${i}`)));
    const seen = feed([batch]);
    expect(seen.ahead.map((a) => a.length)).toEqual([32, 32, 6]);
    expect(seen.ahead.map((a) => [a[0].arg, a.at(-1)!.arg])).toEqual([['k0', 'k31'], ['k32', 'k63'], ['k64', 'k69']]);
    expect(seen.commands.length).toBe(70);
  });

  test('framing stopped by a request that is not plain starts again after it', () => {
    const seen = feed([cat(req('GET', 'a'), req('GET', 'b'), req('PING'), req('GET', 'c'), req('GET', 'd'), Buffer.from('GET e\r\n'), req('GET', 'f'), req('GET', 'g'))]);
    expect(seen.ahead.map((a) => a.map((r) => r.arg))).toEqual([['a', 'b'], ['c', 'd'], ['f', 'g']]);
    expect(seen.commands.length).toBe(8);
  });

  test('a read that starts inside a request (its bytes might look like headers) is framed ahead from the request after it', () => {
    const value = '*2\r\n$3\r\nGET\r\n$1\r\nx\r\n*2\r\n$3\r\nGET\r\n$1\r\ny\r\n';
    const first = req('SET', 'k1', value);
    // The second read starts where the value's bytes do.
    const split = first.indexOf(value);
    const seen = feed([first.subarray(0, split), cat(first.subarray(split), req('GET', 'k2'), req('GET', 'k3')), cat(req('GET', 'k4'), req('GET', 'k5'))]);
    expect(seen.ahead.map((a) => a.map((r) => r.arg))).toEqual([['k2', 'k3'], ['k4', 'k5']]);
    expect(seen.commands.map((c) => c[1])).toEqual(['k1', 'k2', 'k3', 'k4', 'k5']);
  });

  test('a window of one key (the last request\'s too) is not offered, and that client is not framed ahead for its next 32 reads', () => {
    const sameKey = cat(...Array.from({ length: 16 }, () => req('LPUSH', 'list', 'x')));
    const two = cat(req('GET', 'a'), req('GET', 'b'));
    // Its first key is the one the read before ended with.
    const lastKeyThenOne = cat(req('GET', 'b'), req('GET', 'c'));
    const reads = [sameKey, ...Array.from({ length: 32 }, () => two), two, lastKeyThenOne, ...Array.from({ length: 32 }, () => two), two];
    const seen = feed(reads);
    expect(seen.ahead.map((a) => a.map((r) => r.arg))).toEqual([['a', 'b'], ['a', 'b']]);
    expect(seen.commands.length).toBe(16 + 2 * 67);
  });

  test('garbage after whole requests ends the framing ahead, and the parser still answers it as before', () => {
    const seen = feed([cat(req('GET', 'a'), req('GET', 'b'), Buffer.from('*2\r\n$x\r\n'))]);
    expect(seen.ahead.map((a) => a.length)).toEqual([2]);
    expect(seen.commands).toEqual([['GET', 'a'], ['GET', 'b']]);
  });
});
