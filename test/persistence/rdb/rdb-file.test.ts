import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { crc64 } from '../../../src/codecs/crc64.js';
import { startServer } from '../../../src/index.js';
import { ensureBuild, startChild } from '../../helpers/child-sluice.js';
import { perTest } from '../../helpers/fixture.js';
import type { RespClient } from '../../helpers/resp-client.js';
import { redisServerPath, type TestSluice } from '../../helpers/servers.js';
import { contents, keysOf } from './key-contents.js';
import { checkRdb, redisReadsRdb11, startRedisOnRdb } from './redis-rdb.js';

/**
 * The RDB file both ways: a dump.rdb that redis-server SAVEd loads into
 * Sluice with every key, TTL and function; Sluice's SAVE loads into Redis
 * 7.2 (Redis 7.0, which CI runs, refuses RDB 11 files, Redis 7.2's own
 * included, and the test checks that it refuses them for that reason).
 */

const t = perTest();
const OK = { t: 'simple', v: 'OK' };
const range = (n: number, f: (i: number) => string[]): string[] => Array.from({ length: n }, (_, i) => f(i)).flat();
const LIBRARY = "#!lua name=rdblib\nredis.register_function('rdbf', function() return 'from rdb' end)";

/** Every type in its small and large encodings, TTLs, two databases, a function library. */
function population(deadline: number): string[][] {
  return [
    ['SET', 'str', 'hello'], ['SET', 'int', '-12345'], ['SET', 'long', 'abc'.repeat(100)], ['SET', '42', 'integer key'],
    ['SET', 'ttl', 'soon'], ['PEXPIREAT', 'ttl', String(deadline)],
    ['RPUSH', 'list', 'a', '1', '', '-99999999999'], ['RPUSH', 'biglist', ...range(3000, (i) => [`element ${i}`])],
    ['SADD', 'intset', '3', '1', '2'], ['SADD', 'smallset', 'x', 'y'], ['SADD', 'bigset', ...range(300, (i) => [`member${i}`])],
    ['ZADD', 'zsmall', '1', 'a', '2.5', 'b', '-inf', 'c'], ['ZADD', 'zbig', ...range(300, (i) => [String(i / 7), `m${i}`])],
    ['HSET', 'hsmall', 'f', 'v', 'n', '1'], ['HSET', 'hbig', ...range(600, (i) => [`field${i}`, `value${i}`])],
    ['PEXPIREAT', 'hbig', String(deadline)],
    ...Array.from({ length: 12 }, (_, i) => ['XADD', 'stream', `${i + 1}-1`, 'field', String(i)]),
    ['XDEL', 'stream', '4-1'],
    ['XGROUP', 'CREATE', 'stream', 'group', '0'],
    ['XREADGROUP', 'GROUP', 'group', 'reader', 'COUNT', '3', 'STREAMS', 'stream', '>'],
    ['XGROUP', 'CREATECONSUMER', 'stream', 'group', 'idle'],
    ['SELECT', '7'], ['SET', 'in-db-7', 'seven'], ['SADD', 'set7', '1'], ['SELECT', '0'],
    ['FUNCTION', 'LOAD', LIBRARY],
  ];
}

async function populate(c: RespClient, deadline: number): Promise<void> {
  for (const cmd of population(deadline)) {
    const r = await c.call(...cmd);
    expect(r.t, cmd.join(' ')).not.toBe('error');
  }
}

/** Every key of every database as a client reads it, with its absolute deadline; and the function libraries. */
async function everything(c: RespClient): Promise<unknown> {
  const dbs: Record<number, unknown> = {};
  for (let db = 0; db < 16; db++) {
    await c.call('SELECT', String(db));
    const keys = await keysOf(c);
    if (keys.length === 0) continue;
    const entries: unknown[] = [];
    for (const key of keys) {
      const [type, , ...rest] = await contents(c, key);
      entries.push([key, type, await c.call('PEXPIRETIME', key), ...rest]);
    }
    dbs[db] = entries;
  }
  await c.call('SELECT', '0');
  return { dbs, functions: await c.call('FUNCTION', 'LIST', 'WITHCODE') };
}

async function sluiceOn(dir: string, config: Record<string, string> = {}) {
  const s = await t.sluice({ config: { dir, appendonly: 'no', ...config } });
  return { s, c: await t.connect(s) };
}

describe.skipIf(redisServerPath === null)('RDB files between redis-server and Sluice', () => {
  test('Sluice loads every key, TTL and function of a dump.rdb that redis-server saved', async () => {
    const dir = t.tmp();
    const started = await startRedisOnRdb(dir, 'dump.rdb', t.defer);
    if (!('redis' in started)) throw new Error(started.exited);
    const redis = await t.connect(started.redis);
    await populate(redis, Date.now() + 3_600_000);
    expect(await redis.call('SAVE')).toEqual(OK);
    const expected = await everything(redis);
    await started.redis.stop();
    const { c } = await sluiceOn(dir);
    expect(await everything(c)).toEqual(expected);
    expect(await c.call('FCALL', 'rdbf', '0')).toEqual({ t: 'bulk', v: 'from rdb' });
  });

  test("sluice-server started where Redis left a dump.rdb (and no AOF) serves its data, logging the load as Redis does", async () => {
    const dir = t.tmp();
    const started = await startRedisOnRdb(dir, 'dump.rdb', t.defer);
    if (!('redis' in started)) throw new Error(started.exited);
    const redis = await t.connect(started.redis);
    await redis.call('SET', 'from-redis', 'v');
    await redis.call('ZADD', 'z', '1', 'a');
    expect(await redis.call('SAVE')).toEqual(OK);
    await started.redis.stop();
    ensureBuild();
    const sluice = await startChild(['--dir', dir]);
    t.defer(() => sluice.kill('SIGKILL'));
    const c = await t.connect(sluice);
    expect(await c.call('GET', 'from-redis')).toEqual({ t: 'bulk', v: 'v' });
    expect(await c.call('ZSCORE', 'z', 'a')).toEqual({ t: 'bulk', v: '1' });
    expect(sluice.output()).toMatch(/Loading RDB produced by version 7\.[\s\S]*Done loading RDB, keys loaded: 2, keys expired: 0\.[\s\S]*DB loaded from disk: [\d.]+ seconds/);
  });

  test("Sluice's dump.rdb loads into Redis 7.2 with every key, TTL and function, and redis-check-rdb accepts it", async () => {
    const dir = t.tmp();
    const { s, c } = await sluiceOn(dir);
    await populate(c, Date.now() + 3_600_000);
    expect(await c.call('SAVE')).toEqual(OK);
    const expected = await everything(c);
    c.close();
    await s.close();
    const file = path.join(dir, 'dump.rdb');
    const started = await startRedisOnRdb(dir, 'dump.rdb', t.defer);
    const check = checkRdb(file);
    if (!redisReadsRdb11()) {
      expect('exited' in started && started.exited).toMatch(/Can't handle RDB format version 11/);
      expect(check.output).toMatch(/Can't handle RDB format version 11/);
      return;
    }
    expect(check.output).toMatch(/RDB looks OK/);
    expect(check.status).toBe(0);
    if (!('redis' in started)) throw new Error(started.exited);
    expect(await everything(await t.connect(started.redis))).toEqual(expected);
  });

  test('keys whose deadline passed before loading are left out and counted', async () => {
    const dir = t.tmp();
    const started = await startRedisOnRdb(dir, 'dump.rdb', t.defer);
    if (!('redis' in started)) throw new Error(started.exited);
    const redis = await t.connect(started.redis);
    await redis.call('SET', 'kept', '1');
    await redis.call('SET', 'gone', '1', 'PX', '300');
    expect(await redis.call('SAVE')).toEqual(OK);
    await started.redis.stop();
    await new Promise((r) => setTimeout(r, 400));
    const { c } = await sluiceOn(dir);
    expect(await keysOf(c)).toEqual(['kept']);
    const info = await c.call('INFO', 'persistence');
    expect(info.t === 'bulk' && info.v).toMatch(/rdb_last_load_keys_expired:1\r\nrdb_last_load_keys_loaded:1\r\n/);
  });
});

/** The files of Redis's own test suite (tests/assets, Redis 7.2.6), from RDB 3 to 10: zipmaps, ziplists, intsets, linked lists, quicklists. */
const ASSETS = path.join(import.meta.dirname, 'redis-assets');

describe.skipIf(redisServerPath === null)("Redis's test suite files load into Sluice as into redis-server", () => {
  for (const name of ['encodings.rdb', 'hash-zipmap.rdb', 'hash-ziplist.rdb', 'list-quicklist.rdb', 'zset-ziplist.rdb', 'scriptbackup.rdb']) {
    for (const config of [[], ['hash-max-listpack-entries', '1', 'zset-max-listpack-entries', '1', 'set-max-intset-entries', '1']]) {
      test(`${name}${config.length > 0 ? ', thresholds at 1' : ''}`, async () => {
        const dir = t.tmp();
        copyFileSync(path.join(ASSETS, name), path.join(dir, name));
        const started = await startRedisOnRdb(dir, name, t.defer, config.map((x, i) => (i % 2 === 0 ? `--${x}` : x)));
        if (!('redis' in started)) throw new Error(started.exited);
        const redis = await t.connect(started.redis);
        const cfg: Record<string, string> = { dbfilename: name };
        for (let i = 0; i < config.length; i += 2) cfg[config[i]] = config[i + 1];
        const { c } = await sluiceOn(dir, cfg);
        expect(await everything(c)).toEqual(await everything(redis));
        for (const key of await keysOf(redis)) {
          const [a, b] = [await redis.call('OBJECT', 'ENCODING', key), await c.call('OBJECT', 'ENCODING', key)];
          // Redis 7.0 has no listpack lists or sets (7.2 and Sluice do).
          if (!(b.t === 'bulk' && b.v === 'listpack' && a.t === 'bulk' && (a.v === 'quicklist' || a.v === 'hashtable'))) expect(b, key).toEqual(a);
        }
      });
    }
  }

  test('corrupt_empty_keys.rdb: empty collections are skipped, as Redis skips them', async () => {
    const dir = t.tmp();
    copyFileSync(path.join(ASSETS, 'corrupt_empty_keys.rdb'), path.join(dir, 'dump.rdb'));
    const s = await t.sluice({ config: { dir, appendonly: 'no' }, logLevel: 'notice' });
    const c = await t.connect(s);
    expect(await c.call('DBSIZE')).toEqual({ t: 'int', v: '0' });
    // Redis 7.2.6's lines for this file, at notice level.
    const notices = (s as TestSluice).logs.messages('notice');
    expect(notices.filter((l) => l.startsWith('rdbLoadObject skipping empty key: '))).toHaveLength(9);
    expect(notices).toContain('rdbLoadObject skipping empty key: list_quicklist_empty_ziplist');
    expect(notices).toContain('Done loading RDB, keys loaded: 0, keys expired: 0, empty keys skipped: 9.');
  });

  test('corrupt_ziplist.rdb: a damaged ziplist stops the load, naming the file, the offset and the reason', async () => {
    const dir = t.tmp();
    copyFileSync(path.join(ASSETS, 'corrupt_ziplist.rdb'), path.join(dir, 'dump.rdb'));
    await expect(startServer({ port: 0, bind: '127.0.0.1', config: { dir, appendonly: 'no' } })).rejects.toThrow(
      /Bad RDB file .*dump\.rdb: invalid ziplist: .* at offset \d+/,
    );
  });
});

describe('SAVE, LASTSAVE and damaged files', () => {
  test('SAVE writes dbfilename in dir through a temporary file, resets the change count and moves LASTSAVE', async () => {
    const dir = t.tmp();
    const { c } = await sluiceOn(dir, { dbfilename: 'other.rdb' });
    await c.call('SET', 'a', '1');
    const info = async (): Promise<string> => ((await c.call('INFO', 'persistence')) as { v: string }).v;
    expect(await info()).toMatch(/rdb_changes_since_last_save:1\r\n/);
    const before = Number((await c.call('LASTSAVE') as { v: string }).v);
    await new Promise((r) => setTimeout(r, 1100));
    expect(await c.call('SAVE')).toEqual(OK);
    expect(Number((await c.call('LASTSAVE') as { v: string }).v)).toBeGreaterThan(before);
    expect(await info()).toMatch(/rdb_changes_since_last_save:0\r\n[\s\S]*rdb_last_bgsave_status:ok\r\n[\s\S]*rdb_saves:1\r\n/);
    expect(readdirSync(dir).filter((f) => f.endsWith('.rdb'))).toEqual(['other.rdb']);
    expect(readFileSync(path.join(dir, 'other.rdb')).subarray(0, 9).toString()).toBe('REDIS0011');
  });

  test('SAVE is refused inside MULTI; dbfilename is a protected config and must be a file name', async () => {
    const { c } = await sluiceOn(t.tmp());
    expect(await c.call('CONFIG', 'SET', 'dbfilename', 'x.rdb')).toEqual({
      t: 'error', v: "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - can't set protected config",
    });
    await c.call('MULTI');
    expect(await c.call('SAVE')).toEqual({ t: 'error', v: 'ERR Command not allowed inside a transaction' });
  });

  test('dbfilename must be a file name', async () => {
    const { c } = await sluiceOn(t.tmp(), { 'enable-protected-configs': 'yes' });
    expect(await c.call('CONFIG', 'SET', 'dbfilename', 'x.rdb')).toEqual(OK);
    expect(await c.call('CONFIG', 'SET', 'dbfilename', 'a/b.rdb')).toEqual({
      t: 'error', v: "ERR CONFIG SET failed (possibly related to argument 'dbfilename') - dbfilename can't be a path, just a filename",
    });
  });

  test('a SAVE that cannot write answers ERR and leaves the old dump, and rdb_last_bgsave_status, as they were', async () => {
    const dir = t.tmp();
    const { c } = await sluiceOn(dir);
    await c.call('SET', 'a', '1');
    expect(await c.call('SAVE')).toEqual(OK);
    const old = readFileSync(path.join(dir, 'dump.rdb'));
    await c.call('SET', 'b', '2');
    // A directory where the temporary file should go makes the open fail.
    mkdirSync(path.join(dir, `temp-${process.pid}.rdb`));
    expect(await c.call('SAVE')).toEqual({ t: 'error', v: 'ERR' });
    expect(readFileSync(path.join(dir, 'dump.rdb'))).toEqual(old);
    // Redis 7.2's rdbSave sets the status only when it succeeds (checked against 7.2.6).
    const info = (await c.call('INFO', 'persistence')) as { v: string };
    expect(info.v).toMatch(/rdb_last_bgsave_status:ok\r\n/);
  });

  test('a damaged or truncated file refuses to load, naming the file, the offset and the reason', async () => {
    const dir = t.tmp();
    const { s, c } = await sluiceOn(dir);
    await populate(c, Date.now() + 3_600_000);
    expect(await c.call('SAVE')).toEqual(OK);
    c.close();
    await s.close();
    const file = path.join(dir, 'dump.rdb');
    const good = readFileSync(file);
    const damaged: Buffer[] = [];
    for (let cut = 0; cut < good.length; cut += Math.max(1, Math.floor(good.length / 25))) damaged.push(good.subarray(0, cut));
    for (let at = 9; at < good.length; at += Math.max(1, Math.floor(good.length / 25))) {
      const copy = Buffer.from(good);
      copy[at] ^= 0x5a;
      damaged.push(copy);
    }
    for (const bytes of damaged) {
      writeFileSync(file, bytes);
      await expect(startServer({ port: 0, bind: '127.0.0.1', config: { dir, appendonly: 'no' } })).rejects.toThrow(
        /^Bad RDB file .*dump\.rdb: .+ at offset \d+$/,
      );
    }
  });

  // Redis's suite ("Server should not start if RDB is corrupted") looks for "CRC error" in the log.
  test("a wrong checksum is Redis's RDB CRC error, with both checksums", async () => {
    const dir = t.tmp();
    const body = Buffer.from('REDIS0011\xfe\x00\x00\x01k\x01v\xff', 'latin1');
    const good = crc64(body);
    const bad = Buffer.from('foobar00', 'latin1');
    writeFileSync(path.join(dir, 'dump.rdb'), Buffer.concat([body, bad]));
    const hex = (b: Buffer) => b.readBigUInt64LE(0).toString(16);
    await expect(startServer({ port: 0, bind: '127.0.0.1', config: { dir, appendonly: 'no' } })).rejects.toThrow(
      `Bad RDB file ${path.join(dir, 'dump.rdb')}: RDB CRC error: wrong RDB checksum expected: (${hex(bad)}) got (${hex(good)}) at offset ${body.length}`,
    );
  });

  test('a file whose checksum is right but whose content is damaged refuses to load as well', async () => {
    const dir = t.tmp();
    // SELECTDB 0, then a string key whose value claims 32 bytes where 5 follow.
    const body = Buffer.from('REDIS0011\xfe\x00\x00\x03key\x20hello\xff', 'latin1');
    writeFileSync(path.join(dir, 'dump.rdb'), Buffer.concat([body, crc64(body)]));
    await expect(startServer({ port: 0, bind: '127.0.0.1', config: { dir, appendonly: 'no' } })).rejects.toThrow(
      /Bad RDB file .*dump\.rdb: unexpected end of data at offset 17/,
    );
  });

  /** A server started on a file of `body` and its checksum refuses it with `message`. */
  async function refused(body: string, message: RegExp): Promise<void> {
    const dir = t.tmp();
    const bytes = Buffer.from(body, 'latin1');
    writeFileSync(path.join(dir, 'dump.rdb'), Buffer.concat([bytes, crc64(bytes)]));
    await expect(startServer({ port: 0, bind: '127.0.0.1', config: { dir, appendonly: 'no' } })).rejects.toThrow(message);
  }

  test('a duplicated key refuses the file, and nothing of it is loaded', async () => {
    await refused('REDIS0011\xfe\x00\x00\x01a\x011\x00\x01k\x01x\x00\x01k\x01y\xff', /Bad RDB file .*dump\.rdb: duplicated key 'k' in DB 0 at offset 21/);
  });

  test('a duplicated key is what refuses the file when a damaged record follows it, and a list named twice is found as a string is', async () => {
    // k twice, then a value claiming 32 bytes where 5 follow.
    await refused('REDIS0011\xfe\x00\x00\x01k\x01x\x00\x01k\x01y\x00\x03key\x20hello\xff', /Bad RDB file .*dump\.rdb: duplicated key 'k' in DB 0 at offset 16/);
    // A list (one element, RDB_TYPE_LIST) named l, then l again as a string.
    await refused('REDIS0011\xfe\x00\x01\x01l\x01\x01a\x00\x01l\x01y\xff', /Bad RDB file .*dump\.rdb: duplicated key 'l' in DB 0 at offset 17/);
  });

  test("a database's size hint (RESIZEDB) is taken no further than the rest of the file could hold: a hint of 2^40 keys loads", async () => {
    const dir = t.tmp();
    const hint = Buffer.alloc(9);
    hint[0] = 0x81;
    hint.writeBigUInt64BE(1n << 40n, 1);
    const body = Buffer.concat([
      Buffer.from('REDIS0011\xfe\x00\xfb', 'latin1'),
      hint,
      Buffer.from('\x00\x00\x01k\x01v\x00\x01j\x01w\xff', 'latin1'),
    ]);
    writeFileSync(path.join(dir, 'dump.rdb'), Buffer.concat([body, crc64(body)]));
    const { c } = await sluiceOn(dir);
    expect(await c.call('MGET', 'k', 'j')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'v' }, { t: 'bulk', v: 'w' }] });
    expect(await c.call('DBSIZE')).toEqual({ t: 'int', v: '2' });
  });

  test('module data and unknown opcodes refuse the file, named with their offset', async () => {
    const dir = t.tmp();
    // A module type id: the name "ReJSON-RL" in six-bit characters above a ten-bit encoding version (3).
    const charset = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
    let id = 0n;
    for (const ch of 'ReJSON-RL') id = (id << 6n) | BigInt(charset.indexOf(ch));
    const idBytes = Buffer.alloc(9);
    idBytes[0] = 0x81;
    idBytes.writeBigUInt64BE((id << 10n) | 3n, 1);
    const cases: [Buffer, RegExp][] = [
      [Buffer.concat([Buffer.from('REDIS0011\xfe\x00\x07\x01k', 'latin1'), idBytes]), /module data of type 'ReJSON-RL'.* at offset 14/],
      [Buffer.concat([Buffer.from('REDIS0011\xf7', 'latin1'), idBytes]), /module auxiliary data of type 'ReJSON-RL'.* at offset 9/],
      [Buffer.from('REDIS0011\xfe\x00\xc8', 'latin1'), /unknown RDB opcode or value type 200 at offset 11/],
      [Buffer.from('REDIS0013', 'latin1'), /can't handle RDB format version 0013 at offset 5/],
    ];
    for (const [body, error] of cases) {
      writeFileSync(path.join(dir, 'dump.rdb'), Buffer.concat([body, Buffer.from([0xff]), Buffer.alloc(8)]));
      await expect(startServer({ port: 0, bind: '127.0.0.1', config: { dir, appendonly: 'no' } })).rejects.toThrow(error);
    }
  });

  test('hash field TTLs survive SAVE and loading', async () => {
    const dir = t.tmp();
    const first = await sluiceOn(dir);
    const at = String(Date.now() + 3_600_000);
    await first.c.call('HSET', 'small', 'a', '1', 'b', '2');
    await first.c.call('HSET', 'big', ...range(600, (i) => [`f${i}`, 'v']));
    for (const key of ['small', 'big']) await first.c.call('HPEXPIREAT', key, at, 'FIELDS', '1', key === 'small' ? 'a' : 'f7');
    expect(await first.c.call('SAVE')).toEqual(OK);
    first.c.close();
    await first.s.close();
    const { c } = await sluiceOn(dir);
    expect(await c.call('HPEXPIRETIME', 'small', 'FIELDS', '2', 'a', 'b')).toEqual({ t: 'array', v: [{ t: 'int', v: at }, { t: 'int', v: '-1' }] });
    expect(await c.call('HPEXPIRETIME', 'big', 'FIELDS', '2', 'f7', 'f8')).toEqual({ t: 'array', v: [{ t: 'int', v: at }, { t: 'int', v: '-1' }] });
    expect(await c.call('OBJECT', 'ENCODING', 'small')).toEqual({ t: 'bulk', v: 'listpackex' });
  });

  test('with appendonly on and no AOF yet, a dump.rdb is loaded and becomes the AOF base', async () => {
    const dir = t.tmp();
    const first = await sluiceOn(dir);
    await first.c.call('SET', 'from-rdb', 'yes');
    await first.c.call('RPUSH', 'list', 'a', 'b');
    expect(await first.c.call('SAVE')).toEqual(OK);
    first.c.close();
    await first.s.close();
    const second = await t.sluice({ config: { dir, appendonly: 'yes' } });
    const c2 = await t.connect(second);
    expect(await c2.call('GET', 'from-rdb')).toEqual({ t: 'bulk', v: 'yes' });
    // The base is written by a rewrite; once it is, the AOF holds the data without the dump.
    for (let i = 0; i < 200 && !existsSync(path.join(dir, 'appendonlydir', 'appendonly.aof.manifest')); i++) await new Promise((r) => setTimeout(r, 20));
    for (let i = 0; i < 200; i++) {
      const info = (await c2.call('INFO', 'persistence')) as { v: string };
      if (/aof_rewrite_in_progress:0/.test(info.v) && existsSync(path.join(dir, 'appendonlydir', 'appendonly.aof.manifest'))) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    c2.close();
    await second.close();
    rmSync(path.join(dir, 'dump.rdb'));
    const third = await t.sluice({ config: { dir, appendonly: 'yes' } });
    const c3 = await t.connect(third);
    expect(await c3.call('LRANGE', 'list', '0', '-1')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'a' }, { t: 'bulk', v: 'b' }] });
    expect(await c3.call('GET', 'from-rdb')).toEqual({ t: 'bulk', v: 'yes' });
  });
});
