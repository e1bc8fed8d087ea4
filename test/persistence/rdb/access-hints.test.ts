import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { loadLimits } from '../../../src/persistence/rdb/decode-value.js';
import { RdbReader } from '../../../src/codecs/rdb/reader.js';
import { parseRdb, type AccessRecords } from '../../../src/persistence/rdb/rdb-load.js';
import { perTest } from '../../helpers/fixture.js';
import type { RespClient } from '../../helpers/resp-client.js';
import { redisServerPath } from '../../helpers/servers.js';
import { redisReadsRdb11, startRedisOnRdb } from './redis-rdb.js';

/**
 * RDB's IDLE and FREQ records: under an LRU policy each key carries its idle
 * seconds, under an LFU policy its counter, under the others neither (Redis's
 * savelru/savelfu); loading sets the clocks of the policy then in force.
 */

const t = perTest();
const OK = { t: 'simple', v: 'OK' };

async function sluiceOn(dir: string, policy: string): Promise<RespClient> {
  const s = await t.sluice({ config: { dir, appendonly: 'no', 'maxmemory-policy': policy, 'enable-debug-command': 'yes' } });
  return t.connect(s);
}

/** A key whose clock RESTORE sets: IDLETIME (seconds since last use) or FREQ (the LFU counter). */
async function restoredWith(c: RespClient, key: string, option: 'IDLETIME' | 'FREQ', n: number): Promise<void> {
  await c.call('SET', '_tmp', key);
  const dump = await c.call('DUMP', '_tmp');
  await c.call('DEL', '_tmp');
  expect(await c.call('RESTORE', key, '0', (dump as { v: string }).v, option, String(n))).toEqual(OK);
}
const idleKey = (c: RespClient, key: string, secs: number) => restoredWith(c, key, 'IDLETIME', secs);
const freqKey = (c: RespClient, key: string, freq: number) => restoredWith(c, key, 'FREQ', freq);

/**
 * An LFU counter read a moment after it was set: `expected`, or one less
 * when a minute boundary fell in between (the counter decays by one per
 * minute of lfu-decay-time, counted in whole minutes, as Redis counts them).
 */
function expectCounter(actual: number, expected: number): void {
  expect(actual).toBeGreaterThanOrEqual(expected - 1);
  expect(actual).toBeLessThanOrEqual(expected);
}

/** A file key's records under an LFU policy: no IDLE, and the counter (see expectCounter). */
function expectFreq(records: AccessRecords | null | undefined, expected: number): void {
  expect(records?.idle).toBe(-1);
  expectCounter(records!.freq, expected);
}

const num = async (c: RespClient, ...argv: string[]): Promise<number> => Number((await c.call(...argv) as { v: unknown }).v);

/** The keys of a dump file with their IDLE and FREQ records. */
function fileKeys(file: string): Map<string, AccessRecords | null> {
  const config = { num: (name: string) => ({ 'list-max-listpack-size': -2 } as Record<string, number>)[name] ?? 128 };
  const keys = new Map<string, AccessRecords | null>();
  parseRdb(new RdbReader(readFileSync(file)), { limits: loadLimits({ config } as never), databases: 16, now: Date.now() }, {
    library() {},
    key: (_db, key, _value, _deadline, hints) => keys.set(key, hints),
  });
  return keys;
}

describe('LRU and LFU hints in RDB files', () => {
  test('under an LRU policy SAVE records each key\'s idle seconds, and DEBUG RELOAD gives them back', async () => {
    const dir = t.tmp();
    const c = await sluiceOn(dir, 'allkeys-lru');
    await idleKey(c, 'old', 5000);
    await c.call('SET', 'fresh', 'v');
    await c.call('RPUSH', 'list', 'a', 'b');
    expect(await c.call('SAVE')).toEqual(OK);
    const keys = fileKeys(path.join(dir, 'dump.rdb'));
    expect(keys.get('old')!.idle).toBeGreaterThanOrEqual(5000);
    expect(keys.get('old')!.idle).toBeLessThan(5010);
    // The LRU clock counts whole seconds: a key written a moment ago may read as 1 s idle.
    expect(keys.get('fresh')!.idle).toBeLessThan(5);
    expect(keys.get('list')!.idle).toBeLessThan(5);
    expect(keys.get('fresh')!.freq).toBe(-1);
    expect(await c.call('DEBUG', 'RELOAD')).toEqual(OK);
    const idle = await num(c, 'OBJECT', 'IDLETIME', 'old');
    expect(idle).toBeGreaterThanOrEqual(5000);
    expect(idle).toBeLessThan(5010);
    expect(await num(c, 'OBJECT', 'IDLETIME', 'fresh')).toBeLessThan(10);
  });

  test('under an LFU policy SAVE records each key\'s counter, and a restart loads it', async () => {
    const dir = t.tmp();
    const c = await sluiceOn(dir, 'allkeys-lfu');
    await freqKey(c, 'hot', 42);
    await c.call('SET', 'new', 'v');
    expect(await c.call('SAVE')).toEqual(OK);
    const keys = fileKeys(path.join(dir, 'dump.rdb'));
    expectFreq(keys.get('hot'), 42);
    // A new key's counter starts at LFU_INIT_VAL, 5.
    expectFreq(keys.get('new'), 5);
    const again = await sluiceOn(dir, 'allkeys-lfu');
    expectCounter(await num(again, 'OBJECT', 'FREQ', 'hot'), 42);
  });

  test('BGSAVE records the hints too, including for a big value a write froze mid-walk', async () => {
    const dir = t.tmp();
    const c = await sluiceOn(dir, 'allkeys-lfu');
    await freqKey(c, 'hot', 77);
    const members: string[] = [];
    for (let i = 0; i < 2000; i++) members.push(`m${i}`);
    await c.call('SADD', 'bigset', ...members);
    expect(await c.call('BGSAVE')).toEqual({ t: 'simple', v: 'Background saving started' });
    await c.call('SADD', 'bigset', 'after');
    for (;;) {
      const info = (await c.call('INFO', 'persistence') as { v: string }).v;
      if (info.includes('rdb_bgsave_in_progress:0')) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const keys = fileKeys(path.join(dir, 'dump.rdb'));
    expectFreq(keys.get('hot'), 77);
    expect(keys.get('bigset')!.freq).toBeGreaterThanOrEqual(4);
  });

  test('under a policy that is neither LRU nor LFU the file has no hints, and loading under one gives fresh clocks', async () => {
    const dir = t.tmp();
    const c = await sluiceOn(dir, 'noeviction');
    await c.call('SET', 'k', 'v');
    expect(await c.call('SAVE')).toEqual(OK);
    expect(fileKeys(path.join(dir, 'dump.rdb')).get('k')).toBeNull();
    const lfu = await sluiceOn(dir, 'allkeys-lfu');
    expectCounter(await num(lfu, 'OBJECT', 'FREQ', 'k'), 5);
  });

  test('a file\'s IDLE records are ignored under an LFU policy, and its FREQ records under an LRU one', async () => {
    const dir = t.tmp();
    const c = await sluiceOn(dir, 'allkeys-lru');
    await idleKey(c, 'old', 3000);
    expect(await c.call('SAVE')).toEqual(OK);
    const lfu = await sluiceOn(dir, 'allkeys-lfu');
    expectCounter(await num(lfu, 'OBJECT', 'FREQ', 'old'), 5);
  });
});

describe.skipIf(redisServerPath === null)('LRU and LFU hints between redis-server and Sluice', () => {
  test("Sluice loads the idle times of a dump.rdb that redis-server saved under allkeys-lru", async () => {
    const dir = t.tmp();
    const started = await startRedisOnRdb(dir, 'dump.rdb', t.defer, ['--maxmemory-policy', 'allkeys-lru']);
    if (!('redis' in started)) throw new Error(started.exited);
    const redis = await t.connect(started.redis);
    await idleKey(redis, 'old', 4000);
    expect(await redis.call('SAVE')).toEqual(OK);
    await started.redis.stop();
    const keys = fileKeys(path.join(dir, 'dump.rdb'));
    expect(keys.get('old')!.idle).toBeGreaterThanOrEqual(4000);
    const c = await sluiceOn(dir, 'allkeys-lru');
    const idle = await num(c, 'OBJECT', 'IDLETIME', 'old');
    expect(idle).toBeGreaterThanOrEqual(4000);
    expect(idle).toBeLessThan(4010);
  });

  test('Sluice loads the counters of a dump.rdb that redis-server saved under allkeys-lfu', async () => {
    const dir = t.tmp();
    const started = await startRedisOnRdb(dir, 'dump.rdb', t.defer, ['--maxmemory-policy', 'allkeys-lfu']);
    if (!('redis' in started)) throw new Error(started.exited);
    const redis = await t.connect(started.redis);
    await freqKey(redis, 'hot', 33);
    expect(await redis.call('SAVE')).toEqual(OK);
    await started.redis.stop();
    expectFreq(fileKeys(path.join(dir, 'dump.rdb')).get('hot'), 33);
    const c = await sluiceOn(dir, 'allkeys-lfu');
    expectCounter(await num(c, 'OBJECT', 'FREQ', 'hot'), 33);
  });

  test('redis-server 7.2 loads the idle times of a dump.rdb that Sluice saved under allkeys-lru (7.0 refuses RDB 11)', async () => {
    const dir = t.tmp();
    const c = await sluiceOn(dir, 'allkeys-lru');
    await idleKey(c, 'old', 6000);
    expect(await c.call('SAVE')).toEqual(OK);
    const started = await startRedisOnRdb(dir, 'dump.rdb', t.defer, ['--maxmemory-policy', 'allkeys-lru']);
    if (!redisReadsRdb11()) {
      expect('exited' in started && started.exited).toMatch(/Can't handle RDB format version 11/);
      return;
    }
    if (!('redis' in started)) throw new Error(started.exited);
    const idle = await num(await t.connect(started.redis), 'OBJECT', 'IDLETIME', 'old');
    expect(idle).toBeGreaterThanOrEqual(6000);
    expect(idle).toBeLessThan(6010);
  });
});
