import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { perTest } from '../../helpers/fixture.js';
import type { RespClient, Resp } from '../../helpers/resp-client.js';
import { ensureBuild, startChild } from '../../helpers/child-sluice.js';
import { contents, keysOf } from './key-contents.js';
import { nodeIo } from '../../../src/persistence/io.js';
import type { TestSluice } from '../../helpers/servers.js';

/**
 * BGSAVE without fork: the file holds the keyspace as it was when the
 * command ran, whatever clients write while the walk goes on, and the
 * server keeps serving meanwhile.
 */

const t = perTest();
// The child-process tests run the built CLI; building it may take a while.
beforeAll(() => ensureBuild(), 120_000);
const range = (n: number, f: (i: number) => string[]): string[] => Array.from({ length: n }, (_, i) => f(i)).flat();
/** Enough plain keys that the walk takes many slices, so that writes land before, during and after it. */
const FILLER = 30000;

/** Every type in its compact and big encodings, TTLs, and a second database. */
function population(deadline: number): string[][] {
  const filler: string[][] = [];
  for (let i = 0; i < FILLER; i += 1000) filler.push(['MSET', ...range(1000, (j) => [`k:${i + j}`, `v${i + j}`])]);
  return [
    ...filler,
    ['SET', 'str', 'hello'], ['SET', 'counter', '10'], ['SET', 'ttl', 'soon'], ['PEXPIREAT', 'ttl', String(deadline)],
    ['RPUSH', 'list', 'a', 'b'], ['RPUSH', 'biglist', ...range(3000, (i) => [`element ${i}`])],
    ['SADD', 'intset', '3', '1', '2'], ['SADD', 'bigset', ...range(300, (i) => [`member${i}`])],
    ['ZADD', 'zsmall', '1', 'a', '2.5', 'b'], ['ZADD', 'zbig', ...range(300, (i) => [String(i / 7), `m${i}`]), 'inf', 'top'],
    ['HSET', 'hsmall', 'f', 'v'], ['HSET', 'hbig', ...range(600, (i) => [`field${i}`, `value${i}`])],
    ['PEXPIREAT', 'hbig', String(deadline)],
    ...Array.from({ length: 300 }, (_, i) => ['XADD', 'stream', `${i + 1}-1`, 'field', String(i)]),
    ['XGROUP', 'CREATE', 'stream', 'group', '0'],
    ['XREADGROUP', 'GROUP', 'group', 'reader', 'COUNT', '3', 'STREAMS', 'stream', '>'],
    ['SELECT', '7'], ['SET', 'in-db-7', 'seven'], ['RPUSH', 'list7', 'x'], ['SELECT', '0'],
  ];
}

/** Writes of every kind, to keys of every kind: changed in place, replaced, deleted, moved, expired, created. */
function churn(round: number): string[][] {
  const r = String(round);
  return [
    ['SET', `k:${(round * 7919) % FILLER}`, `changed ${r}`], ['DEL', `k:${(round * 104729) % FILLER}`],
    ['APPEND', 'str', r], ['INCR', 'counter'], ['SET', `new:${r}`, r],
    ['LPUSH', 'biglist', r], ['RPOP', 'biglist'], ['LSET', 'biglist', '1500', r], ['LPUSH', 'list', r],
    ['SADD', 'bigset', `new${r}`], ['SREM', 'bigset', `member${round}`], ['SADD', 'intset', r],
    ['ZADD', 'zbig', r, `m${round}`], ['ZREM', 'zbig', `m${round + 100}`], ['ZINCRBY', 'zsmall', '1', 'a'],
    ['HSET', 'hbig', `field${round}`, `new ${r}`], ['HDEL', 'hbig', `field${round + 300}`], ['HSET', 'hsmall', r, r],
    ['XADD', 'stream', '*', 'new', r], ['XACK', 'stream', 'group', '1-1'],
    ['XREADGROUP', 'GROUP', 'group', 'other', 'COUNT', '1', 'STREAMS', 'stream', '>'],
    ['EXPIRE', `k:${(round * 31) % FILLER}`, '1000'], ['PERSIST', 'ttl'],
    ['RENAME', `k:${(round * 17) % FILLER}`, `renamed:${r}`], ['MOVE', `k:${(round * 13) % FILLER}`, '3'],
  ];
}

/** Every write of a churn round went through (a RENAME or MOVE may find its key already gone). */
function expectApplied(replies: Resp[]): void {
  for (const r of replies) if (r.t === 'error') expect(r.v).toBe('ERR no such key');
}

/** What a client can read of the whole keyspace: each database's keys and their contents. */
async function everything(c: RespClient): Promise<unknown> {
  const dbs: Record<number, unknown> = {};
  for (const db of [0, 3, 7, 8]) {
    await c.call('SELECT', String(db));
    const keys = (await keysOf(c)).sort();
    const plain = keys.filter((k) => k.startsWith('k:') || k.startsWith('new:') || k.startsWith('renamed:'));
    const rest = keys.filter((k) => !plain.includes(k));
    const entries: unknown[] = [plain, plain.length === 0 ? [] : await c.call('MGET', ...plain)];
    for (const key of rest) entries.push([key, ...(await contents(c, key))].map((x) => (isPttl(x) ? 'ttl' : x)));
    dbs[db] = entries;
  }
  await c.call('SELECT', '0');
  return dbs;
}

/** A PTTL reply: positive ones move with the clock, so only their presence is compared. */
function isPttl(x: unknown): boolean {
  const r = x as Resp;
  return r?.t === 'int' && Number(r.v) > 0;
}

async function info(c: RespClient, field: string): Promise<string> {
  const r = await c.call('INFO', 'persistence');
  const m = new RegExp(`^${field}:(.*)$`, 'm').exec(r.v as string);
  return m === null ? '' : m[1].trim();
}

async function untilSaved(c: RespClient): Promise<void> {
  for (let i = 0; i < 2000 && (await info(c, 'rdb_bgsave_in_progress')) !== '0'; i++) await new Promise((r) => setTimeout(r, 5));
}

/**
 * BGSAVE and the first churn round in one batch, before the walk's first
 * slice, then more rounds until the save ends; resolves to the rounds run.
 */
async function bgsaveUnderChurn(c: RespClient): Promise<number> {
  const first = [c.call('BGSAVE'), ...churn(0).map((cmd) => c.call(...cmd))];
  expect(await first[0]).toEqual({ t: 'simple', v: 'Background saving started' });
  expectApplied(await Promise.all(first.slice(1)));
  let rounds = 1;
  while ((await info(c, 'rdb_bgsave_in_progress')) === '1' && rounds < 2000) {
    expectApplied(await Promise.all(churn(rounds++).map((cmd) => c.call(...cmd))));
  }
  await untilSaved(c);
  return rounds;
}

describe('BGSAVE', () => {
  test('the file holds the data as it was when BGSAVE ran, though every kind of write went on during the walk', async () => {
    const dir = t.tmp();
    const { c } = await t.start(dir, { appendonly: 'no', save: '' });
    for (const cmd of population(Date.now() + 3_600_000)) expect((await c.call(...cmd)).t, cmd[0]).not.toBe('error');
    const expected = await everything(c);

    expect(await bgsaveUnderChurn(c)).toBeGreaterThan(2);
    expect(await info(c, 'rdb_last_bgsave_status')).toBe('ok');
    expect(Number(await info(c, 'rdb_last_cow_size'))).toBeGreaterThan(0);
    const afterwards = await everything(c);
    expect(afterwards).not.toEqual(expected);

    const reloaded = await t.start(dir, { appendonly: 'no', save: '' });
    expect(await everything(reloaded.c)).toEqual(expected);
  });

  test('on a disk slower than the walk, the walk waits for it and the file still holds the data as it was when BGSAVE ran', async () => {
    const dir = t.tmp();
    const { s, c } = await t.start(dir, { appendonly: 'no', save: '' });
    for (const cmd of population(Date.now() + 3_600_000)) expect((await c.call(...cmd)).t, cmd[0]).not.toBe('error');
    // Eight megabytes that do not compress, more than the walk may queue for the disk, so that it has to wait.
    for (let i = 0; i < 256; i += 32) await c.call('MSET', ...range(32, (j) => [`big:${i + j}`, randomBytes(24 * 1024).toString('base64')]));
    const expected = await everything(c);
    let writes = 0;
    // Each write takes at most 256 KiB and returns 10 ms late.
    s.server.persistence.io = {
      ...nodeIo,
      writeAsync: (fd, buf, off, len, done) => {
        writes++;
        setTimeout(() => nodeIo.writeAsync(fd, buf, off, Math.min(len, 256 * 1024), done), 10);
      },
    };
    await bgsaveUnderChurn(c);
    expect(await info(c, 'rdb_last_bgsave_status')).toBe('ok');
    expect(writes).toBeGreaterThan(32);
    const reloaded = await t.start(dir, { appendonly: 'no', save: '' });
    expect(await everything(reloaded.c)).toEqual(expected);
  });

  test.each(['noeviction', 'allkeys-lru', 'allkeys-lfu'])('FLUSHDB and SWAPDB during the walk leave the file as the data was when BGSAVE ran (%s: the access hints too are read from the contents saved)', async (policy) => {
    const dir = t.tmp();
    const { c } = await t.start(dir, { appendonly: 'no', save: '', 'maxmemory-policy': policy });
    for (const cmd of population(Date.now() + 3_600_000)) await c.call(...cmd);
    const expected = await everything(c);
    const replies = await Promise.all([
      c.call('BGSAVE'), c.call('SWAPDB', '0', '8'), c.call('SELECT', '8'), c.call('SET', 'str', 'after swap'),
      c.call('SELECT', '7'), c.call('FLUSHDB'), c.call('SET', 'in-db-7', 'after flush'), c.call('SELECT', '0'),
    ]);
    expect(replies[0]).toEqual({ t: 'simple', v: 'Background saving started' });
    await untilSaved(c);
    expect(await info(c, 'rdb_last_bgsave_status')).toBe('ok');
    const reloaded = await t.start(dir, { appendonly: 'no', save: '', 'maxmemory-policy': policy });
    expect(await everything(reloaded.c)).toEqual(expected);
  });

  test('replies as Redis does: already in progress, SAVE refused meanwhile, SCHEDULE, syntax', async () => {
    const { c } = await t.start(t.tmp(), { appendonly: 'no', save: '' });
    await c.call('MSET', ...range(20000, (i) => [`k${i}`, 'v']));
    const [started, again, save, scheduled] = await Promise.all([
      c.call('BGSAVE'), c.call('BGSAVE'), c.call('SAVE'), c.call('BGSAVE', 'SCHEDULE'),
    ]);
    expect(started).toEqual({ t: 'simple', v: 'Background saving started' });
    expect(again).toEqual({ t: 'error', v: 'ERR Background save already in progress' });
    expect(save).toEqual({ t: 'error', v: 'ERR Background save already in progress' });
    expect(scheduled).toEqual({ t: 'error', v: 'ERR Background save already in progress' });
    expect(await c.call('BGSAVE', 'NOW')).toEqual({ t: 'error', v: 'ERR syntax error' });
    expect(await c.call('BGSAVE', 'SCHEDULE', 'SCHEDULE')).toEqual({ t: 'error', v: 'ERR syntax error' });
    await untilSaved(c);
    const multi = await Promise.all([c.call('MULTI'), c.call('BGSAVE'), c.call('EXEC')]);
    expect(multi[2]).toEqual({ t: 'array', v: [{ t: 'simple', v: 'Background saving scheduled' }] });
  });

  test('a BGSAVE asked for during an AOF rewrite waits for it when SCHEDULEd, and is refused otherwise', async () => {
    const { c } = await t.start(t.tmp(), { appendonly: 'yes', save: '' });
    await c.call('MSET', ...range(50000, (i) => [`k${i}`, 'v']));
    const [rewrite, plain, scheduled] = await Promise.all([c.call('BGREWRITEAOF'), c.call('BGSAVE'), c.call('BGSAVE', 'SCHEDULE')]);
    expect(rewrite).toEqual({ t: 'simple', v: 'Background append only file rewriting started' });
    expect(plain).toEqual({
      t: 'error',
      v: "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
    });
    expect(scheduled).toEqual({ t: 'simple', v: 'Background saving scheduled' });
    const saves = Number(await info(c, 'rdb_saves'));
    for (let i = 0; i < 400 && Number(await info(c, 'rdb_saves')) === saves; i++) await new Promise((r) => setTimeout(r, 10));
    await untilSaved(c);
    expect(Number(await info(c, 'rdb_saves'))).toBe(saves + 1);
    expect(await info(c, 'rdb_last_bgsave_status')).toBe('ok');
  });

  test('a save point starts a BGSAVE once enough changes and seconds have passed, as Redis logs it', async () => {
    const dir = t.tmp();
    const { s, c } = await t.start(dir, { appendonly: 'no', save: '1 3', loglevel: 'notice' });
    await c.call('MSET', 'a', '1', 'b', '2', 'c', '3');
    for (let i = 0; i < 400 && !existsSync(path.join(dir, 'dump.rdb')); i++) await new Promise((r) => setTimeout(r, 10));
    await untilSaved(c);
    expect(existsSync(path.join(dir, 'dump.rdb'))).toBe(true);
    expect(await info(c, 'rdb_changes_since_last_save')).toBe('0');
    const logs = (s as TestSluice).logs;
    for (let i = 0; i < 100 && !logs.lines.some((l) => l.msg === 'Background saving terminated with success'); i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const notices = logs.lines.map((l) => l.msg);
    expect(notices).toContain('3 changes in 1 seconds. Saving...');
    expect(notices).toContain('Background saving terminated with success');
  });

  test('a failed BGSAVE reports err, and under stop-writes-on-bgsave-error with save points writes get MISCONF', async () => {
    const dir = t.tmp();
    const { c } = await t.start(dir, { appendonly: 'no', save: '3600 1' });
    await c.call('SET', 'a', '1');
    // The temporary file's name is taken by a directory, so the save cannot open it (root ignores permissions).
    mkdirSync(path.join(dir, `temp-${process.pid}.rdb`));
    // As with Redis's forked child, the save has started, and fails.
    expect(await c.call('BGSAVE')).toEqual({ t: 'simple', v: 'Background saving started' });
    expect(await info(c, 'rdb_last_bgsave_status')).toBe('err');
    const refused = await c.call('SET', 'b', '2');
    expect(refused.t).toBe('error');
    expect(refused.v).toMatch(/^MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk\./);
    expect(await c.call('GET', 'a')).toEqual({ t: 'bulk', v: '1' });
    await c.call('CONFIG', 'SET', 'stop-writes-on-bgsave-error', 'no');
    expect(await c.call('SET', 'b', '2')).toEqual({ t: 'simple', v: 'OK' });
  });

  test('kill -9 during BGSAVE leaves the previous dump.rdb as it was', async () => {
    const dir = t.tmp();
    const child = await startChild(['--dir', dir, '--appendonly', 'no', '--save', '']);
    t.defer(() => child.kill('SIGKILL'));
    const { RespClient } = await import('../../helpers/resp-client.js');
    const c = await RespClient.connect(child.port);
    t.defer(() => c.close());
    await c.call('SET', 'before', 'the first save');
    expect(await c.call('SAVE')).toEqual({ t: 'simple', v: 'OK' });
    const first = readFileSync(path.join(dir, 'dump.rdb'));
    for (let i = 0; i < 200000; i += 10000) await c.call('MSET', ...range(10000, (j) => [`k${i + j}`, 'x'.repeat(50)]));
    const [started, inProgress] = await Promise.all([c.call('BGSAVE'), c.call('INFO', 'persistence')]);
    expect(started).toEqual({ t: 'simple', v: 'Background saving started' });
    expect(inProgress.v).toMatch(/rdb_bgsave_in_progress:1/);
    await child.kill('SIGKILL');
    expect(readFileSync(path.join(dir, 'dump.rdb'))).toEqual(first);
  });
});
