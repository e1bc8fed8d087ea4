import { mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureBuild, startChild, type ChildSluice } from '../helpers/child-sluice.js';

function command(...args: string[]): string {
  return `*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`;
}

/** Connects, sends `payload`, and after `afterMs` resets the connection (or closes it). */
function session(port: number, payload: string, afterMs: number, how: 'reset' | 'close'): Promise<void> {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1', () => {
      s.write(payload);
      setTimeout(() => {
        if (how === 'reset') s.resetAndDestroy();
        else s.destroy();
        resolve();
      }, afterMs);
    });
    s.on('error', () => resolve());
    s.on('data', () => {});
  });
}

/** A new connection's first reply to PING, or null when the connection failed. */
function firstReply(port: number): Promise<string | null> {
  return new Promise((resolve) => {
    const p = net.connect(port, '127.0.0.1', () => p.write(command('PING')));
    p.once('data', (d) => {
      resolve(d.toString());
      p.destroy();
    });
    p.on('error', () => resolve(null));
  });
}

/**
 * Whether a new connection gets PONG. The resets just sent may not all be
 * read yet, so their slots can still be taken: a refusal at maxclients is
 * tried again for a while.
 */
async function answersPing(port: number): Promise<boolean> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const reply = await firstReply(port);
    if (reply === null || !reply.startsWith('-ERR max number of clients reached')) return reply?.startsWith('+PONG') ?? false;
    await new Promise((r) => setTimeout(r, 20));
  }
  return false;
}

const BIG = 'x'.repeat(500_000);

/**
 * Forty clients at a time (more than maxclients lets in, so some are
 * refused) put a connection in one state and then reset it or close it.
 * The server runs as a child process: an error nobody listens to ends it.
 */
const SCENARIOS: [string, string, number, 'reset' | 'close'][] = [
  ['ten megabytes of replies queued', command('GET', 'big').repeat(20), 1, 'reset'],
  ['replies queued, reset at once', command('GET', 'big').repeat(20), 0, 'reset'],
  ['blocked in BLPOP', command('BLPOP', 'nolist', '0'), 5, 'reset'],
  ['subscribed', command('SUBSCRIBE', 'a', 'b'), 5, 'reset'],
  ['monitoring', command('MONITOR'), 5, 'reset'],
  ['inside MULTI', command('MULTI') + command('SET', 'a', '1'), 2, 'reset'],
  ['after QUIT with more pipelined', command('GET', 'big') + command('QUIT') + command('GET', 'big'), 0, 'reset'],
  ['after a protocol error', '*1\r\n$x\r\n', 0, 'reset'],
  ['half a request sent', '*3\r\n$3\r\nSET\r\n$1\r\n', 0, 'close'],
];

describe('connections reset in every state', () => {
  let child: ChildSluice;
  let dir: string;
  beforeAll(async () => {
    ensureBuild();
    dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-resets-'));
    child = await startChild(['--maxclients', '30', '--dir', dir, '--save', '', '--appendonly', 'yes', '--appendfsync', 'always']);
    const setup = net.connect(child.port, '127.0.0.1');
    await new Promise((r) => setup.once('connect', r));
    setup.write(command('SET', 'big', BIG));
    await new Promise((r) => setup.once('data', r));
    setup.destroy();
  });
  afterAll(async () => {
    await child?.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  test.each(SCENARIOS)('%s: the server goes on serving', async (_name, payload, afterMs, how) => {
    await Promise.all(Array.from({ length: 40 }, () => session(child.port, payload, afterMs, how)));
    expect(await answersPing(child.port)).toBe(true);
  });
});
