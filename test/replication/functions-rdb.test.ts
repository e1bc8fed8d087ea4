import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { afterEach, describe, expect, test } from 'vitest';
import { perTest } from '../helpers/fixture.js';
import { spawnRedis } from '../helpers/redis-on-dir.js';
import { RespClient } from '../helpers/resp-client.js';
import { redisServerPath, startSluice, type TestSluice } from '../helpers/servers.js';

const redisCli: string | null = (() => {
  const r = spawnSync('sh', ['-c', 'command -v redis-cli'], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : null;
})();

const t = perTest();

const LIBRARY = "#!lua name=backup\nredis.register_function('ping_backup', function() return 'pong' end)";

describe.skipIf(redisServerPath === null || redisCli === null)('redis-cli --functions-rdb from a Sluice master (REPLCONF rdb-filter-only)', () => {
  let sluice: TestSluice | null = null;
  afterEach(async () => {
    await sluice?.close();
    sluice = null;
  });

  test('the file holds the function libraries and no key, and real Redis loads it', async () => {
    // RDB 10, which Debian's Redis 7.0 reads (repl-rdb-version, as for a 7.0 replica).
    sluice = await startSluice({ config: { 'repl-diskless-sync-delay': 0, 'repl-rdb-version': 10 } });
    const c = await RespClient.connect(sluice.port);
    expect(await c.call('FUNCTION', 'LOAD', LIBRARY)).toEqual({ t: 'bulk', v: 'backup' });
    for (let i = 0; i < 100; i++) await c.call('SET', `k${i}`, 'v');
    await c.call('HSET', 'h', 'f', 'v');
    c.close();

    const dir = t.tmp();
    const file = path.join(dir, 'dump.rdb');
    // Not spawnSync: the server runs in this process and must keep serving.
    const run = await promisify(execFile)(redisCli!, ['-p', String(sluice.port), '--functions-rdb', file], { encoding: 'utf8', timeout: 20000 });
    expect(run.stderr + run.stdout).toContain('Transfer finished with success');
    const started = await spawnRedis(['--dir', dir, '--save', ''], t.defer);
    if (!('redis' in started)) throw new Error(started.exited);
    const r = await RespClient.connect(started.redis.port);
    // What the file holds, as Redis reads it: the library, and not one of the 101 keys.
    expect(await r.call('DBSIZE')).toEqual({ t: 'int', v: '0' });
    expect(await r.call('FCALL', 'ping_backup', '0')).toEqual({ t: 'bulk', v: 'pong' });
    r.close();

    // The master's own dataset and its RDB file are untouched by the filtered snapshot.
    const again = await RespClient.connect(sluice.port);
    expect(await again.call('DBSIZE')).toEqual({ t: 'int', v: '101' });
    expect(await again.call('INFO', 'replication')).toMatchObject({ v: expect.stringContaining('connected_slaves:0') });
    again.close();
  });
});
