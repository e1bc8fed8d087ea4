import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, test } from 'vitest';
import { aofDir, dumpAll, resp, rewriteDone, waitFor } from '../helpers/aof.js';
import { perTest } from '../helpers/fixture.js';
import { spawnRedis } from '../helpers/redis-on-dir.js';
import type { RespClient } from '../helpers/resp-client.js';
import { redisServerPath } from '../helpers/servers.js';

/**
 * Redis 7's multi-part AOF as the Redis test suite's aof-multi-part unit
 * checks it: the upgrade of an old single-file AOF, a manifest naming a
 * file that is not there, the files a rewrite leaves with the AOF off, the
 * history aof-disable-auto-gc keeps, and where DEBUG LOADAOF takes the
 * manifest from. Each case runs on Sluice and on redis-server from the same
 * files, and what they hold and leave on disk must be the same.
 */

const t = perTest();
const SLUICE = { appendonly: 'yes', 'aof-use-rdb-preamble': 'no', save: '', 'enable-debug-command': 'yes' };
const REDIS = ['--save', '', '--appendonly', 'yes', '--aof-use-rdb-preamble', 'no', '--enable-debug-command', 'yes'];

/** What a directory holds: the files in it and in its AOF directory, and the manifest's text. */
function layout(dir: string): { files: string[]; aof: string[]; manifest: string | null } {
  const manifest = path.join(aofDir(dir), 'appendonly.aof.manifest');
  return {
    files: readdirSync(dir).filter((f) => f !== 'appendonlydir').sort(),
    aof: existsSync(aofDir(dir)) ? readdirSync(aofDir(dir)).sort() : [],
    manifest: existsSync(manifest) ? readFileSync(manifest, 'latin1') : null,
  };
}

function manifestOf(dir: string): string {
  return readFileSync(path.join(aofDir(dir), 'appendonly.aof.manifest'), 'latin1');
}

/** Waits until the AOF directory holds only the files its manifest names (history deleted in the background). */
async function historyGone(dir: string): Promise<void> {
  await waitFor(() => {
    const named = [...manifestOf(dir).matchAll(/^file (\S+) /gm)].map((m) => m[1]);
    return readdirSync(aofDir(dir)).filter((f) => f !== 'appendonly.aof.manifest').every((f) => named.includes(f));
  }, 10000, 'the history files to be deleted');
}

/**
 * Prepares a directory for each server with `setup`, starts Sluice (config
 * `sluice`) and redis-server (`redis`) on them, and runs `body` on each:
 * the two results.
 */
async function onBoth<T>(
  setup: (dir: string) => void,
  body: (c: RespClient, dir: string) => Promise<T>,
  sluice: Record<string, string> = SLUICE,
  redis: string[] = REDIS,
): Promise<[T, T]> {
  const a = t.tmp();
  setup(a);
  const s = await t.start(a, sluice);
  const got = await body(s.c, a);
  const b = t.tmp();
  setup(b);
  const started = await spawnRedis([...redis, '--dir', b], t.defer);
  if (!('redis' in started)) throw new Error(started.exited);
  const want = await body(await t.connect(started.redis), b);
  return [got, want];
}

/** An old single-file AOF, dir/appendonly.aof. */
function oldAof(dir: string, ...commands: string[][]): void {
  writeFileSync(path.join(dir, 'appendonly.aof'), resp(...commands));
}

describe.skipIf(redisServerPath === null)('multi-part AOF files (differential vs redis-server)', () => {
  test('an old single-file AOF is moved into the AOF directory and becomes its first base', async () => {
    const [got, want] = await onBoth(
      (dir) => oldAof(dir, ['SET', 'k1', 'v1'], ['SET', 'k2', 'v2']),
      async (c, dir) => ({ data: await dumpAll(c), layout: layout(dir) }),
    );
    expect(got).toEqual(want);
    expect(got.layout.manifest).toBe('file appendonly.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
  });

  test('an upgrade cut short before the file was moved (the manifest already names it) is finished', async () => {
    const [got, want] = await onBoth(
      (dir) => {
        oldAof(dir, ['SET', 'k1', 'v1'], ['SET', 'k2', 'v2'], ['SET', 'k3', 'v3']);
        mkdirSync(aofDir(dir));
        writeFileSync(path.join(aofDir(dir), 'appendonly.aof.manifest'), 'file appendonly.aof seq 1 type b\n');
      },
      async (c, dir) => ({ data: await dumpAll(c), layout: layout(dir) }),
    );
    expect(got).toEqual(want);
    expect(got.data['0:k3']).toBe('string -1 v3');
    expect(got.layout.files).toEqual([]);
  });

  test('with the old file in both places, the one the manifest names in the AOF directory is loaded and the other left alone', async () => {
    const [got, want] = await onBoth(
      (dir) => {
        oldAof(dir, ['SET', 'old', 'server dir']);
        mkdirSync(aofDir(dir));
        writeFileSync(path.join(aofDir(dir), 'appendonly.aof.manifest'), 'file appendonly.aof seq 1 type b\n');
        writeFileSync(path.join(aofDir(dir), 'appendonly.aof'), resp(['SET', 'new', 'aof dir']));
      },
      async (c, dir) => ({ data: await dumpAll(c), layout: layout(dir) }),
    );
    expect(got).toEqual(want);
    expect(Object.keys(got.data)).toEqual(['0:new']);
  });

  test('an old single-file AOF that starts with an RDB preamble loads the commands after it too', async () => {
    // The preamble: an RDB file redis-server writes (in a version both servers read).
    const source = t.tmp();
    const started = await spawnRedis(['--save', '', '--dir', source], t.defer);
    if (!('redis' in started)) throw new Error(started.exited);
    const r = await t.connect(started.redis);
    await r.call('SET', 'k1', 'v1');
    await r.call('RPUSH', 'list', 'a', 'b');
    await r.call('SAVE');
    const preamble = readFileSync(path.join(source, 'dump.rdb'));
    const [got, want] = await onBoth(
      (dir) => writeFileSync(path.join(dir, 'appendonly.aof'), Buffer.concat([preamble, Buffer.from(resp(['SET', 'k2', 'v2'], ['RPUSH', 'list', 'c']), 'latin1')])),
      async (c, dir) => ({ data: await dumpAll(c), layout: layout(dir) }),
    );
    expect(got).toEqual(want);
    expect(got.data).toMatchObject({ '0:k1': 'string -1 v1', '0:k2': 'string -1 v2', '0:list': 'list -1 ["a","b","c"]' });
  });

  test('a file the manifest names but the directory lacks refuses the start, in the words of Redis', async () => {
    const setup = (dir: string) => {
      mkdirSync(aofDir(dir));
      writeFileSync(path.join(aofDir(dir), 'appendonly.aof.1.base.aof'), resp(['SET', 'k1', 'v1']));
      writeFileSync(
        path.join(aofDir(dir), 'appendonly.aof.manifest'),
        'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n',
      );
    };
    const line = 'Unable to obtain the AOF file appendonly.aof.1.incr.aof length. stat: No such file or directory';
    const a = t.tmp();
    setup(a);
    await expect(t.start(a, SLUICE)).rejects.toThrow(line);
    const b = t.tmp();
    setup(b);
    const started = await spawnRedis([...REDIS, '--dir', b], t.defer);
    expect(started).toHaveProperty('exited');
    expect((started as { exited: string }).exited).toContain(line);
  });

  test('BGREWRITEAOF with the AOF off leaves only the new base, which holds the data; turned on again, the numbering goes on from the disk', async () => {
    const [got, want] = await onBoth(
      () => {},
      async (c, dir) => {
        await c.call('SET', 'k1', 'v1');
        await c.call('CONFIG', 'SET', 'appendonly', 'no');
        await c.call('SET', 'k2', 'v2');
        await c.call('BGREWRITEAOF');
        await rewriteDone(c);
        await historyGone(dir);
        const off = layout(dir);
        const digest = await c.call('DEBUG', 'DIGEST');
        await c.call('DEBUG', 'LOADAOF');
        const loaded = await c.call('DEBUG', 'DIGEST');
        await c.call('CONFIG', 'SET', 'appendonly', 'yes');
        await rewriteDone(c);
        await historyGone(dir);
        return { off, same: digest.v === loaded.v, on: layout(dir) };
      },
    );
    expect(got).toEqual(want);
    expect(got.off.manifest).toBe('file appendonly.aof.2.base.aof seq 2 type b\n');
    expect(got.same).toBe(true);
    expect(got.on.manifest).toBe('file appendonly.aof.3.base.aof seq 3 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
  });

  test('aof-disable-auto-gc yes keeps the replaced files, listed as history; no deletes them at once', async () => {
    const [got, want] = await onBoth(
      () => {},
      async (c, dir) => {
        await c.call('SET', 'k', 'v');
        await c.call('CONFIG', 'SET', 'aof-disable-auto-gc', 'yes');
        for (let i = 0; i < 2; i++) {
          await c.call('BGREWRITEAOF');
          await rewriteDone(c);
        }
        const kept = layout(dir);
        await c.call('CONFIG', 'SET', 'aof-disable-auto-gc', 'no');
        const dropped = manifestOf(dir);
        await historyGone(dir);
        return { kept, dropped, after: layout(dir) };
      },
    );
    expect(got).toEqual(want);
    expect(got.kept.manifest).toBe(
      'file appendonly.aof.3.base.aof seq 3 type b\nfile appendonly.aof.2.incr.aof seq 2 type h\nfile appendonly.aof.2.base.aof seq 2 type h\n' +
        'file appendonly.aof.1.incr.aof seq 1 type h\nfile appendonly.aof.1.base.aof seq 1 type h\nfile appendonly.aof.3.incr.aof seq 3 type i\n',
    );
    expect(got.after.aof).toEqual(['appendonly.aof.3.base.aof', 'appendonly.aof.3.incr.aof', 'appendonly.aof.manifest']);
  });
});

describe('multi-part AOF files (Sluice)', () => {
  test('when a rewrite says it is over, the manifest on disk no longer lists the files it replaced (Redis drops them before)', async () => {
    const dir = t.tmp();
    const atEnd: string[] = [];
    const logTo = new Writable({
      write(chunk, _encoding, done) {
        if (String(chunk).includes('Background AOF rewrite finished successfully')) atEnd.push(manifestOf(dir));
        done();
      },
    });
    const s = await t.sluice({ config: { dir, ...SLUICE }, logTo, logLevel: 'notice' });
    const c = await t.connect(s);
    await c.call('SET', 'k', 'v');
    await c.call('BGREWRITEAOF');
    await rewriteDone(c);
    expect(atEnd).toEqual(['file appendonly.aof.2.base.aof seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n']);
  });

  test('a new AOF with aof-use-rdb-preamble yes starts from an RDB base of the empty data, which loads back', async () => {
    const dir = t.tmp();
    const first = await t.start(dir, { ...SLUICE, 'aof-use-rdb-preamble': 'yes' });
    expect(layout(dir).manifest).toBe('file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
    expect(readFileSync(path.join(aofDir(dir), 'appendonly.aof.1.base.rdb')).subarray(0, 5).toString('latin1')).toBe('REDIS');
    await first.c.call('SET', 'foo', 'behavior');
    const digest = await first.c.call('DEBUG', 'DIGEST');
    expect(await first.c.call('DEBUG', 'LOADAOF')).toEqual({ t: 'simple', v: 'OK' });
    expect(await first.c.call('DEBUG', 'DIGEST')).toEqual(digest);
  });
});
