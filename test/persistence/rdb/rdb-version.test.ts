import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import type { RunningServer } from '../../../src/index.js';
import { RdbVersionError } from '../../../src/persistence/rdb/rdb-version.js';
import { perTest } from '../../helpers/fixture.js';
import { backgroundSave, expectSameKeys, head, keyRecords, keyTypes, plain, populate } from './rdb10.js';

/**
 * Snapshots for an older reader (RdbOptions.rdbVersion, repl-rdb-version):
 * RDB 10 for Redis 7.0, written in the encodings 7.0 has, and read back
 * by Sluice's own loader as the dataset they came from; a key the version
 * cannot hold (a hash with field TTLs) stops the snapshot with
 * RdbVersionError. rdb-version.differential.test.ts loads them into Redis 7.0.
 */

const t = perTest();
const NO_AOF = { appendonly: 'no', save: '' };

function rdbFiles(s: RunningServer) {
  return s.server.persistence.rdb;
}

describe('RDB version 10 snapshots', () => {
  test('REDIS0010; sets as intsets or plain sets, streams as RDB_TYPE_STREAM_LISTPACKS_2, no type RDB 10 lacks; version 11 asked for is what SAVE writes', async () => {
    const dir = t.tmp();
    const { s, c } = await t.start(dir, NO_AOF);
    await populate(c, Date.now() + 3_600_000);
    for (const [key, enc] of [['intset16', 'intset'], ['lpints', 'listpack'], ['smallset', 'listpack'], ['bigset', 'hashtable'], ['bigintset', 'hashtable']]) {
      expect(await c.call('OBJECT', 'ENCODING', key), key).toEqual({ t: 'bulk', v: enc });
    }
    const rdb = rdbFiles(s);
    const file = path.join(dir, 'v10.rdb');
    rdb.writeSnapshot(file, rdb.options(10));
    expect(head(file)).toBe('REDIS0010');
    const types = keyTypes(readFileSync(file));
    const expected: Record<string, number> = {
      str: 0, list: 18, biglist: 18, hsmall: 16, hbig: 4, zsmall: 17, zbig: 5, hll: 0, geo: 17,
      intset16: 11, intset32: 11, intset64: 11, lpints: 11, smallset: 2, mixedset: 2, bigset: 2, bigintset: 2,
      stream: 19, bigstream: 19,
    };
    for (const [key, type] of Object.entries(expected)) expect(types.get(`0 ${key}`), key).toBe(type);
    for (const [key, type] of types) expect(type, key).toBeLessThan(20);

    // Asked for 11, the keys are SAVE's to the byte.
    expect(await c.call('SAVE')).toEqual({ t: 'simple', v: 'OK' });
    const v11 = path.join(dir, 'v11.rdb');
    rdb.writeSnapshot(v11, rdb.options(11));
    expect(head(v11)).toBe('REDIS0011');
    expect(keyRecords(readFileSync(v11))).toEqual(keyRecords(readFileSync(path.join(dir, 'dump.rdb'))));
    expect(keyTypes(readFileSync(v11)).get('0 stream')).toBe(21);
  });

  test("loads back into Sluice as every key, TTL and function was, a consumer's active time becoming its seen time; a background save writes the same keys", async () => {
    const dir = t.tmp();
    const { s, c } = await t.start(dir, NO_AOF);
    await populate(c, Date.now() + 3_600_000);
    const rdb = rdbFiles(s);
    const file = path.join(dir, 'v10.rdb');
    rdb.writeSnapshot(file, rdb.options(10));

    const loaded = await t.start(dir, { ...NO_AOF, dbfilename: 'v10.rdb' });
    const times = await expectSameKeys(c, loaded.c);
    expect(times.streams).toBe(2);
    // The population has a consumer whose active time is older than its seen time, which RDB 10 cannot say:
    // loaded from RDB_TYPE_STREAM_LISTPACKS_2, a consumer's active time is its seen time.
    expect(times.ours.active).not.toEqual(times.ours.seen);
    expect(times.theirs.active).toEqual(times.theirs.seen);
    expect(await loaded.c.call('FUNCTION', 'LIST', 'WITHCODE')).toEqual(await c.call('FUNCTION', 'LIST', 'WITHCODE'));
    expect(await loaded.c.call('FCALL', 'v10f', '0')).toEqual({ t: 'bulk', v: 'from v10' });
    for (const key of ['intset16', 'intset32', 'intset64', 'lpints']) expect(await loaded.c.call('OBJECT', 'ENCODING', key), key).toEqual({ t: 'bulk', v: 'intset' });
    expect(await loaded.c.call('SMEMBERS', 'lpints').then(plain)).toEqual(['-70000', '1', '3', '5']);

    // The walk a replica's sync runs: big values in pieces from frozen views, the same bytes.
    const walked = path.join(dir, 'walked.rdb');
    expect(await backgroundSave(s, walked, rdb.options(10))).toBeNull();
    expect(head(walked)).toBe('REDIS0010');
    expect(keyRecords(readFileSync(walked))).toEqual(keyRecords(readFileSync(file)));
  });

  test('a hash with field TTLs is an RdbVersionError for versions 10 and 11, naming the key; the default still writes Redis 7.4\'s types under REDIS0011', async () => {
    const dir = t.tmp();
    const { s, c } = await t.start(dir, NO_AOF);
    const rdb = rdbFiles(s);
    const file = path.join(dir, 'replica.rdb');
    await c.call('SET', 'plain', 'v');
    await c.call('HSET', 'h', 'a', '1', 'b', '2');
    expect(await c.call('HEXPIRE', 'h', '100', 'FIELDS', '1', 'a')).toEqual({ t: 'array', v: [{ t: 'int', v: '1' }] });
    expect(await c.call('OBJECT', 'ENCODING', 'h')).toEqual({ t: 'bulk', v: 'listpackex' });
    for (const version of [10, 11] as const) {
      expect(() => rdb.writeSnapshot(file, rdb.options(version))).toThrow(new RdbVersionError('h', version, 'hash fields with a TTL'));
      expect(() => rdb.writeSnapshot(file, rdb.options(version))).toThrow(`key 'h' has hash fields with a TTL, which RDB version ${version} cannot hold`);
    }
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.startsWith('temp-'))).toEqual([]);

    // A table hash, written in pieces by the walk, is refused there too.
    await c.call('HSET', 'hbig', ...Array.from({ length: 600 }, (_, i) => [`f${i}`, 'v']).flat());
    await c.call('HPEXPIRE', 'hbig', '100000', 'FIELDS', '1', 'f7');
    await c.call('HPERSIST', 'h', 'FIELDS', '1', 'a');
    const error = await backgroundSave(s, file, rdb.options(10));
    expect(error).toBeInstanceOf(RdbVersionError);
    expect(error!.message).toBe("key 'hbig' has hash fields with a TTL, which RDB version 10 cannot hold");
    expect((error as RdbVersionError).key).toBe('hbig');

    // Sluice's own files: RDB 12's hash types under an 11 header, as before.
    rdb.writeSnapshot(file);
    expect(head(file)).toBe('REDIS0011');
    expect(keyTypes(readFileSync(file)).get('0 hbig')).toBe(24);
    await c.call('HPEXPIRE', 'h', '100000', 'FIELDS', '1', 'b');
    rdb.writeSnapshot(file);
    expect(keyTypes(readFileSync(file)).get('0 h')).toBe(25);

    // Once no field has a TTL, a listpackex hash is a plain listpack for RDB 10.
    await c.call('HPERSIST', 'h', 'FIELDS', '1', 'b');
    await c.call('HPERSIST', 'hbig', 'FIELDS', '1', 'f7');
    expect(await c.call('OBJECT', 'ENCODING', 'h')).toEqual({ t: 'bulk', v: 'listpackex' });
    rdb.writeSnapshot(file, rdb.options(10));
    const types = keyTypes(readFileSync(file));
    expect([types.get('0 h'), types.get('0 hbig')]).toEqual([16, 4]);
    const loaded = await t.start(dir, { ...NO_AOF, dbfilename: 'replica.rdb' });
    expect(await loaded.c.call('HGETALL', 'h')).toEqual(await c.call('HGETALL', 'h'));
    expect(await loaded.c.call('HLEN', 'hbig')).toEqual({ t: 'int', v: '600' });
  });

  test('repl-rdb-version: 11 by default, 10 or 11 only; replicaOptions() asks for it', async () => {
    const { s, c } = await t.start(t.tmp(), NO_AOF);
    const rdb = rdbFiles(s);
    expect(await c.call('CONFIG', 'GET', 'repl-rdb-version')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'repl-rdb-version' }, { t: 'bulk', v: '11' }] });
    expect(rdb.replicaOptions().rdbVersion).toBe(11);
    expect(rdb.options().rdbVersion).toBeUndefined();
    expect(await c.call('CONFIG', 'SET', 'repl-rdb-version', '10')).toEqual({ t: 'simple', v: 'OK' });
    expect(rdb.replicaOptions().rdbVersion).toBe(10);
    expect((await c.call('CONFIG', 'SET', 'repl-rdb-version', '12')).t).toBe('error');
    expect((await c.call('CONFIG', 'SET', 'repl-rdb-version', '9')).t).toBe('error');
  });
});
