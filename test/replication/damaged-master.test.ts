import { readFileSync } from 'node:fs';
import path from 'node:path';
import type net from 'node:net';
import { afterAll, describe, expect, test } from 'vitest';
import { waitFor as until } from '../helpers/aof.js';
import { fakeMaster } from '../helpers/fake-master.js';
import { encodeCommand, RespClient } from '../helpers/resp-client.js';
import { seededInts } from '../helpers/seeded.js';
import { startSluice, type TestSluice } from '../helpers/servers.js';

/**
 * A master that sends damaged data: a snapshot of every type with bytes
 * overwritten, cut short, or its length lying, as a $<len> bulk or an
 * $EOF: stream, then a command stream that may be damaged too, in pieces,
 * and the link dropped a moment later. Each session goes to a replica in
 * one of the three repl-diskless-load modes, which must log, retry and keep
 * serving whatever arrives: no input from a master may stop the server.
 */
const SESSIONS = Number(process.env.DAMAGED_MASTER_SESSIONS ?? 24);
const MARK = 'd'.repeat(40);
const MODES = ['disabled', 'swapdb', 'on-empty-db'];

const opened: TestSluice[] = [];
afterAll(async () => {
  for (const s of opened) await s.close();
});

/** A snapshot that Sluice wrote of a key of each type (and each encoding the sizes reach), with a TTL and a function. */
async function snapshot(): Promise<Buffer> {
  const source = await startSluice();
  opened.push(source);
  const c = await RespClient.connect(source.port);
  const calls = [
    ['RPUSH', 'l', 'a', 'b', '1', '2'], ['HSET', 'h', 'f', 'v', 'n', '1'], ['SADD', 'si', '1', '2', '3'], ['SADD', 'ss', 'a', 'b'],
    ['ZADD', 'z', '1', 'a', '2.5', 'b'], ['XADD', 'x', '1-1', 'f', 'v'], ['XGROUP', 'CREATE', 'x', 'g', '0'], ['SET', 's', 'hello', 'EX', '10000'],
    ['SET', 'n', '12345'], ['PFADD', 'hll', 'a', 'b', 'c'], ['SET', 'big', 'x'.repeat(3000)],
    ['HSET', 'bh', ...Array.from({ length: 200 }, (_, i) => [`f${i}`, `v${i}`]).flat()],
    ['FUNCTION', 'LOAD', "#!lua name=lib\nredis.register_function('f', function() return 1 end)"], ['SAVE'],
  ];
  for (const call of calls) await c.call(...call);
  c.close();
  const dir = (await (async () => {
    const d = await RespClient.connect(source.port);
    const r = await d.call('CONFIG', 'GET', 'dir');
    d.close();
    return r;
  })()) as { v: { v: string }[] };
  return readFileSync(path.join(dir.v[1].v, 'dump.rdb'));
}

const STREAM = [
  ['SET', 'k', 'v'], ['RPUSH', 'l', 'x'], ['HSET', 'h', 'f', 'w'], ['ZADD', 'z', '3', 'c'], ['XADD', 'x', '5-1', 'a', 'b'], ['SELECT', '3'], ['SELECT', '0'],
  ['PING'], ['REPLCONF', 'GETACK', '*'], ['MULTI'], ['EXEC'], ['DEL', 'l'], ['INCR', 'n'], ['FLUSHALL'], ['PEXPIREAT', 'k', '1'],
  ['XGROUP', 'CREATECONSUMER', 'x', 'g', 'c'], ['SADD', 'si', '99999999999'], ['FUNCTION', 'FLUSH'], ['SET', 'k', 'v', 'PXAT', '9223372036854775807'],
];

function damage(bytes: Buffer, next: (n: number) => number): Buffer {
  const b = Buffer.from(bytes);
  switch (next(5)) {
    case 0:
      for (let i = 0; i < 1 + next(4); i++) b[next(b.length)] = next(256);
      return b;
    case 1:
      return b.subarray(0, next(b.length));
    case 2: {
      const junk = ['$99999999999\r\n', '*2147483648\r\n', '$-5\r\n', '\r\n\r\n', '$4\r\nabcdefgh\r\n', '+OK\r\n', ':12\r\n', 'no end'][next(8)];
      return Buffer.concat([b.subarray(0, next(b.length + 1)), Buffer.from(junk)]);
    }
    case 3:
      if (b.length > 4) b.writeUInt32LE(next(2 ** 31), next(b.length - 4));
      return b;
    default:
      return b;
  }
}

describe('a master sending damaged snapshots and streams', () => {
  test(`${SESSIONS} sessions leave the replica serving, in every repl-diskless-load mode`, async () => {
    const rdb = await snapshot();
    const next = seededInts(0xda3a);
    const replica = await startSluice({ config: { 'repl-diskless-load': MODES[0], 'repl-timeout': 1 } });
    opened.push(replica);
    const c = await RespClient.connect(replica.port);
    try {
      for (let i = 0; i < SESSIONS; i++) {
        await c.call('CONFIG', 'SET', 'repl-diskless-load', MODES[i % MODES.length]);
        const snap = next(4) === 0 ? rdb : damage(rdb, next);
        const stream = Buffer.concat(Array.from({ length: next(30) }, () => encodeCommand(STREAM[next(STREAM.length)])));
        const eof = next(2) === 0;
        const payload = Buffer.concat([
          Buffer.from(eof ? `$EOF:${MARK}\r\n` : `$${next(3) === 0 ? rdb.length : snap.length}\r\n`), snap, Buffer.from(eof ? MARK : ''),
          next(2) === 0 ? stream : damage(stream, next),
        ]);
        const pieces = (s: net.Socket): void => {
          for (let at = 0; at < payload.length; ) {
            const n = 1 + next(4000);
            s.write(payload.subarray(at, at + n));
            at += n;
          }
        };
        const master = await fakeMaster(pieces);
        try {
          await c.call('REPLICAOF', '127.0.0.1', String(master.port));
          await until(() => master.psyncs.length >= 1);
          await new Promise((r) => setTimeout(r, 50 + next(150)));
          for (const link of master.links) link.destroy();
        } finally {
          master.close();
        }
        // The server answers: PONG, or LOADING while a snapshot it took is being loaded.
        const pong = await c.call('PING');
        if (pong.t !== 'simple') expect(pong).toMatchObject({ t: 'error', v: expect.stringMatching(/^LOADING /) });
      }
      await c.call('REPLICAOF', 'NO', 'ONE');
      await until(async () => (await c.call('PING')).t === 'simple');
      expect(await c.call('SET', 'after', 'yes')).toEqual({ t: 'simple', v: 'OK' });
      expect(await c.call('GET', 'after')).toEqual({ t: 'bulk', v: 'yes' });
    } finally {
      c.close();
    }
  }, Math.max(20_000, SESSIONS * 500));
});
