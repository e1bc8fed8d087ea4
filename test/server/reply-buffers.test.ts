import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { pooledReplyBytes } from '../../src/protocol/reply.js';
import { seededInts } from '../helpers/seeded.js';
import { startSluice, type TestSluice } from '../helpers/servers.js';

/** Values of 20-27 KB, each of its own length and byte, so that a reply from the wrong buffer or place shows. */
const VALUES = Array.from({ length: 8 }, (_, i) => String.fromCharCode(97 + i).repeat(20_000 + i * 1_000));
const PER_ROUND = 3;

function command(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;
}

/**
 * A client that sends a pipeline of 3 GETs a round (60-80 KB of replies,
 * the pooled sizes), one round per event-loop turn, optionally reading
 * nothing for a while first; returns what it received and what it should
 * have.
 */
function client(port: number, seed: number, rounds: number, pauseMs: number): Promise<{ got: Buffer; expected: Buffer }> {
  const pick = seededInts(seed);
  const pipelines: string[] = [];
  let expected = '';
  for (let r = 0; r < rounds; r++) {
    let round = '';
    for (let k = 0; k < PER_ROUND; k++) {
      const i = pick(VALUES.length);
      round += command('GET', `value:${i}`);
      expected += `$${VALUES[i].length}\r\n${VALUES[i]}\r\n`;
    }
    pipelines.push(round);
  }
  const want = Buffer.from(expected, 'latin1');
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, '127.0.0.1');
    const received: Buffer[] = [];
    let length = 0;
    socket.on('error', reject);
    socket.on('data', (d) => {
      received.push(d);
      length += d.length;
      if (length >= want.length) {
        socket.end();
        resolve({ got: Buffer.concat(received), expected: want });
      }
    });
    if (pauseMs > 0) {
      socket.pause();
      setTimeout(() => socket.resume(), pauseMs);
    }
    // One round per event-loop turn (the server runs in this process), so that each is a turn's output of 60-80 KB.
    let next = 0;
    const send = (): void => {
      if (next === pipelines.length || socket.destroyed) return;
      socket.write(pipelines[next++]);
      setImmediate(send);
    };
    send();
  });
}

describe('reply buffers shared through the pool', () => {
  let sluice: TestSluice;
  beforeAll(async () => {
    sluice = await startSluice();
    const setup = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(sluice.port, '127.0.0.1');
      let text = '';
      socket.on('error', reject);
      socket.on('data', (d) => {
        text += d.toString('latin1');
        if (text.split('\r\n').length > VALUES.length) {
          socket.end();
          resolve(text);
        }
      });
      socket.write(VALUES.map((v, i) => command('SET', `value:${i}`, v)).join(''));
    });
    expect(setup).toBe('+OK\r\n'.repeat(VALUES.length));
  });
  afterAll(() => sluice.close());

  test('clients reading large pipelined replies through pooled buffers, some of them pausing, each get exactly their own bytes', async () => {
    // The paused ones stall while the others keep taking buffers of the same sizes from the pool.
    const clients = Array.from({ length: 16 }, (_, i) =>
      i % 2 === 0 ? client(sluice.port, 1000 + i, 300, 0) : client(sluice.port, 1000 + i, 200, 200 + 20 * i),
    );
    const results = await Promise.all(clients);
    for (const { got, expected } of results) {
      expect(got.length).toBe(expected.length);
      expect(got.equals(expected)).toBe(true);
    }
    // The replies went through pooled buffers (the embedded server shares this process's pool).
    expect(pooledReplyBytes()).toBeGreaterThan(0);
  }, 60_000);
});
