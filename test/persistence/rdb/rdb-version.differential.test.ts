import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { perTest } from '../../helpers/fixture.js';
import { redisServerPath } from '../../helpers/servers.js';
import { expectSameKeys, head, plain, populate } from './rdb10.js';
import { checkRdb, redisReadsRdb11, startRedisOnRdb } from './redis-rdb.js';

/**
 * A snapshot Sluice writes for RDB 10 (what a full sync to a Redis 7.0
 * replica will send) loads into the installed redis-server (7.0, which
 * refuses RDB 11) with every key as Sluice has it: type, value, TTL within
 * a second, XINFO STREAM FULL (7.0's consumers have a seen time only; Sluice's
 * is what 7.0 reports), the function library; redis-check-rdb accepts it.
 */

const t = perTest();

describe.skipIf(redisServerPath === null)('an RDB 10 snapshot in redis-server', () => {
  test('every type, TTL, stream group and function Sluice has, redis-server has after loading it', async () => {
    const dir = t.tmp();
    const { s, c } = await t.start(dir, { appendonly: 'no', save: '' });
    await populate(c, Date.now() + 3_600_000);
    const rdb = s.server.persistence.rdb;
    const file = path.join(dir, 'v10.rdb');
    rdb.writeSnapshot(file, rdb.options(10));
    expect(head(file)).toBe('REDIS0010');
    const check = checkRdb(file);
    expect(check.output).toMatch(/RDB looks OK/);
    expect(check.status).toBe(0);

    const started = await startRedisOnRdb(dir, 'v10.rdb', t.defer, ['--sanitize-dump-payload', 'yes']);
    if (!('redis' in started)) throw new Error(started.exited);
    const redis = await t.connect(started.redis);
    // 7.0's XINFO has no active-time; its seen-time is Sluice's seen time, compared with the rest (7.2 takes it for the active time too).
    const times = await expectSameKeys(c, redis);
    expect(times.streams).toBe(2);
    expect(times.theirs.active).toEqual(redisReadsRdb11() ? times.theirs.seen : []);
    for (const key of ['intset16', 'intset32', 'intset64', 'lpints']) expect(await redis.call('OBJECT', 'ENCODING', key), key).toEqual({ t: 'bulk', v: 'intset' });
    for (const key of ['hll', 'hlldense']) expect(await redis.call('PFCOUNT', key), key).toEqual(await c.call('PFCOUNT', key));
    expect(plain(await redis.call('GEOPOS', 'geo', 'Palermo', 'Catania'))).toEqual(plain(await c.call('GEOPOS', 'geo', 'Palermo', 'Catania')));
    expect(plain(await redis.call('FUNCTION', 'LIST', 'WITHCODE'))).toEqual(plain(await c.call('FUNCTION', 'LIST', 'WITHCODE')));
    expect(await redis.call('FCALL', 'v10f', '0')).toEqual({ t: 'bulk', v: 'from v10' });
    expect(await redis.call('DBSIZE')).toEqual(await c.call('DBSIZE'));
  });
});
