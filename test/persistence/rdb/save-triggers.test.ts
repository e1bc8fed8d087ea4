import { existsSync, mkdirSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { crc64 } from '../../../src/codecs/crc64.js';
import { ensureBuild, startChild } from '../../helpers/child-sluice.js';
import { perTest } from '../../helpers/fixture.js';
import { RespClient } from '../../helpers/resp-client.js';

/**
 * What else writes dump.rdb, as in Redis 7.2: SHUTDOWN (and SIGTERM) when
 * there are save points or SAVE is given, FLUSHALL when there are save
 * points; a failed final save stops the shutdown unless FORCE.
 */

const t = perTest();
// The child-process tests run the built CLI; building it may take a while.
beforeAll(() => ensureBuild(), 120_000);

async function info(c: RespClient, field: string): Promise<string> {
  const r = await c.call('INFO', 'persistence');
  return new RegExp(`^${field}:(.*)$`, 'm').exec(r.v as string)![1].trim();
}

async function child(dir: string, ...args: string[]) {
  const s = await startChild(['--dir', dir, '--appendonly', 'no', ...args]);
  t.defer(() => s.kill('SIGKILL'));
  const c = await RespClient.connect(s.port);
  t.defer(() => c.close());
  return { s, c };
}

const dump = (dir: string) => path.join(dir, 'dump.rdb');

/** Where a /proc fd link points, or '' for one that closed meanwhile. */
function readlinkQuietly(link: string): string {
  try {
    return readlinkSync(link);
  } catch {
    return '';
  }
}

describe('FLUSHALL', () => {
  test('with save points it saves the empty dataset at once, leaving no change unsaved', async () => {
    const dir = t.tmp();
    const { c } = await t.start(dir, { appendonly: 'no', save: '3600 1' });
    await c.call('SET', 'a', '1');
    expect(await c.call('FLUSHALL')).toEqual({ t: 'simple', v: 'OK' });
    expect(existsSync(dump(dir))).toBe(true);
    expect(await info(c, 'rdb_changes_since_last_save')).toBe('0');
    const again = await t.start(dir, { appendonly: 'no', save: '' });
    expect(await again.c.call('DBSIZE')).toEqual({ t: 'int', v: '0' });
  });

  test('without save points it writes nothing', async () => {
    const dir = t.tmp();
    const { c } = await t.start(dir, { appendonly: 'no', save: '' });
    await c.call('SET', 'a', '1');
    await c.call('FLUSHALL');
    expect(existsSync(dump(dir))).toBe(false);
  });

  test('stops a BGSAVE in progress, whose file never replaces the dump', async () => {
    const dir = t.tmp();
    const { c } = await t.start(dir, { appendonly: 'no', save: '' });
    await c.call('MSET', ...Array.from({ length: 20000 }, (_, i) => [`k${i}`, 'v']).flat());
    // The server runs in this process: the temporary file's descriptor must be closed with the save.
    const openFiles = () => readdirSync('/proc/self/fd').filter((fd) => readlinkQuietly(`/proc/self/fd/${fd}`).startsWith(dir)).length;
    const [started, , progress] = await Promise.all([c.call('BGSAVE'), c.call('FLUSHALL'), c.call('INFO', 'persistence')]);
    expect(started).toEqual({ t: 'simple', v: 'Background saving started' });
    expect(progress.v).toMatch(/rdb_bgsave_in_progress:0/);
    await new Promise((r) => setTimeout(r, 200));
    expect(existsSync(dump(dir))).toBe(false);
    expect(openFiles()).toBe(0);
  });
});

describe('SHUTDOWN', () => {
  test('with save points it saves the final snapshot before exiting', async () => {
    const dir = t.tmp();
    const { s, c } = await child(dir, '--save', '3600 1');
    await c.call('SET', 'kept', 'yes');
    c.writeRaw('SHUTDOWN\r\n');
    expect((await s.exited).code).toBe(0);
    expect(s.output()).toContain('Saving the final RDB snapshot before exiting.');
    const again = await child(dir, '--save', '');
    expect(await again.c.call('GET', 'kept')).toEqual({ t: 'bulk', v: 'yes' });
  });

  test('NOSAVE skips the save; SAVE saves without save points', async () => {
    const dir = t.tmp();
    const first = await child(dir, '--save', '3600 1');
    await first.c.call('SET', 'a', '1');
    first.c.writeRaw('SHUTDOWN NOSAVE\r\n');
    await first.s.exited;
    expect(existsSync(dump(dir))).toBe(false);
    const second = await child(dir, '--save', '');
    await second.c.call('SET', 'b', '2');
    second.c.writeRaw('SHUTDOWN SAVE\r\n');
    await second.s.exited;
    expect(existsSync(dump(dir))).toBe(true);
  });

  test('SIGTERM saves as SHUTDOWN without arguments does', async () => {
    const dir = t.tmp();
    const { s, c } = await child(dir, '--save', '3600 1');
    await c.call('SET', 'a', '1');
    s.child.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
    expect(readFileSync(dump(dir)).subarray(0, 5).toString()).toBe('REDIS');
  });

  test('a final save that fails stops the shutdown, unless FORCE', async () => {
    const dir = t.tmp();
    const { s, c } = await child(dir, '--save', '3600 1');
    const pid = (await c.call('INFO', 'server')).v!.toString().match(/process_id:(\d+)/)![1];
    // The temporary file's name is taken by a directory, so the save cannot write it.
    mkdirSync(path.join(dir, `temp-${pid}.rdb`));
    expect(await c.call('SHUTDOWN')).toEqual({ t: 'error', v: 'ERR Errors trying to SHUTDOWN. Check logs.' });
    expect(await c.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
    c.writeRaw('SHUTDOWN FORCE\r\n');
    expect((await s.exited).code).toBe(0);
    expect(s.output()).toContain('Error trying to save the DB. Exit anyway.');
  });
});

describe('SHUTDOWN during an AOF rewrite', () => {
  const resp = (...args: string[]) => `*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;
  const temps = (dir: string) =>
    [...readdirSync(dir), ...(existsSync(path.join(dir, 'appendonlydir')) ? readdirSync(path.join(dir, 'appendonlydir')) : [])].filter((f) => f.startsWith('temp-'));

  test("refuses to exit while the first base of an AOF just turned on is written, as Redis 7.2.6 does; FORCE exits and leaves no temporary file", async () => {
    const dir = t.tmp();
    const { s, c } = await child(dir, '--save', '');
    await c.call('MSET', ...Array.from({ length: 50000 }, (_, i) => [`k${i}`, 'v']).flat());
    // One packet: the rewrite has walked at most one slice when SHUTDOWN runs.
    c.writeRaw(resp('CONFIG', 'SET', 'appendonly', 'yes') + resp('SHUTDOWN'));
    expect(await c.read()).toEqual({ t: 'simple', v: 'OK' });
    expect(await c.read()).toEqual({ t: 'error', v: 'ERR Errors trying to SHUTDOWN. Check logs.' });
    expect(temps(dir).length).toBeGreaterThan(0);
    c.writeRaw(resp('SHUTDOWN', 'FORCE'));
    expect((await s.exited).code).toBe(0);
    expect(s.output()).toContain("Writing initial AOF, can't exit.");
    expect(s.output()).toContain('Writing initial AOF. Exit anyway.');
    expect(s.output()).toContain('There is a child rewriting the AOF. Killing it!');
    expect(temps(dir)).toEqual([]);
  });

  test('turning the AOF off stops a rewrite under way, logged as Redis 7.2 logs killing its child (unit/aofrw)', async () => {
    const dir = t.tmp();
    const { s, c } = await child(dir, '--appendonly', 'yes', '--save', '');
    await c.call('SET', 'k', 'v');
    expect(await c.call('CONFIG', 'SET', 'rdb-key-save-delay', '10000000')).toEqual({ t: 'simple', v: 'OK' });
    expect(await c.call('BGREWRITEAOF')).toEqual({ t: 'simple', v: 'Background append only file rewriting started' });
    expect(await c.call('CONFIG', 'SET', 'appendonly', 'no')).toEqual({ t: 'simple', v: 'OK' });
    expect(s.output()).toContain(`Killing running AOF rewrite child: ${s.child.pid}`);
    expect(await c.call('INFO', 'persistence')).toMatchObject({ v: expect.stringContaining('aof_rewrite_in_progress:0') as unknown as string });
  });

  test('a rewrite of an AOF in use is stopped and its temporary files removed; the AOF it would have replaced still loads', async () => {
    const dir = t.tmp();
    const first = await startChild(['--dir', dir, '--appendonly', 'yes', '--save', '']);
    t.defer(() => first.kill('SIGKILL'));
    const c = await RespClient.connect(first.port);
    t.defer(() => c.close());
    await c.call('MSET', ...Array.from({ length: 50000 }, (_, i) => [`k${i}`, String(i)]).flat());
    // One packet: SHUTDOWN runs before the rewrite can end (and, as in Redis, before BGREWRITEAOF's reply is written).
    c.writeRaw(resp('BGREWRITEAOF') + resp('SHUTDOWN'));
    expect((await first.exited).code).toBe(0);
    expect(first.output()).toContain('There is a child rewriting the AOF. Killing it!');
    expect(first.output()).toContain(`Killing running AOF rewrite child: ${first.child.pid}`);
    expect(temps(dir)).toEqual([]);
    const again = await child(dir, '--appendonly', 'yes', '--save', '');
    expect(await again.c.call('DBSIZE')).toEqual({ t: 'int', v: '50000' });
    expect(await again.c.call('GET', 'k49999')).toEqual({ t: 'bulk', v: '49999' });
  });
});

describe('DEBUG RELOAD', () => {
  const OK = { t: 'simple', v: 'OK' };

  test('saves, empties and loads back: every key with its TTL, and the function libraries', async () => {
    const { c } = await t.start(t.tmp(), { appendonly: 'no', save: '', 'enable-debug-command': 'yes' });
    await c.call('RPUSH', 'list', 'a', 'b');
    await c.call('HSET', 'hash', 'f', 'v');
    await c.call('SET', 'ttl', 'x', 'PX', '100000');
    await c.call('FUNCTION', 'LOAD', "#!lua name=lib\nredis.register_function('f', function() return 1 end)");
    expect(await c.call('DEBUG', 'RELOAD')).toEqual(OK);
    expect(await c.call('LRANGE', 'list', '0', '-1')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'a' }, { t: 'bulk', v: 'b' }] });
    expect(await c.call('HGET', 'hash', 'f')).toEqual({ t: 'bulk', v: 'v' });
    expect(Number((await c.call('PTTL', 'ttl')).v)).toBeGreaterThan(90000);
    expect(await c.call('FCALL', 'f', '0')).toEqual({ t: 'int', v: '1' });
    expect(await info(c, 'rdb_changes_since_last_save')).toBe('0');
  });

  test('NOSAVE replaces the dataset with the file; NOSAVE NOFLUSH MERGE adds the file to it, the file winning', async () => {
    const { c } = await t.start(t.tmp(), { appendonly: 'no', save: '', 'enable-debug-command': 'yes' });
    await c.call('MSET', 'a', 'saved', 'b', 'saved');
    await c.call('SAVE');
    await c.call('MSET', 'a', 'changed', 'c', 'new');
    expect(await c.call('DEBUG', 'RELOAD', 'NOSAVE')).toEqual(OK);
    expect(await c.call('MGET', 'a', 'b', 'c')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'saved' }, { t: 'bulk', v: 'saved' }, { t: 'bulk', v: null }] });
    await c.call('MSET', 'a', 'changed', 'c', 'new');
    expect(await c.call('DEBUG', 'RELOAD', 'nosave', 'noflush', 'merge')).toEqual(OK);
    expect(await c.call('MGET', 'a', 'b', 'c')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'saved' }, { t: 'bulk', v: 'saved' }, { t: 'bulk', v: 'new' }] });
  });

  test('NOFLUSH without MERGE refuses a file whose keys are already there, changing nothing', async () => {
    const { c } = await t.start(t.tmp(), { appendonly: 'no', save: '', 'enable-debug-command': 'yes' });
    await c.call('SET', 'a', 'saved');
    await c.call('SAVE');
    await c.call('SET', 'a', 'changed');
    expect(await c.call('DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH')).toEqual({
      t: 'error', v: 'ERR Error trying to load the RDB dump, check server logs.',
    });
    expect(await c.call('GET', 'a')).toEqual({ t: 'bulk', v: 'changed' });
  });

  test('a file found bad only at its end (the checksum) takes back every key it had put in, with or without MERGE', async () => {
    const dir = t.tmp();
    const { c } = await t.start(dir, { appendonly: 'no', save: '', 'enable-debug-command': 'yes' });
    await c.call('SET', 'a', 'kept');
    // Keys x and y in database 0 (which holds a) and z in database 1 (empty), then a checksum that does not match.
    const body = Buffer.from('REDIS0011\xfe\x00\x00\x01x\x011\x00\x01y\x011\xfe\x01\x00\x01z\x011\xff', 'latin1');
    writeFileSync(path.join(dir, 'dump.rdb'), Buffer.concat([body, Buffer.from('badcrc!!', 'latin1')]));
    for (const merge of [[], ['MERGE']]) {
      expect(await c.call('DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH', ...merge)).toEqual({
        t: 'error', v: 'ERR Error trying to load the RDB dump, check server logs.',
      });
      expect(await c.call('KEYS', '*')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'a' }] });
      expect(await c.call('SELECT', '1')).toEqual(OK);
      expect(await c.call('DBSIZE')).toEqual({ t: 'int', v: '0' });
      expect(await c.call('SELECT', '0')).toEqual(OK);
    }
    // The same keys with the right checksum load.
    writeFileSync(path.join(dir, 'dump.rdb'), Buffer.concat([body, crc64(body)]));
    expect(await c.call('DEBUG', 'RELOAD', 'NOSAVE', 'NOFLUSH')).toEqual(OK);
    expect(await c.call('MGET', 'a', 'x', 'y')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'kept' }, { t: 'bulk', v: '1' }, { t: 'bulk', v: '1' }] });
  });

  test('an unknown option is refused as Redis refuses it', async () => {
    const { c } = await t.start(t.tmp(), { appendonly: 'no', save: '', 'enable-debug-command': 'yes' });
    expect(await c.call('DEBUG', 'RELOAD', 'NOW')).toEqual({
      t: 'error', v: 'ERR DEBUG RELOAD only supports the MERGE, NOFLUSH and NOSAVE options.',
    });
  });
});
