import { copyFileSync, mkdirSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { aofDir, dumpAll, rewriteDone } from '../helpers/aof.js';
import { perTest } from '../helpers/fixture.js';
import { spawnRedis } from '../helpers/redis-on-dir.js';
import { RespClient } from '../helpers/resp-client.js';
import { redisServerPath } from '../helpers/servers.js';
import { redisReadsRdb11 } from './rdb/redis-rdb.js';

/**
 * aof-use-rdb-preamble yes: the rewrite's base is an RDB snapshot of the
 * moment it began (`<prefix>.<n>.base.rdb`, AUX aof-base 1), writes during
 * it go to the new incremental file, and loading takes a base in either
 * form, so AOF directories move between Sluice and Redis.
 */

const t = perTest();
const PREAMBLE = { appendonly: 'yes', 'aof-use-rdb-preamble': 'yes', save: '' };

async function populate(c: RespClient): Promise<void> {
  await c.call('MSET', ...Array.from({ length: 20000 }, (_, i) => [`k${i}`, `v${i}`]).flat());
  await c.call('RPUSH', 'list', ...Array.from({ length: 3000 }, (_, i) => `e${i}`));
  await c.call('SET', 'ttl', 'x', 'PX', '3600000');
  await c.call('SELECT', '5');
  await c.call('SET', 'in5', 'five');
  await c.call('SELECT', '0');
}

describe('aof-use-rdb-preamble yes', () => {
  test('the rewrite writes an RDB base, writes made during it follow in the incremental file, and a restart gets it all back', async () => {
    const dir = t.tmp();
    const first = await t.start(dir, PREAMBLE);
    await populate(first.c);
    const replies = await Promise.all([
      first.c.call('BGREWRITEAOF'), first.c.call('SET', 'k1', 'changed during the rewrite'), first.c.call('DEL', 'k2'),
      first.c.call('LPUSH', 'list', 'head'), first.c.call('SET', 'created', 'during'),
    ]);
    expect(replies[0]).toEqual({ t: 'simple', v: 'Background append only file rewriting started' });
    await rewriteDone(first.c);
    const expected = await dumpAll(first.c);
    // The first base, also in RDB form, may still be there as history.
    const base = 'appendonly.aof.2.base.rdb';
    expect(readdirSync(aofDir(dir))).toContain(base);
    const bytes = readFileSync(path.join(aofDir(dir), base));
    expect(bytes.subarray(0, 9).toString('latin1')).toBe('REDIS0011');
    expect(bytes.includes(Buffer.from('\x08aof-base\xc0\x01', 'latin1'))).toBe(true);
    expect(readFileSync(path.join(aofDir(dir), 'appendonly.aof.manifest'), 'latin1')).toMatch(/file appendonly\.aof\.2\.base\.rdb seq 2 type b\n/);
    await t.stop(first);

    const second = await t.start(dir, PREAMBLE);
    expect(await dumpAll(second.c)).toEqual(expected);
    expect(await second.c.call('GET', 'k1')).toEqual({ t: 'bulk', v: 'changed during the rewrite' });
  });

  test('a single-file AOF of Redis before 7, an RDB preamble and commands after it, loads whole and becomes the first base', async () => {
    const dir = t.tmp();
    // Redis's tests/assets/rdb-preamble.aof: k1 and k2 in the RDB, SELECT 0 and SET k3 v3 after it.
    copyFileSync(path.join(import.meta.dirname, 'rdb', 'redis-assets', 'rdb-preamble.aof'), path.join(dir, 'appendonly.aof'));
    const first = await t.start(dir, PREAMBLE);
    expect(await first.c.call('MGET', 'k1', 'k2', 'k3')).toEqual({ t: 'array', v: ['v1', 'v2', 'v3'].map((v) => ({ t: 'bulk', v })) });
    expect(readFileSync(path.join(aofDir(dir), 'appendonly.aof.manifest'), 'latin1')).toBe(
      'file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n',
    );
    await first.c.call('SET', 'k4', 'v4');
    await t.stop(first);

    const second = await t.start(dir, PREAMBLE);
    expect(await second.c.call('MGET', 'k1', 'k2', 'k3', 'k4')).toEqual({ t: 'array', v: ['v1', 'v2', 'v3', 'v4'].map((v) => ({ t: 'bulk', v })) });
    await second.c.call('BGREWRITEAOF');
    await rewriteDone(second.c);
    await t.stop(second);

    const third = await t.start(dir, PREAMBLE);
    expect(await third.c.call('MGET', 'k1', 'k2', 'k3', 'k4')).toEqual({ t: 'array', v: ['v1', 'v2', 'v3', 'v4'].map((v) => ({ t: 'bulk', v })) });
  });

  test('with no, the base stays in AOF form', async () => {
    const dir = t.tmp();
    const s = await t.start(dir, { ...PREAMBLE, 'aof-use-rdb-preamble': 'no' });
    await s.c.call('SET', 'a', '1');
    await s.c.call('BGREWRITEAOF');
    await rewriteDone(s.c);
    expect(readFileSync(path.join(aofDir(dir), 'appendonly.aof.manifest'), 'latin1')).toMatch(/file appendonly\.aof\.2\.base\.aof seq 2 type b\n/);
  });
});

describe.skipIf(redisServerPath === null)('AOF directories with an RDB base between redis-server and Sluice', () => {
  test("Sluice loads redis-server's AOF directory whose base is an RDB preamble", async () => {
    const dir = t.tmp();
    const started = await spawnRedis(['--save', '', '--dir', dir, '--appendonly', 'yes', '--aof-use-rdb-preamble', 'yes'], t.defer);
    if (!('redis' in started)) throw new Error(started.exited);
    const redis = await t.connect(started.redis);
    await populate(redis);
    await redis.call('BGREWRITEAOF');
    await rewriteDone(redis);
    await redis.call('SET', 'after', 'the rewrite');
    const expected = await dumpAll(redis);
    expect(readdirSync(aofDir(dir)).some((f) => f.endsWith('.base.rdb'))).toBe(true);
    await started.redis.stop();
    const sluice = await t.start(dir, PREAMBLE);
    expect(await dumpAll(sluice.c)).toEqual(expected);
  });

  test("redis-server 7.2 loads Sluice's AOF directory whose base is an RDB preamble (7.0 refuses RDB 11 as such)", async () => {
    const dir = t.tmp();
    const s = await t.start(dir, PREAMBLE);
    await populate(s.c);
    await s.c.call('BGREWRITEAOF');
    await rewriteDone(s.c);
    await s.c.call('SET', 'after', 'the rewrite');
    const expected = await dumpAll(s.c);
    await t.stop(s);
    const copy = t.tmp();
    mkdirSync(aofDir(copy));
    for (const f of readdirSync(aofDir(dir))) copyFileSync(path.join(aofDir(dir), f), path.join(aofDir(copy), f));
    const started = await spawnRedis(['--save', '', '--dir', copy, '--appendonly', 'yes'], t.defer);
    if (!redisReadsRdb11()) {
      expect(started).toHaveProperty('exited');
      expect((started as { exited: string }).exited).toMatch(/Can't handle RDB format version 11/);
      return;
    }
    if (!('redis' in started)) throw new Error(started.exited);
    expect(await dumpAll(await t.connect(started.redis))).toEqual(expected);
  });
});
