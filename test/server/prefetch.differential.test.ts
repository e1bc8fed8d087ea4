import { afterEach, describe, expect, test, vi } from 'vitest';
import { KeyTable } from '../../src/keyspace/key-table.js';
import { useSluiceAndRedis } from '../helpers/fixture.js';
import { transcript } from '../helpers/raw-session.js';
import { encodeCommand } from '../helpers/resp-client.js';

/**
 * Pipelined requests into a database larger than the cache: Sluice frames
 * each read ahead and reads where the requests' first keys sit before
 * running them (KeyTable.prefetch). The replies must be Redis's, whatever
 * the requests are.
 */
const servers = useSluiceAndRedis({ sluice: { config: { 'enable-debug-command': 'yes' } }, redis: ['--enable-debug-command', 'yes'] });

const LONG = 'L'.repeat(300);
const BATCH: string[][] = [
  ['GET', 'key:1'],
  ['ECHO', 'hi'],
  ['SET', 'key:2', 'two'],
  ['SELECT', '1'],
  ['GET', 'key:1'],
  ['SELECT', '0'],
  ['INCR', 'counter'],
  ['HSET', 'h', 'f', 'v'],
  ['LPUSH', 'l', 'a'],
  ['DEL', 'key:3'],
  ['SET', LONG, 'long'],
  ['GET', LONG],
  ['GET', 'nosuch'],
  ['GET', ''],
  ['GET', 'key:2'],
  ['EXISTS', 'key:3', 'key:4'],
  ['MGET', 'key:5', 'key:2', 'nosuch'],
  ['NOSUCHCOMMAND', 'key:1'],
  ['GET'],
  ['GETRANGE', 'key:6', '0', '3'],
];
const ONE_WRITE = Buffer.concat(BATCH.map((argv) => encodeCommand(argv)));

/** The keys KeyTable.prefetchKeys was given, per call. */
function spyOnPrefetchKeys(): string[][] {
  const calls: string[][] = [];
  const original = KeyTable.prototype.prefetchKeys;
  vi.spyOn(KeyTable.prototype, 'prefetchKeys').mockImplementation(function (this: KeyTable, keys, count) {
    calls.push(keys.slice(0, count));
    original.call(this, keys, count);
  });
  return calls;
}

/** The first keys KeyTable.prefetch was given, per call. */
function spyOnPrefetch(): string[][] {
  const calls: string[][] = [];
  const original = KeyTable.prototype.prefetch;
  vi.spyOn(KeyTable.prototype, 'prefetch').mockImplementation(function (this: KeyTable, buf, spans, count) {
    calls.push(Array.from({ length: count }, (_, j) => Buffer.from(buf).latin1Slice(spans[2 * j], spans[2 * j] + spans[2 * j + 1])));
    original.call(this, buf, spans, count);
  });
  return calls;
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('pipelined requests into a large database', () => {
  test('are answered as Redis answers them, in one write', async () => {
    for (const port of [servers.sluice.port, servers.redis.port]) {
      await transcript(port, [encodeCommand(['FLUSHALL']), encodeCommand(['DEBUG', 'POPULATE', '40000'])]);
    }
    const [sluice, redis] = await Promise.all([transcript(servers.sluice.port, [ONE_WRITE]), transcript(servers.redis.port, [ONE_WRITE])]);
    expect(sluice.replies.length).toBe(BATCH.length);
    expect(sluice).toEqual(redis);
  });

  test("Sluice reads ahead the first key of each request that names one, in the client's database", async () => {
    await transcript(servers.sluice.port, [encodeCommand(['FLUSHALL']), encodeCommand(['DEBUG', 'POPULATE', '40000'])]);
    const calls = spyOnPrefetch();
    await transcript(servers.sluice.port, [ONE_WRITE]);
    // Framing ahead stops at the request of one argument (GET alone); before it, ECHO, SELECT and the unknown command name no key.
    const framed = BATCH.slice(0, BATCH.findIndex((argv) => argv.length < 2));
    const keyed = framed.filter(([name]) => !['ECHO', 'SELECT', 'NOSUCHCOMMAND'].includes(name)).map(([, key]) => key);
    expect(calls).toEqual([keyed]);
  });

  test('a command naming several keys has them all read ahead first, and answers as Redis does', async () => {
    for (const port of [servers.sluice.port, servers.redis.port]) {
      await transcript(port, [encodeCommand(['FLUSHALL']), encodeCommand(['DEBUG', 'POPULATE', '40000'])]);
    }
    const commands = [
      ['MGET', 'key:1', 'nosuch', 'key:39999'],
      ['MSET', 'a', '1', 'key:7', 'seven'],
      ['EXISTS', 'a', 'key:7', 'gone'],
      ['DEL', 'key:8', 'key:9', 'nosuch'],
      ['RENAME', 'key:10', 'renamed'],
      ['GET', 'key:11'],
      ['MGET', 'renamed', 'key:10', 'key:7'],
    ];
    const calls = spyOnPrefetchKeys();
    // One request a write: the read-ahead of a pipeline's first keys is another path (above).
    const sluice = [];
    for (const argv of commands) sluice.push(...(await transcript(servers.sluice.port, [encodeCommand(argv)])).replies);
    vi.restoreAllMocks();
    const redis = [];
    for (const argv of commands) redis.push(...(await transcript(servers.redis.port, [encodeCommand(argv)])).replies);
    expect(sluice).toEqual(redis);
    expect(calls).toEqual([
      ['key:1', 'nosuch', 'key:39999'],
      ['a', 'key:7'],
      ['a', 'key:7', 'gone'],
      ['key:8', 'key:9', 'nosuch'],
      ['key:10', 'renamed'],
      ['renamed', 'key:10', 'key:7'],
    ]);
  });

  test('pipelined reads of collections (kept as objects) read their packed bytes or head chunk ahead, and answer as Redis does', async () => {
    const setUp = [
      ['RPUSH', 'list:a', 'x', 'y', 'z'],
      ['RPUSH', 'list:b', ...Array.from({ length: 300 }, (_, i) => `e${i}`)],
      ['HSET', 'hash:a', 'f', 'v', 'g', 'w'],
      ['HSET', 'hash:b', ...Array.from({ length: 300 }, (_, i) => [`f${i}`, `v${i}`]).flat()],
      ['SADD', 'set:a', '1', '2', '3'],
      ['SADD', 'set:b', 'm', 'n'],
      ['ZADD', 'zset:a', '1', 'one', '2', 'two'],
    ];
    for (const port of [servers.sluice.port, servers.redis.port]) {
      await transcript(port, [encodeCommand(['FLUSHALL']), encodeCommand(['DEBUG', 'POPULATE', '40000']), ...setUp.map((argv) => encodeCommand(argv))]);
    }
    const reads = Buffer.concat([
      ['LRANGE', 'list:a', '0', '-1'], ['LINDEX', 'list:b', '150'], ['LPUSH', 'list:a', 'w'], ['HGET', 'hash:a', 'g'], ['HGET', 'hash:b', 'f299'],
      ['SMEMBERS', 'set:a'], ['SISMEMBER', 'set:b', 'n'], ['ZSCORE', 'zset:a', 'two'], ['LRANGE', 'list:a', '0', '-1'], ['TYPE', 'key:5'],
    ].map((argv) => encodeCommand(argv)));
    const { ListValue } = await import('../../src/queues/list/list-value.js');
    const { HashValue } = await import('../../src/store/hash/hash-value.js');
    const { SetValue } = await import('../../src/store/set/set-value.js');
    const { ZSetValue } = await import('../../src/store/zset/zset-value.js');
    const warmed = {
      list: vi.spyOn(ListValue.prototype, 'warm'),
      hash: vi.spyOn(HashValue.prototype, 'warm'),
      set: vi.spyOn(SetValue.prototype, 'warm'),
      zset: vi.spyOn(ZSetValue.prototype, 'warm'),
    };
    const sluice = await transcript(servers.sluice.port, [reads]);
    vi.restoreAllMocks();
    const redis = await transcript(servers.redis.port, [reads]);
    expect(sluice).toEqual(redis);
    expect(sluice.replies.length).toBe(10);
    // One window: list:a three times and list:b, hash:a and hash:b, set:a and set:b, zset:a.
    expect([warmed.list, warmed.hash, warmed.set, warmed.zset].map((spy) => spy.mock.calls.length)).toEqual([4, 2, 2, 1]);
  });

  test('a small database is not read ahead, neither a pipeline\'s first keys nor a command\'s several', async () => {
    await transcript(servers.sluice.port, [encodeCommand(['FLUSHALL']), encodeCommand(['DEBUG', 'POPULATE', '1000'])]);
    const calls = spyOnPrefetch();
    const keyCalls = spyOnPrefetchKeys();
    const replies = await transcript(servers.sluice.port, [ONE_WRITE]);
    expect(replies.replies.length).toBe(BATCH.length);
    expect(calls).toEqual([]);
    expect(keyCalls).toEqual([]);
  });
});
