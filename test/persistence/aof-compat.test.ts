import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { aofDir, dumpAll, infoField, rewriteDone } from '../helpers/aof.js';
import { perTest } from '../helpers/fixture.js';
import { RespClient } from '../helpers/resp-client.js';
import { startRedisOn } from '../helpers/redis-on-dir.js';
import { redisServerPath } from '../helpers/servers.js';

/**
 * Files move between Sluice and real redis-server both ways: an
 * appendonlydir written by one (aof-use-rdb-preamble no) loads in the other
 * to the same data.
 */

const { tmp, defer, start, stop, connect } = perTest();

/** The same writes for both servers: strings, TTLs, several databases, lists, transactions, a rewrite. */
async function workload(c: RespClient): Promise<void> {
  await c.call('SET', 'plain', 'value');
  await c.call('SET', 'binary', '\x00\x01\xfe\xff\r\n');
  await c.call('SET', 'ttl', 'x', 'PX', '3600000');
  await c.call('INCR', 'counter');
  await c.call('INCRBYFLOAT', 'float', '2.5');
  await c.call('APPEND', 'plain', '-appended');
  await c.call('RPUSH', 'queue', 'a', 'b', 'c', 'd');
  await c.call('LPOP', 'queue');
  await c.call('LMOVE', 'queue', 'done', 'LEFT', 'RIGHT');
  await c.call('MULTI');
  await c.call('SET', 'tx1', '1');
  await c.call('EXPIRE', 'tx1', '7200');
  await c.call('EXEC');
  await c.call('SELECT', '4');
  await c.call('SET', 'elsewhere', 'db4');
  await c.call('BGREWRITEAOF');
  await rewriteDone(c);
  await c.call('SET', 'after-rewrite', '1');
  await c.call('DEL', 'elsewhere');
  await c.call('SELECT', '0');
  await c.call('RPUSH', 'queue', ...Array.from({ length: 150 }, (_, i) => `bulk${i}`));
  await c.call('DEL', 'counter');
}

describe.skipIf(redisServerPath === null)('AOF compatibility with redis-server', () => {
  test('an appendonlydir written by redis-server loads in Sluice', async () => {
    const dir = tmp();
    const redis = await startRedisOn(dir, defer);
    const rc = await RespClient.connect(redis.port);
    await workload(rc);
    const expected = await dumpAll(rc);
    rc.close();
    await redis.stop();
    expect(readFileSync(path.join(aofDir(dir), 'appendonly.aof.manifest'), 'latin1')).toMatch(/seq 2 type b/);
    const { c } = await start(dir);
    expect(await dumpAll(c)).toEqual(expected);
    expect(Object.keys(expected)).toHaveLength(8);
  });

  test('an appendonlydir written by Sluice loads in redis-server', async () => {
    const dir = tmp();
    // A base of commands, which Redis 7.0 reads too (an RDB base: aof-preamble.test.ts).
    const x = await start(dir, { appendfsync: 'always', 'aof-use-rdb-preamble': 'no' });
    await workload(x.c);
    expect(await infoField(x.c, 'aof_rewrites')).toBe('1');
    const expected = await dumpAll(x.c);
    await stop(x);
    const redis = await startRedisOn(dir, defer);
    const rc = await connect(redis);
    expect(await dumpAll(rc)).toEqual(expected);
    expect(Object.keys(expected)).toHaveLength(8);
  });
});
