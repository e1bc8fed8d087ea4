import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { nodeIo, type AofIo } from '../../src/persistence/io.js';
import { aofDir, infoField, readAof, rewriteDone, waitFor } from '../helpers/aof.js';
import { perTest } from '../helpers/fixture.js';
import type { RespClient } from '../helpers/resp-client.js';

const { tmp, start, stop } = perTest();

const OK = { t: 'simple', v: 'OK' };
const FIRST = 'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n';
const SECOND = 'file appendonly.aof.2.base.rdb seq 2 type b\nfile appendonly.aof.2.incr.aof seq 2 type i\n';

interface HeldFsync {
  /** The file being synced (the server runs in this process, so its descriptors are this process's). */
  file: string;
  go(err?: NodeJS.ErrnoException): void;
}

/** Background fsyncs held until the test lets each one go, with the error it chooses. */
function heldFsyncs(): AofIo & { pending: HeldFsync[] } {
  const pending: HeldFsync[] = [];
  return {
    ...nodeIo,
    pending,
    fsyncAsync(fd, done) {
      pending.push({
        file: path.basename(readlinkSync(`/proc/self/fd/${fd}`)),
        go: (err) => (err === undefined ? nodeIo.fsyncAsync(fd, done) : setImmediate(() => done(err))),
      });
    },
  };
}

const tempManifest = (dir: string) => path.join(aofDir(dir), 'temp-appendonly.aof.manifest');

/**
 * A server on `dir` holding `seed`, whose rewrite has gone as far as the
 * switch: its fsyncs let through until the new manifest is written to its
 * temporary file and only the new incremental file's fsync is held.
 */
async function atTheSwitch(dir: string, seed: (c: RespClient) => Promise<void>) {
  const x = await start(dir, { 'auto-aof-rewrite-percentage': '0' });
  await seed(x.c);
  const io = heldFsyncs();
  x.s.server.persistence.io = io;
  expect(await x.c.call('BGREWRITEAOF')).toEqual({ t: 'simple', v: 'Background append only file rewriting started' });
  await waitFor(() => {
    if (existsSync(tempManifest(dir))) return true;
    io.pending.splice(0).forEach((f) => f.go());
    return false;
  }, 10000, 'the switch to start');
  await waitFor(() => io.pending.length > 0, 5000, "the switch's fsync");
  /**
   * Lets the held fsyncs go, the switch's (the new incremental file's)
   * failing with `err`, and stops holding later ones. The AOF's own
   * once-a-second fsync may be held too when the test runs slowly: it
   * succeeds.
   */
  const release = (err?: NodeJS.ErrnoException) => {
    x.s.server.persistence.io = nodeIo;
    io.pending.splice(0).forEach((f) => f.go(f.file === 'appendonly.aof.2.incr.aof' ? err : undefined));
  };
  return { x, c: x.c, release };
}

describe('the switch at the end of a rewrite (appendfsync everysec)', () => {
  test('waits for its fsyncs in the thread pool: clients are served meanwhile, the old manifest stands until they land, and writes made meanwhile survive a restart', async () => {
    const dir = tmp();
    const { x, c, release } = await atTheSwitch(dir, async (c) => {
      for (let i = 0; i < 50; i++) await c.call('SET', `k${i}`, String(i));
    });
    expect(await c.call('SET', 'during', 'switch')).toEqual(OK);
    expect(await c.call('RPUSH', 'list', 'a', 'b')).toEqual({ t: 'int', v: '2' });
    expect(await infoField(c, 'aof_rewrite_in_progress')).toBe('1');
    expect(readAof(dir, 'appendonly.aof.manifest')).toBe(FIRST);
    release();
    await rewriteDone(c);
    expect(await infoField(c, 'aof_last_bgrewrite_status')).toBe('ok');
    expect(readAof(dir, 'appendonly.aof.manifest')).toBe(SECOND);
    expect(existsSync(tempManifest(dir))).toBe(false);
    expect(await c.call('SET', 'after', 'switch')).toEqual(OK);
    await stop(x);
    const again = await start(dir);
    expect(await again.c.call('MGET', 'k0', 'k49', 'during', 'after')).toEqual({
      t: 'array',
      v: [{ t: 'bulk', v: '0' }, { t: 'bulk', v: '49' }, { t: 'bulk', v: 'switch' }, { t: 'bulk', v: 'switch' }],
    });
    expect(await again.c.call('LRANGE', 'list', '0', '-1')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'a' }, { t: 'bulk', v: 'b' }] });
  });

  test('a failed fsync at the switch fails the rewrite: the old manifest stays, the new files go, and nothing written is lost', async () => {
    const dir = tmp();
    const { x, c, release } = await atTheSwitch(dir, async (c) => void (await c.call('SET', 'before', '1')));
    expect(await c.call('SET', 'during', '2')).toEqual(OK);
    release(Object.assign(new Error('EIO: injected'), { code: 'EIO' }));
    await rewriteDone(c);
    expect(await infoField(c, 'aof_last_bgrewrite_status')).toBe('err');
    expect(readAof(dir, 'appendonly.aof.manifest')).toBe(FIRST);
    await waitFor(() => readdirSync(aofDir(dir)).length === 3, 5000, 'the new files to be removed');
    expect(readdirSync(aofDir(dir)).sort()).toEqual(['appendonly.aof.1.base.rdb', 'appendonly.aof.1.incr.aof', 'appendonly.aof.manifest']);
    expect(await c.call('SET', 'after', '3')).toEqual(OK);
    await stop(x);
    const again = await start(dir);
    expect(await again.c.call('MGET', 'before', 'during', 'after')).toEqual({
      t: 'array',
      v: [{ t: 'bulk', v: '1' }, { t: 'bulk', v: '2' }, { t: 'bulk', v: '3' }],
    });
  });

  test('a shutdown while the switch waits keeps the old manifest, which holds every write', async () => {
    const dir = tmp();
    const { x, c, release } = await atTheSwitch(dir, async (c) => void (await c.call('SET', 'before', '1')));
    expect(await c.call('SET', 'during', '2')).toEqual(OK);
    await stop(x);
    release();
    expect(readAof(dir, 'appendonly.aof.manifest')).toBe(FIRST);
    expect(existsSync(tempManifest(dir))).toBe(false);
    const again = await start(dir);
    expect(await again.c.call('MGET', 'before', 'during')).toEqual({ t: 'array', v: [{ t: 'bulk', v: '1' }, { t: 'bulk', v: '2' }] });
  });
});
