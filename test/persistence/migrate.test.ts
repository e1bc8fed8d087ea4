import net from 'node:net';
import RedisParser from 'redis-parser';
import { beforeAll, describe, expect, test } from 'vitest';
import { ensureBuild, startChild } from '../helpers/child-sluice.js';
import { perTest } from '../helpers/fixture.js';
import { scratch } from '../helpers/aof.js';
import { spawnRedis } from '../helpers/redis-on-dir.js';
import { RespClient } from '../helpers/resp-client.js';
import { freePort, redisServerPath } from '../helpers/servers.js';
import { redisReadsRdb11 } from './rdb/redis-rdb.js';
import { tracked } from '../helpers/tracked.js';

/**
 * MIGRATE between Sluice and redis-server, both ways: the RESTORE commands
 * with DUMP payloads and TTLs, the source keys deleted once the target
 * accepted them (kept with COPY), and Redis's replies for each way it can
 * end. A MIGRATE sent alone finishes later, holding other writes; one in
 * EXEC or a script waits for its exchange on a worker thread built into
 * dist/.
 */

const t = perTest();
beforeAll(() => ensureBuild(), 120_000);
const OK = { t: 'simple', v: 'OK' };

async function redisTarget(extra: string[] = []) {
  // A directory of its own: a dump.rdb where the tests run would be loaded at start.
  const dir = scratch('sluice-migrate-redis-');
  t.defer(dir.remove);
  const started = await spawnRedis(['--save', '', '--appendonly', 'no', '--dir', dir.dir, ...extra], t.defer, true);
  if (!('redis' in started)) throw new Error(started.exited);
  return { port: started.redis.port, c: await t.connect(started.redis) };
}

async function fill(c: RespClient): Promise<void> {
  await c.call('SET', 'str', 'hello');
  await c.call('SET', 'ttl', 'soon', 'PX', '100000');
  await c.call('RPUSH', 'list', 'a', 'b', 'c');
  await c.call('HSET', 'hash', 'f', 'v');
  await c.call('ZADD', 'zset', '1.5', 'm');
  await c.call('SADD', 'set', 'x', 'y');
  await c.call('XADD', 'stream', '1-1', 'f', 'v');
}

/** A Sluice in a process of its own: MIGRATE's source waits for its target, so both cannot share a thread. */
async function sluiceTarget() {
  const child = await startChild(['--dir', t.tmp(), '--appendonly', 'no', '--save', '']);
  t.defer(() => child.kill('SIGKILL'));
  const c = await RespClient.connect(child.port);
  t.defer(() => c.close());
  return { port: child.port, c };
}

describe('MIGRATE between two Sluice servers', () => {
  test('moves each key with its value and TTL, deletes it here, and the AOF keeps it deleted', async () => {
    const target = await sluiceTarget();
    const dir = t.tmp();
    const source = await t.start(dir, { appendonly: 'yes', save: '' });
    const c = source.c;
    await fill(c);
    for (const key of ['str', 'ttl', 'list', 'hash', 'zset', 'set', 'stream']) {
      const dump = await c.call('DUMP', key);
      expect(await c.call('MIGRATE', '127.0.0.1', String(target.port), key, '3', '5000'), key).toEqual(OK);
      expect(await c.call('EXISTS', key)).toEqual({ t: 'int', v: '0' });
      await target.c.call('SELECT', '3');
      expect(await target.c.call('DUMP', key), key).toEqual(dump);
    }
    const pttl = Number((await target.c.call('PTTL', 'ttl')).v);
    expect(pttl).toBeGreaterThan(90_000);
    expect(pttl).toBeLessThanOrEqual(100_000);
    expect(await target.c.call('PTTL', 'str')).toEqual({ t: 'int', v: '-1' });
    await t.stop(source);
    const again = await t.start(dir, { appendonly: 'yes', save: '' });
    expect(await again.c.call('DBSIZE')).toEqual({ t: 'int', v: '0' });
  });

  test('COPY keeps the key, REPLACE overwrites the target, KEYS moves several, NOKEY when none exists', async () => {
    const target = await sluiceTarget();
    const { c } = await t.start(t.tmp(), { appendonly: 'no', save: '' });
    const port = String(target.port);
    await c.call('MSET', 'a', '1', 'b', '2', 'c', '3');
    await target.c.call('SET', 'a', 'old');
    expect(await c.call('MIGRATE', '127.0.0.1', port, 'a', '0', '5000')).toEqual({
      t: 'error', v: 'ERR Target instance replied with error: BUSYKEY Target key name already exists.',
    });
    expect(await c.call('GET', 'a')).toEqual({ t: 'bulk', v: '1' });
    expect(await c.call('MIGRATE', '127.0.0.1', port, 'a', '0', '5000', 'COPY', 'REPLACE')).toEqual(OK);
    expect(await c.call('GET', 'a')).toEqual({ t: 'bulk', v: '1' });
    expect(await target.c.call('GET', 'a')).toEqual({ t: 'bulk', v: '1' });
    expect(await c.call('MIGRATE', '127.0.0.1', port, '', '0', '5000', 'KEYS', 'b', 'c', 'missing')).toEqual(OK);
    expect(await c.call('EXISTS', 'b', 'c')).toEqual({ t: 'int', v: '0' });
    expect(await target.c.call('MGET', 'b', 'c')).toEqual({ t: 'array', v: [{ t: 'bulk', v: '2' }, { t: 'bulk', v: '3' }] });
    expect(await c.call('MIGRATE', '127.0.0.1', port, 'missing', '0', '5000')).toEqual({ t: 'simple', v: 'NOKEY' });
  });

  test("AUTH and AUTH2 authenticate at the target; a wrong password is the target's error", async () => {
    const target = await sluiceTarget();
    // Set once it is up: the start waits for a PONG, which a password would refuse.
    await target.c.call('CONFIG', 'SET', 'requirepass', 'secret');
    const { c } = await t.start(t.tmp(), { appendonly: 'no', save: '' });
    const port = String(target.port);
    await c.call('MSET', 'a', '1', 'b', '2');
    expect(await c.call('MIGRATE', '127.0.0.1', port, 'a', '0', '5000', 'AUTH', 'wrong')).toEqual({
      t: 'error', v: 'ERR Target instance replied with error: WRONGPASS invalid username-password pair or user is disabled.',
    });
    expect(await c.call('GET', 'a')).toEqual({ t: 'bulk', v: '1' });
    expect(await c.call('MIGRATE', '127.0.0.1', port, 'a', '0', '5000', 'AUTH', 'secret')).toEqual(OK);
    expect(await c.call('MIGRATE', '127.0.0.1', port, 'b', '0', '5000', 'AUTH2', 'default', 'secret')).toEqual(OK);
    await target.c.call('AUTH', 'secret');
    expect(await target.c.call('MGET', 'a', 'b')).toEqual({ t: 'array', v: [{ t: 'bulk', v: '1' }, { t: 'bulk', v: '2' }] });
  });
});

describe.skipIf(redisServerPath === null)('MIGRATE between Sluice and redis-server', () => {
  test('Sluice migrates into redis-server 7.2 (7.0 refuses its RDB 11 payloads, as it refuses 7.2\'s)', async () => {
    const target = await redisTarget();
    const { c } = await t.start(t.tmp(), { appendonly: 'no', save: '' });
    await fill(c);
    const reply = await c.call('MIGRATE', '127.0.0.1', String(target.port), '', '0', '5000', 'KEYS', 'str', 'list', 'stream');
    if (!redisReadsRdb11()) {
      expect(reply).toEqual({ t: 'error', v: 'ERR Target instance replied with error: ERR DUMP payload version or checksum are wrong' });
      expect(await c.call('EXISTS', 'str', 'list', 'stream')).toEqual({ t: 'int', v: '3' });
      return;
    }
    expect(reply).toEqual(OK);
    expect(await target.c.call('LRANGE', 'list', '0', '-1')).toEqual({ t: 'array', v: ['a', 'b', 'c'].map((v) => ({ t: 'bulk', v })) });
    expect(await c.call('EXISTS', 'str', 'list', 'stream')).toEqual({ t: 'int', v: '0' });
  });

  test('redis-server migrates into Sluice', async () => {
    const source = await redisTarget();
    const { s, c } = await t.start(t.tmp(), { appendonly: 'no', save: '' });
    await fill(source.c);
    const dumps = await Promise.all(['str', 'list', 'hash', 'zset', 'set', 'stream'].map((k) => source.c.call('DUMP', k)));
    expect(await source.c.call('MIGRATE', '127.0.0.1', String(s.port), '', '0', '5000', 'KEYS', 'str', 'ttl', 'list', 'hash', 'zset', 'set', 'stream')).toEqual(OK);
    expect(await source.c.call('DBSIZE')).toEqual({ t: 'int', v: '0' });
    expect(await c.call('DBSIZE')).toEqual({ t: 'int', v: '7' });
    expect(await c.call('LRANGE', 'list', '0', '-1')).toEqual({ t: 'array', v: ['a', 'b', 'c'].map((v) => ({ t: 'bulk', v })) });
    expect(await c.call('XRANGE', 'stream', '-', '+')).toEqual({ t: 'array', v: [{ t: 'array', v: [{ t: 'bulk', v: '1-1' }, { t: 'array', v: [{ t: 'bulk', v: 'f' }, { t: 'bulk', v: 'v' }] }] }] });
    expect(dumps.every((d) => d.t === 'bulk')).toBe(true);
  });

});

/** A target that answers +OK to every command (SELECT and RESTORE), framing them with redis-parser. */
async function okTarget(): Promise<number> {
  const server = net.createServer((socket) => {
    const parser = new RedisParser({
      returnReply: () => socket.write('+OK\r\n'),
      returnError: () => socket.destroy(),
      returnFatalError: () => socket.destroy(),
    });
    socket.on('data', (d) => parser.execute(d));
    socket.on('error', () => {});
    // The source keeps its connection for ten idle seconds: closing the server waits for none.
    t.defer(() => {
      socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.defer(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as net.AddressInfo).port;
}

/**
 * A target that answers its first `answered` commands with +OK, one every
 * `gapMs` after the one before, and then nothing.
 */
async function pacedTarget(gapMs: number, answered = Infinity): Promise<number> {
  const server = net.createServer((socket) => {
    let seen = 0;
    let next = Date.now();
    const parser = new RedisParser({
      returnReply: () => {
        if (++seen > answered) return;
        next = Math.max(next, Date.now()) + gapMs;
        setTimeout(() => socket.write('+OK\r\n'), next - Date.now());
      },
      returnError: () => socket.destroy(),
      returnFatalError: () => socket.destroy(),
    });
    socket.on('data', (d) => parser.execute(d));
    socket.on('error', () => {});
    t.defer(() => {
      socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.defer(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as net.AddressInfo).port;
}

describe('MIGRATE reply timeout', () => {
  test('the timeout bounds each reply, not the exchange; when a reply does not come, the keys acknowledged before it have moved', async () => {
    const source = await sluiceTarget();
    const keys = ['a', 'b', 'c'];
    for (const k of keys) await source.c.call('SET', k, 'v');
    // SELECT and three RESTOREs answered 150 ms apart: 600 ms in all, each reply within 400.
    const slow = String(await pacedTarget(150));
    expect(await source.c.call('MIGRATE', '127.0.0.1', slow, '', '0', '400', 'KEYS', ...keys)).toEqual(OK);
    expect(await source.c.call('EXISTS', ...keys)).toEqual({ t: 'int', v: '0' });

    for (const k of keys) await source.c.call('SET', k, 'v');
    // SELECT and the first RESTORE answered, then silence.
    const stalls = String(await pacedTarget(10, 2));
    expect(await source.c.call('MIGRATE', '127.0.0.1', stalls, '', '0', '300', 'KEYS', ...keys)).toEqual({ t: 'error', v: 'IOERR error or timeout reading to target instance' });
    expect(await source.c.call('EXISTS', 'a')).toEqual({ t: 'int', v: '0' });
    expect(await source.c.call('EXISTS', 'b', 'c')).toEqual({ t: 'int', v: '2' });
  });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function infoField(info: unknown, field: string): string | undefined {
  return new RegExp(`^${field}:(.*)\r?$`, 'm').exec((info as { v: string }).v)?.[1];
}

describe('MIGRATE sent alone, while its target answers', () => {
  test("other clients' writes wait for it and its own next request too; reads are served meanwhile", async () => {
    const source = await sluiceTarget();
    const writer = await RespClient.connect(source.port);
    const reader = await RespClient.connect(source.port);
    t.defer(() => writer.close());
    t.defer(() => reader.close());
    await source.c.call('SET', 'k', 'old');
    await source.c.call('SET', 'r', 'read');
    await source.c.call('CONFIG', 'SET', 'slowlog-log-slower-than', '100000');
    await source.c.call('CONFIG', 'RESETSTAT');
    await source.c.call('SLOWLOG', 'RESET');
    // SELECT and RESTORE answered 300 ms apart.
    const slow = String(await pacedTarget(300));
    const migrate = tracked(source.c.call('MIGRATE', '127.0.0.1', slow, 'k', '0', '1000'));
    const after = tracked(source.c.call('EXISTS', 'k'));
    await sleep(100);
    const write = tracked(writer.call('SET', 'k', 'new'));
    expect(await reader.call('GET', 'r')).toEqual({ t: 'bulk', v: 'read' });
    // Until the target has accepted it, the key is here.
    expect(await reader.call('GET', 'k')).toEqual({ t: 'bulk', v: 'old' });
    expect([migrate.arrived(), after.arrived(), write.arrived()]).toEqual([false, false, false]);
    expect(await migrate.promise).toEqual(OK);
    expect(await after.promise).toEqual({ t: 'int', v: '0' });
    // The held SET ran after the MIGRATE had deleted the key.
    expect(await write.promise).toEqual(OK);
    expect(await reader.call('GET', 'k')).toEqual({ t: 'bulk', v: 'new' });
    // Counted once, and timed from its start to its reply, as Redis times a command that blocked.
    expect(infoField(await source.c.call('INFO', 'commandstats'), 'cmdstat_migrate')).toMatch(/^calls=1,usec=\d{6,}/);
    const log = (await source.c.call('SLOWLOG', 'GET')) as { v: { v: { v: unknown }[] }[] };
    const entries = log.v.map((e) => ({ usec: Number(e.v[2].v), name: (e.v[3].v as { v: string }[])[0].v }));
    expect(entries.filter((e) => e.name === 'MIGRATE' && e.usec >= 500_000)).toHaveLength(1);
  });

  test('one in EXEC or a script waits on the worker; either way a target has one cached connection', async () => {
    const source = await sluiceTarget();
    const port = String(await okTarget());
    const cached = async (n: string) => {
      let seen: string | undefined;
      for (let i = 0; i < 200 && seen !== n; i++) {
        seen = infoField(await source.c.call('INFO', 'stats'), 'migrate_cached_sockets');
        if (seen !== n) await sleep(5);
      }
      expect(seen).toBe(n);
    };
    await source.c.call('MSET', 'a', '1', 'b', '2', 'c', '3');
    expect(await source.c.call('MIGRATE', '127.0.0.1', port, 'a', '0', '1000')).toEqual(OK);
    await cached('1');
    await source.c.call('MULTI');
    await source.c.call('MIGRATE', '127.0.0.1', port, 'b', '0', '1000');
    expect(await source.c.call('EXEC')).toEqual({ t: 'array', v: [OK] });
    expect(await source.c.call('EVAL', `return redis.call('MIGRATE', '127.0.0.1', ARGV[1], 'c', '0', '1000')`, '0', port)).toEqual(OK);
    await cached('1');
    await source.c.call('SET', 'a', '1');
    expect(await source.c.call('MIGRATE', '127.0.0.1', port, 'a', '0', '1000')).toEqual(OK);
    await cached('1');
    expect(await source.c.call('DBSIZE')).toEqual({ t: 'int', v: '0' });
  });
});

describe('MIGRATE connection cache', () => {
  test('keeps at most 64 connections, as Redis (MIGRATE_SOCKET_CACHE_ITEMS)', async () => {
    const source = await sluiceTarget();
    for (let i = 0; i < 66; i++) {
      const port = await okTarget();
      await source.c.call('SET', 'k', String(i));
      expect(await source.c.call('MIGRATE', '127.0.0.1', String(port), 'k', '0', '5000')).toEqual(OK);
    }
    const info = (await source.c.call('INFO', 'stats')) as { v: string };
    expect(/migrate_cached_sockets:(\d+)/.exec(info.v)![1]).toBe('64');
  });
});

describe('MIGRATE errors', () => {
  test('errors as Redis: syntax, KEYS with a key, integers, a target that refuses or does not answer', async () => {
    const { c } = await t.start(t.tmp(), { appendonly: 'no', save: '' });
    await c.call('SET', 'k', 'v');
    const closed = String(await freePort());
    expect(await c.call('MIGRATE', '127.0.0.1', closed, 'k', '0', '1000', 'NOW')).toEqual({ t: 'error', v: 'ERR syntax error' });
    expect(await c.call('MIGRATE', '127.0.0.1', closed, 'k', '0', '1000', 'AUTH')).toEqual({ t: 'error', v: 'ERR syntax error' });
    expect(await c.call('MIGRATE', '127.0.0.1', closed, 'k', '0', '1000', 'KEYS', 'k')).toEqual({
      t: 'error', v: 'ERR When using MIGRATE KEYS option, the key argument must be set to the empty string',
    });
    expect(await c.call('MIGRATE', '127.0.0.1', closed, 'k', 'x', '1000')).toEqual({ t: 'error', v: 'ERR value is not an integer or out of range' });
    expect(await c.call('MIGRATE', '127.0.0.1', closed, 'k', '0', '1000')).toEqual({ t: 'error', v: 'IOERR error or timeout connecting to the client' });
    // A port no connection can be made to fails as Redis 7.2's non-blocking connect does: at the write.
    for (const port of ['notaport', '99999']) {
      expect(await c.call('MIGRATE', '127.0.0.1', port, 'k', '0', '1000')).toEqual({ t: 'error', v: 'IOERR error or timeout writing to target instance' });
    }
    const accepted: net.Socket[] = [];
    const silent = net.createServer((socket) => accepted.push(socket));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    t.defer(() => {
      for (const socket of accepted) socket.destroy();
      silent.close();
    });
    const port = String((silent.address() as net.AddressInfo).port);
    expect(await c.call('MIGRATE', '127.0.0.1', port, 'k', '0', '200')).toEqual({ t: 'error', v: 'IOERR error or timeout reading to target instance' });
    expect(await c.call('GET', 'k')).toEqual({ t: 'bulk', v: 'v' });
  });
});
