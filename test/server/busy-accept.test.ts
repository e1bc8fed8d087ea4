import { existsSync } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scratch } from '../helpers/aof.js';
import { ensureBuild, startChild, type ChildSluice } from '../helpers/child-sluice.js';
import { parseRedisLog } from '../helpers/redis-log.js';
import { encodeCommand, parseReply, RespClient, type Resp } from '../helpers/resp-client.js';
import { freePort, redisServerPath, startRedis, type RealRedis } from '../helpers/servers.js';

/**
 * Connections opened while a script is busy: Sluice accepts them on
 * another thread and answers them as Redis does (BUSY, except for the
 * commands allowed then), so a runaway script whose caller is gone can
 * still be killed, and SIGTERM or SIGINT stops the server. Each server
 * runs in its own process: a busy script holds its whole event loop.
 */
beforeAll(() => ensureBuild(), 120_000);

const OK: Resp = { t: 'simple', v: 'OK' };
const BUSY: Resp = { t: 'error', v: 'BUSY Redis is busy running a script. You can only call SCRIPT KILL or SHUTDOWN NOSAVE.' };
const NOAUTH: Resp = { t: 'error', v: 'NOAUTH Authentication required.' };
const SPIN = 'while true do end';
/** A reply that never comes (the server not accepting) fails the test here rather than at its timeout. */
const REPLY_MS = 4000;

function within<T>(p: Promise<T>, what: string): Promise<T> {
  return Promise.race([p, new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer to ${what} within ${REPLY_MS} ms`)), REPLY_MS))]);
}

/** Opens a connection and waits for its reply to `cmd`: a connection made while a script is busy. */
async function fresh(port: number, ...cmd: string[]): Promise<[RespClient, Resp]> {
  const c = await within(RespClient.connect(port), 'connect');
  return [c, await within(c.call(...cmd), cmd.join(' '))];
}

/**
 * Starts `script` from a connection that then goes away, and waits until
 * the script is past busy-reply-threshold (a fresh connection is told
 * BUSY). The caller's EVAL is still unanswered when it disconnects.
 */
async function runawayWithoutCaller(port: number, auth: string[] = [], script = SPIN): Promise<void> {
  const caller = await RespClient.connect(port);
  if (auth.length > 0) expect(await caller.call('AUTH', ...auth)).toEqual(OK);
  caller.writeRaw(encodeCommand(['EVAL', script, '0']));
  await new Promise((r) => setTimeout(r, 300));
  caller.close();
  for (let tries = 0; ; tries++) {
    if (tries === 50) throw new Error('the script never became busy');
    const [probe, r] = await fresh(port, ...(auth.length > 0 ? ['AUTH', ...auth] : ['GET', 'probe']));
    const busy = auth.length > 0 ? await within(probe.call('GET', 'probe'), 'GET') : r;
    probe.close();
    if (busy.t === 'error' && busy.v.startsWith('BUSY')) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One request on a fresh connection to a Unix socket. */
function unixCall(file: string, ...cmd: string[]): Promise<Resp> {
  return within(
    new Promise<Resp>((resolve, reject) => {
      const s = net.connect({ path: file });
      let buf = Buffer.alloc(0);
      s.on('error', reject);
      s.on('connect', () => s.write(encodeCommand(cmd)));
      s.on('data', (d) => {
        buf = Buffer.concat([buf, d]);
        const r = parseReply(buf, 0);
        if (r !== null) {
          s.destroy();
          resolve(r[0]);
        }
      });
    }),
    cmd.join(' '),
  );
}

describe('connections opened during a busy script', () => {
  let sluice: ChildSluice;
  const sc = scratch('sluice-busy-accept-');
  beforeAll(async () => {
    sluice = await startChild(['--save', '', '--appendonly', 'no', '--busy-reply-threshold', '100', '--dir', sc.dir, '--unixsocket', path.join(sc.dir, 'sluice.sock')]);
  }, 30_000);
  afterAll(async () => {
    await sluice.kill('SIGKILL');
    sc.remove();
  });

  test('a fresh connection is told BUSY, kills the script, and is served normally afterwards', async () => {
    await runawayWithoutCaller(sluice.port);
    const [c, busy] = await fresh(sluice.port, 'GET', 'k');
    expect(busy).toEqual(BUSY);
    expect(await within(c.call('SCRIPT', 'KILL'), 'SCRIPT KILL')).toEqual(OK);
    // The same connection, now served by the event loop.
    expect(await c.call('SET', 'k', 'v')).toEqual(OK);
    expect(await c.call('GET', 'k')).toEqual({ t: 'bulk', v: 'v' });
    const [other, got] = await fresh(sluice.port, 'GET', 'k');
    expect(got).toEqual({ t: 'bulk', v: 'v' });
    c.close();
    other.close();
  });

  test('every script that goes busy is served so, one after another', async () => {
    for (let round = 0; round < 3; round++) {
      await runawayWithoutCaller(sluice.port);
      const conns = await Promise.all(Array.from({ length: 10 }, () => fresh(sluice.port, 'GET', 'k')));
      for (const [, r] of conns) expect(r).toEqual(BUSY);
      expect(await within(conns[0][0].call('SCRIPT', 'KILL'), 'SCRIPT KILL')).toEqual(OK);
      for (const [c] of conns) expect(await c.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
      for (const [c] of conns) c.close();
    }
  });

  test('over the Unix socket too', async () => {
    await runawayWithoutCaller(sluice.port);
    const file = path.join(sc.dir, 'sluice.sock');
    expect(await unixCall(file, 'GET', 'k')).toEqual(BUSY);
    expect(await unixCall(file, 'SCRIPT', 'KILL')).toEqual(OK);
    expect(await unixCall(file, 'PING')).toEqual({ t: 'simple', v: 'PONG' });
  });

  test('after CONFIG SET port, on the new port', async () => {
    const port = await freePort();
    const c = await RespClient.connect(sluice.port);
    expect(await c.call('CONFIG', 'SET', 'port', String(port))).toEqual(OK);
    c.close();
    await runawayWithoutCaller(port);
    const [k, busy] = await fresh(port, 'GET', 'k');
    expect(busy).toEqual(BUSY);
    expect(await within(k.call('SCRIPT', 'KILL'), 'SCRIPT KILL')).toEqual(OK);
    expect(await k.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
    k.close();
    sluice.port = port;
  });

  test('SHUTDOWN NOSAVE from a fresh connection stops the server', async () => {
    const server = await startChild(['--save', '', '--appendonly', 'no', '--busy-reply-threshold', '100']);
    try {
      await runawayWithoutCaller(server.port);
      const [c, refused] = await fresh(server.port, 'SHUTDOWN');
      expect(refused).toEqual(BUSY);
      c.writeRaw(encodeCommand(['SHUTDOWN', 'NOSAVE']));
      expect(await within(server.exited, 'SHUTDOWN NOSAVE')).toEqual({ code: 0, signal: null });
      c.close();
    } finally {
      await server.kill('SIGKILL');
    }
  });
});

/**
 * The same requests on a fresh connection during a busy script whose
 * caller left, with requirepass set, sent to Sluice and to redis-server:
 * the replies must match.
 */
async function authSession(port: number): Promise<Resp[]> {
  await runawayWithoutCaller(port, ['pw']);
  const [c, first] = await fresh(port, 'GET', 'k');
  const replies = [first];
  for (const cmd of [['PING'], ['AUTH', 'wrong'], ['AUTH', 'pw'], ['GET', 'k'], ['SET', 'k', 'v'], ['SCRIPT', 'KILL']]) {
    replies.push(await within(c.call(...cmd), cmd.join(' ')));
  }
  // Redis goes on answering BUSY for a moment after SCRIPT KILL (the script stops at its next hook, after up to four more passes of its event loop); Sluice stops it at once.
  let after = await c.call('GET', 'k');
  for (let tries = 0; after.t === 'error' && after.v.startsWith('BUSY') && tries < 100; tries++) {
    await new Promise((r) => setTimeout(r, 10));
    after = await c.call('GET', 'k');
  }
  replies.push(after);
  for (const cmd of [['SET', 'k', 'v'], ['GET', 'k']]) replies.push(await c.call(...cmd));
  // HELLO's reply names the server and the client id: only its protocol is compared.
  const hello = await c.call('HELLO', '3');
  replies.push(hello.t === 'map' ? (hello.v.find(([k]) => k.t === 'bulk' && k.v === 'proto')?.[1] ?? hello) : hello);
  c.close();
  return replies;
}

const AUTH_EXPECTED: Resp[] = [
  NOAUTH,
  NOAUTH,
  { t: 'error', v: 'WRONGPASS invalid username-password pair or user is disabled.' },
  OK,
  BUSY,
  BUSY,
  OK,
  { t: 'bulk', v: null },
  OK,
  { t: 'bulk', v: 'v' },
  { t: 'int', v: '3' },
];

describe('authentication on a connection opened during a busy script', () => {
  test('AUTH works, then BUSY, then SCRIPT KILL', async () => {
    // Set once up: the helper's readiness check is an unauthenticated PING.
    const server = await startChild(['--save', '', '--appendonly', 'no', '--busy-reply-threshold', '100']);
    try {
      const c = await RespClient.connect(server.port);
      expect(await c.call('CONFIG', 'SET', 'requirepass', 'pw')).toEqual(OK);
      c.close();
      expect(await authSession(server.port)).toEqual(AUTH_EXPECTED);
    } finally {
      await server.kill('SIGKILL');
    }
  });

  describe.skipIf(redisServerPath === null)('as redis-server answers', () => {
    let redis: RealRedis;
    beforeAll(async () => {
      redis = await startRedis(['--busy-reply-threshold', '100', '--requirepass', 'pw']);
    });
    afterAll(() => redis.stop());

    test('the same replies', async () => {
      expect(await authSession(redis.port)).toEqual(AUTH_EXPECTED);
    });
  });
});

describe('a stop signal during a busy script', () => {
  test.each(['SIGTERM', 'SIGINT'] as const)('%s stops the server as SHUTDOWN NOSAVE does', async (signal) => {
    const sc = scratch('sluice-busy-signal-');
    // Save points would have a plain shutdown save a snapshot: NOSAVE saves none.
    const server = await startChild(['--save', '1 1', '--appendonly', 'no', '--busy-reply-threshold', '100', '--dir', sc.dir]);
    try {
      const c = await RespClient.connect(server.port);
      expect(await c.call('SET', 'before', '1')).toEqual(OK);
      c.close();
      await runawayWithoutCaller(server.port);
      server.child.kill(signal);
      expect(await within(server.exited, signal)).toEqual({ code: 0, signal: null });
      const log = parseRedisLog(server.output());
      const slow = log.findIndex((l) => l.msg.startsWith('Slow script detected'));
      // Redis's SHUTDOWN NOSAVE under a busy script logs the last two and nothing else: no final save. The exit waits for the log, so the lines are all there, in order.
      expect(log.slice(slow + 1).map((l) => `${l.role} ${l.msg}`)).toEqual([
        `signal-handler Received ${signal} scheduling shutdown...`, 'M User requested shutdown...', 'M Sluice is now ready to exit, bye bye...',
      ]);
      expect(existsSync(path.join(sc.dir, 'dump.rdb'))).toBe(false);
    } finally {
      await server.kill('SIGKILL');
      sc.remove();
    }
  });
});
