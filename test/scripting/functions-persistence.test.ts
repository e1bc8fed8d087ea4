import { readdirSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { aofCommands, aofDir, rewriteDone } from '../helpers/aof.js';
import { perTest } from '../helpers/fixture.js';
import { startRedisOn } from '../helpers/redis-on-dir.js';
import type { Resp, RespClient } from '../helpers/resp-client.js';
import { redisServerPath } from '../helpers/servers.js';

/** Libraries live through restarts in the AOF: as the commands that changed them, and as FUNCTION LOAD in a rewritten base. */

const { tmp, defer, start, stop, connect } = perTest();

const lib = (name: string, body: string) => `#!lua name=${name}\n${body}`;
const fn = (name: string, body: string) => `redis.register_function('${name}', function(keys, args) ${body} end)`;
const CODES = {
  counter: lib('counter', fn('bump', "return redis.call('INCRBY', keys[1], args[1])")),
  reader: lib('reader', "redis.register_function{function_name='peek', callback=function(keys) return redis.call('GET', keys[1]) end, flags={'no-writes'}, description='reads'}"),
  doomed: lib('doomed', fn('gone', 'return 0')),
  late: lib('late', fn('after', "return 'after the rewrite'")),
};

/** FUNCTION LIST WITHCODE, libraries and their functions in one order (Redis lists them in its hash order). */
async function libraries(c: RespClient): Promise<string[]> {
  const r = await c.call('FUNCTION', 'LIST', 'WITHCODE');
  return (r.v as Resp[]).map((l) => JSON.stringify(l)).sort();
}

/** Loads, replaces, deletes and calls functions, as both servers are given them. */
async function workload(c: RespClient): Promise<void> {
  for (const code of [CODES.counter, CODES.reader, CODES.doomed]) expect((await c.call('FUNCTION', 'LOAD', code)).t).toBe('bulk');
  await c.call('FUNCTION', 'LOAD', 'REPLACE', CODES.counter);
  await c.call('FCALL', 'bump', '1', 'n', '5');
  await c.call('FUNCTION', 'DELETE', 'doomed');
}

describe('functions in the AOF', () => {
  test('libraries loaded, replaced and deleted are as they were after a restart', async () => {
    const dir = tmp();
    const x = await start(dir);
    await workload(x.c);
    const before = await libraries(x.c);
    await stop(x);
    const { c } = await start(dir);
    expect(await libraries(c)).toEqual(before);
    expect(before).toHaveLength(2);
    expect(await c.call('FCALL', 'bump', '1', 'n', '1')).toEqual({ t: 'int', v: '6' });
  });

  test('FUNCTION FLUSH and RESTORE replay too', async () => {
    const dir = tmp();
    const x = await start(dir);
    await workload(x.c);
    const dump = (await x.c.call('FUNCTION', 'DUMP')).v as string;
    await x.c.call('FUNCTION', 'FLUSH');
    await x.c.call('FUNCTION', 'LOAD', CODES.doomed);
    await x.c.call('FUNCTION', 'RESTORE', dump);
    const before = await libraries(x.c);
    await stop(x);
    const { c } = await start(dir);
    expect(await libraries(c)).toEqual(before);
    expect(before).toHaveLength(3);
  });

  test('a rewritten base starts with one FUNCTION LOAD per library; with the new incremental file it reloads them all', async () => {
    const dir = tmp();
    const x = await start(dir, { 'auto-aof-rewrite-percentage': '0', 'aof-use-rdb-preamble': 'no' });
    await workload(x.c);
    await x.c.call('SET', 'k', 'v');
    await x.c.call('BGREWRITEAOF');
    await rewriteDone(x.c);
    await x.c.call('FUNCTION', 'LOAD', CODES.late);
    const before = await libraries(x.c);
    await stop(x);
    const base = readdirSync(aofDir(dir)).find((f) => f.endsWith('.base.aof'))!;
    const commands = aofCommands(dir, base);
    expect(commands.slice(0, 2).map((argv) => argv.slice(0, 2))).toEqual([
      ['FUNCTION', 'LOAD'],
      ['FUNCTION', 'LOAD'],
    ]);
    expect(commands.slice(0, 2).map((argv) => argv[2]).sort()).toEqual([CODES.counter, CODES.reader]);
    expect(commands[2]).toEqual(['SELECT', '0']);
    expect(commands.slice(3).sort()).toEqual([
      ['SET', 'k', 'v'],
      ['SET', 'n', '5'],
    ]);
    const { c } = await start(dir);
    expect(await libraries(c)).toEqual(before);
    expect(await c.call('FCALL', 'after', '0')).toEqual({ t: 'bulk', v: 'after the rewrite' });
  });
});

describe.skipIf(redisServerPath === null)('functions in an AOF moved between Sluice and redis-server', () => {
  async function rewriteAndLoadMore(c: RespClient): Promise<void> {
    await c.call('BGREWRITEAOF');
    await rewriteDone(c);
    await c.call('FUNCTION', 'LOAD', CODES.late);
  }

  test("redis-server's appendonlydir, its rewritten base included, loads in Sluice with the same libraries", async () => {
    const dir = tmp();
    const redis = await startRedisOn(dir, defer);
    const rc = await connect(redis);
    await workload(rc);
    await rewriteAndLoadMore(rc);
    const expected = await libraries(rc);
    rc.close();
    await redis.stop();
    const { c } = await start(dir);
    expect(await libraries(c)).toEqual(expected);
    expect(expected).toHaveLength(3);
  });

  test("Sluice's appendonlydir, its rewritten base included, loads in redis-server with the same libraries", async () => {
    const dir = tmp();
    // A base of commands, which Redis 7.0 reads too.
    const x = await start(dir, { appendfsync: 'always', 'auto-aof-rewrite-percentage': '0', 'aof-use-rdb-preamble': 'no' });
    await workload(x.c);
    await rewriteAndLoadMore(x.c);
    const expected = await libraries(x.c);
    await stop(x);
    const redis = await startRedisOn(dir, defer);
    const rc = await connect(redis);
    expect(await libraries(rc)).toEqual(expected);
    expect(await rc.call('FCALL', 'bump', '1', 'n', '1')).toEqual({ t: 'int', v: '6' });
  });
});
