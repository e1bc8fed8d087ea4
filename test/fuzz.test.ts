import net from 'node:net';
import { describe, expect, test } from 'vitest';
import { RequestParser, type RequestSink } from '../src/protocol/request-parser.js';
import { useSluice } from './helpers/fixture.js';
import { encodeCommand, RespClient } from './helpers/resp-client.js';

/** xorshift32: the same seed gives the same inputs on every run. */
class Rng {
  constructor(private x: number) {}
  next(): number {
    let x = this.x;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.x = x >>> 0;
    return this.x;
  }
  int(n: number): number {
    return this.next() % n;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i++) b[i] = this.int(256);
    return b;
  }
}

/**
 * Well-formed requests to mutate. Only commands that are harmless whatever
 * their arguments become: nothing that shuts down, pauses, sleeps, blocks or
 * reconfigures the server.
 */
const SEEDS: Buffer[] = [
  ...[
    ['PING'], ['PING', 'hello'], ['ECHO', 'x'.repeat(40)], ['SELECT', '3'], ['DBSIZE'], ['MULTI'], ['EXEC'],
    ['DISCARD'], ['WATCH', 'k1', 'k2'], ['UNWATCH'], ['HELLO', '3'], ['HELLO', '2'], ['FLUSHDB'], ['SET', 'k', 'v'],
    ['GET', 'k'], ['AUTH', 'a', 'b'], ['SWAPDB', '0', '1'], ['ECHO', '\0\r\n\xff'], ['NOSUCH', 'arg'],
  ].map((argv) => encodeCommand(argv)),
  ...['PING\r\n', 'ECHO "a\\x41 b" \'c\\\'d\'\r\n', 'SELECT 2\n', '  DBSIZE\t\r\n', '\r\n', 'MULTI\r\nPING\r\nEXEC\r\n'].map((s) =>
    Buffer.from(s, 'latin1'),
  ),
];

const WEIRD_HEADERS = [
  '*-1', '*0', '*-0', '*01', '*2147483647', '*2147483648', '*-9223372036854775809', '*99999999999999999999', '*', '*x',
  '$-1', '$0', '$-0', '$00', '$1000000000', '$536870912', '$536870913', '$9223372036854775807', '$', '$x', ':1', '+OK',
];

const SPECIALS = [0x0d, 0x0a, 0x00, 0x22, 0x27, 0x5c, 0x2a, 0x24, 0x20, 0x09, 0x0b, 0xff];

/** One random or mutated input; never longer than a few kilobytes. */
function makeInput(rng: Rng): Buffer {
  const kind = rng.int(10);
  if (kind === 0) return rng.bytes(rng.int(200));
  let input = Buffer.from(rng.pick(SEEDS));
  // Some inputs stay valid so that connections live long enough to reach command execution.
  if (kind <= 3) return input;
  const mutations = 1 + rng.int(3);
  for (let m = 0; m < mutations; m++) {
    switch (rng.int(8)) {
      case 0: { // flip bytes
        if (input.length === 0) break;
        const flips = 1 + rng.int(3);
        for (let f = 0; f < flips; f++) input[rng.int(input.length)] = rng.int(256);
        break;
      }
      case 1: // truncate
        input = input.subarray(0, rng.int(input.length + 1));
        break;
      case 2: { // insert random bytes
        const at = rng.int(input.length + 1);
        input = Buffer.concat([input.subarray(0, at), rng.bytes(1 + rng.int(8)), input.subarray(at)]);
        break;
      }
      case 3: { // replace a length header with a huge, negative or malformed one
        const text = input.toString('latin1');
        const headers = [...text.matchAll(/[*$]-?\d*/g)];
        if (headers.length === 0) break;
        const h = rng.pick(headers);
        input = Buffer.from(text.slice(0, h.index) + rng.pick(WEIRD_HEADERS) + text.slice(h.index! + h[0].length), 'latin1');
        break;
      }
      case 4: { // duplicate a slice
        const a = rng.int(input.length + 1);
        const b = a + rng.int(input.length - a + 1);
        input = Buffer.concat([input.subarray(0, b), input.subarray(a, b), input.subarray(b)]);
        break;
      }
      case 5: // splice with another seed
        input = Buffer.concat([input.subarray(0, rng.int(input.length + 1)), rng.pick(SEEDS).subarray(rng.int(8))]);
        break;
      case 6: { // insert a protocol-significant byte
        const at = rng.int(input.length + 1);
        input = Buffer.concat([input.subarray(0, at), Buffer.from([rng.pick(SPECIALS)]), input.subarray(at)]);
        break;
      }
      default: // drop a byte
        if (input.length > 0) {
          const at = rng.int(input.length);
          input = Buffer.concat([input.subarray(0, at), input.subarray(at + 1)]);
        }
    }
  }
  return input;
}

/** Splits an input at random points, to exercise every parser state across chunk boundaries. */
function chunked(rng: Rng, input: Buffer): Buffer[] {
  const parts: Buffer[] = [];
  let at = 0;
  while (at < input.length) {
    const n = 1 + rng.int(Math.max(1, input.length - at));
    parts.push(input.subarray(at, at + n));
    at += n;
  }
  return parts;
}

type Event = string;

/** What a bare parser makes of a sequence of chunks, as comparable strings. */
function frame(chunks: Buffer[]): Event[] {
  const events: Event[] = [];
  let failed = false;
  const sink: RequestSink = {
    command: (argv) => {
      events.push('cmd ' + JSON.stringify([...argv]));
      return true;
    },
    protocolError: (message) => {
      failed = true;
      events.push('error ' + message);
    },
    queryBufferOverflow: () => {
      failed = true;
      events.push('overflow');
    },
  };
  const parser = new RequestParser(sink, { maxBulkLen: 512 * 1024 * 1024, queryBufferLimit: 1024 * 1024 * 1024 });
  for (const c of chunks) {
    if (failed) break;
    parser.feed(c);
  }
  return events;
}

describe('request parser fuzzing', () => {
  test('20,000 mutated inputs never throw and frame the same however they are chunked', () => {
    const rng = new Rng(0x5eed1);
    for (let i = 0; i < 20000; i++) {
      // Several inputs back to back, so each starts in whatever state the previous one left.
      const input = Buffer.concat(Array.from({ length: 1 + rng.int(3) }, () => makeInput(rng)));
      const whole = frame([input]);
      expect(frame(chunked(rng, input)), `input #${i}: ${JSON.stringify(input.toString('latin1'))}`).toEqual(whole);
    }
  });
});

describe('server fuzzing over sockets', () => {
  const sluice = useSluice();

  const INPUTS = 12000;
  const WORKERS = 8;
  const INPUTS_PER_CONNECTION = 12;
  /** A connection the server has not closed by then is destroyed by the client: nothing can hang the test. */
  const CONNECTION_DEADLINE_MS = 3000;

  /**
   * Sends inputs on one connection, each in random chunks, then half-closes
   * and waits for the server to close. Inputs after one that ends in a
   * protocol error reach a closed connection: the parser-level fuzz above
   * covers every input from a fresh state.
   */
  function session(port: number, rng: Rng, inputs: Buffer[]): Promise<void> {
    return new Promise((resolve) => {
      const socket = net.connect({ port, host: '127.0.0.1' });
      let finished = false;
      const finish = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        socket.destroy();
        resolve();
      };
      const timer = setTimeout(finish, CONNECTION_DEADLINE_MS);
      socket.on('data', () => {});
      socket.on('error', () => {});
      socket.on('close', finish);
      socket.on('connect', async () => {
        for (const input of inputs) {
          for (const part of chunked(rng, input)) {
            if (finished || socket.destroyed) return;
            await new Promise<void>((res) => socket.write(part, () => res()));
          }
        }
        socket.end();
      });
    });
  }

  test(`${INPUTS} random and mutated inputs leave the server running and answering`, async () => {
    const rng = new Rng(0xc0ffee);
    const inputs = Array.from({ length: INPUTS }, () => makeInput(rng));
    const commandsBefore = sluice.server.stats.commandsProcessed;
    let next = 0;
    const worker = async (id: number) => {
      const wrng = new Rng(0x1000 + id);
      while (next < inputs.length) {
        const batch = inputs.slice(next, next + INPUTS_PER_CONNECTION);
        next += batch.length;
        await session(sluice.port, wrng, batch);
      }
    };
    await Promise.all(Array.from({ length: WORKERS }, (_, i) => worker(i)));
    // The inputs did reach command execution, not only the parser.
    expect(sluice.server.stats.commandsProcessed - commandsBefore).toBeGreaterThan(INPUTS / 20);
    // Every connection, however its input ended, is released (a liveness bound, not a speed check).
    for (let i = 0; i < 1000 && sluice.server.clients.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(sluice.server.clients.size).toBe(0);

    const c = await RespClient.connect(sluice.port);
    try {
      expect(await c.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
      expect(await c.call('ECHO', 'still here')).toEqual({ t: 'bulk', v: 'still here' });
    } finally {
      c.close();
    }
  });
});
