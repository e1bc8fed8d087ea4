import { describe, expect, test } from 'vitest';
import { useSluiceAndRedis } from '../../helpers/fixture.js';
import { RespClient } from '../../helpers/resp-client.js';
import { redisServerPath } from '../../helpers/servers.js';
import { contents, keysOf } from './key-contents.js';

/**
 * Values of every type and encoding, built in a real redis-server, moved
 * into Sluice with DUMP and RESTORE, then moved again within Sluice: every
 * element, score, TTL and stream detail reads the same in all three. (The
 * redis-server the tests run against is 7.0, which refuses 7.2's payloads
 * by their version as 7.0 refuses Redis 7.2's; dump-payload.test.ts shows
 * Sluice's payloads are 7.2's.)
 */

const range = (n: number, f: (i: number) => string[]): string[] => Array.from({ length: n }, (_, i) => f(i)).flat();

interface Case {
  name: string;
  config?: string[];
  cmds: string[][];
}

const CASES: Case[] = [
  { name: 'strings of every form', cmds: [['SET', 'k', '12'], ['SET', 'k2', 'x'.repeat(300)], ['SET', 'k3', '\x00\xff binary']] },
  { name: 'list, listpack', cmds: [['RPUSH', 'k', 'a', '1', '-70000', '', 'b'.repeat(100)]] },
  { name: 'list, quicklist', cmds: [['RPUSH', 'k', ...range(2000, (i) => [`item-${i}`])]] },
  { name: 'list, small nodes', config: ['list-max-listpack-size', '3'], cmds: [['RPUSH', 'k', ...range(20, (i) => [String(i)])], ['LPUSH', 'k', 'front']] },
  { name: 'set, intset', cmds: [['SADD', 'k', '1', '-2', '300000', '9223372036854775807']] },
  { name: 'set, small', cmds: [['SADD', 'k', 'a', 'b', 'c']] },
  { name: 'set, hashtable', cmds: [['SADD', 'k', ...range(300, (i) => [`m${i}`])]] },
  { name: 'set, hashtable of integers', cmds: [['SADD', 'k', ...range(600, (i) => [String(i * 3)])]] },
  { name: 'sorted set, listpack', cmds: [['ZADD', 'k', '1', 'a', '1.5', 'b', '-inf', 'c', '1e-300', 'd']] },
  { name: 'sorted set, skiplist', cmds: [['ZADD', 'k', ...range(300, (i) => [String(i / 3), `m${i}`])]] },
  { name: 'sorted set, skiplist by member length', config: ['zset-max-listpack-value', '8'], cmds: [['ZADD', 'k', '1', 'short', '2', 'long member here']] },
  { name: 'hash, listpack', cmds: [['HSET', 'k', 'f', 'v', 'n', '42', 'e', '']] },
  { name: 'hash, hashtable', cmds: [['HSET', 'k', ...range(600, (i) => [`f${i}`, `v${i}`])]] },
  { name: 'hash, hashtable by value length', cmds: [['HSET', 'k', 'f', 'v'.repeat(100)]] },
  {
    name: 'stream with groups, pending entries and consumers',
    config: ['stream-node-max-entries', '4'],
    cmds: [
      ...Array.from({ length: 15 }, (_, i) => ['XADD', 'k', `${i + 1}-${i}`, 'f', String(i), ...(i % 3 === 0 ? ['g', 'extra'] : [])]),
      ['XDEL', 'k', '3-2', '7-6'],
      ['XGROUP', 'CREATE', 'k', 'g1', '0'],
      ['XGROUP', 'CREATE', 'k', 'g2', '5-0'],
      ['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '3', 'STREAMS', 'k', '>'],
      ['XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '2', 'STREAMS', 'k', '>'],
      ['XACK', 'k', 'g1', '2-1'],
      ['XCLAIM', 'k', 'g1', 'bob', '0', '1-0'],
      ['XGROUP', 'CREATECONSUMER', 'k', 'g2', 'carol'],
      ['XTRIM', 'k', 'MAXLEN', '12'],
    ],
  },
];

describe.skipIf(redisServerPath === null)('DUMP and RESTORE between redis-server and Sluice', () => {
  const servers = useSluiceAndRedis();

  for (const tc of CASES) {
    test(tc.name, async () => {
      const redis = await RespClient.connect(servers.redis.port);
      const sluice = await RespClient.connect(servers.sluice.port);
      try {
        for (const conn of [redis, sluice]) {
          await conn.call('FLUSHALL');
          await conn.call('CONFIG', 'SET', 'list-max-listpack-size', '-2', 'zset-max-listpack-value', '64', 'stream-node-max-entries', '100');
          if (tc.config) expect(await conn.call('CONFIG', 'SET', ...tc.config)).toEqual({ t: 'simple', v: 'OK' });
        }
        for (const cmd of tc.cmds) expect((await redis.call(...cmd)).t).not.toBe('error');
        await redis.call('PEXPIRE', 'k', '100000000');
        for (const key of await keysOf(redis)) {
          const payload = await redis.call('DUMP', key);
          if (payload.t !== 'bulk' || payload.v === null) throw new Error('no payload');
          const pttl = await redis.call('PTTL', key);
          const ttl = pttl.t === 'int' && Number(pttl.v) > 0 ? pttl.v : '0';
          expect(await sluice.call('RESTORE', key, ttl, payload.v)).toEqual({ t: 'simple', v: 'OK' });
          const expected = await contents(redis, key);
          const restored = await contents(sluice, key);
          const ttlClose = (r: unknown[]): unknown[] => [r[0], ...r.slice(2)];
          expect(ttlClose(restored)).toEqual(ttlClose(expected));
          const [encRedis, encSluice] = await Promise.all([redis.call('OBJECT', 'ENCODING', key), sluice.call('OBJECT', 'ENCODING', key)]);
          // Redis 7.0 has no listpack sets or lists: a small set of strings is a hashtable there and a small list a
          // quicklist, where 7.2 and Sluice have listpacks (Sluice's lists also ignore list-max-listpack-size).
          const only72 = encSluice.t === 'bulk' && encSluice.v === 'listpack' && encRedis.t === 'bulk' && (encRedis.v === 'hashtable' || encRedis.v === 'quicklist');
          if (!only72) {
            expect(encSluice).toEqual(encRedis);
          }
          const again = await sluice.call('DUMP', key);
          if (again.t !== 'bulk' || again.v === null) throw new Error('no payload');
          expect(await sluice.call('RESTORE', `${key}:copy`, ttl, again.v)).toEqual({ t: 'simple', v: 'OK' });
          expect(ttlClose(await contents(sluice, `${key}:copy`))).toEqual(ttlClose(restored));
        }
      } finally {
        redis.close();
        sluice.close();
      }
    });
  }

  test("redis-server 7.0 refuses Sluice's payload by its version, as it refuses Redis 7.2's", async () => {
    const redis = await RespClient.connect(servers.redis.port);
    const sluice = await RespClient.connect(servers.sluice.port);
    try {
      await sluice.call('SET', 'v', 'x');
      const p = await sluice.call('DUMP', 'v');
      if (p.t !== 'bulk' || p.v === null) throw new Error('no payload');
      const version = Buffer.from(p.v, 'latin1').readUInt16LE(p.v.length - 10);
      expect(version).toBe(11);
      const info = await redis.call('INFO', 'server');
      if (info.t === 'bulk' && info.v?.includes('redis_version:7.0')) {
        expect(await redis.call('RESTORE', 'v', '0', p.v)).toEqual({ t: 'error', v: 'ERR DUMP payload version or checksum are wrong' });
      }
    } finally {
      redis.close();
      sluice.close();
    }
  });
});
