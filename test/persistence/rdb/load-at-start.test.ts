import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { aofDir, waitFor } from '../../helpers/aof.js';
import { CLI, ensureBuild } from '../../helpers/child-sluice.js';
import { perTest } from '../../helpers/fixture.js';
import { spawnRedis } from '../../helpers/redis-on-dir.js';
import { RespClient, type Resp } from '../../helpers/resp-client.js';
import { freePort, redisServerPath } from '../../helpers/servers.js';

/**
 * A dump.rdb loads at start a part at a time, the event loop turning in
 * between (Redis's processEventsWhileBlocked): clients connect while it
 * loads, INFO says so, the commands allowed while loading run, the others
 * are answered -LOADING, and a client that leaves is freed at once. Redis's
 * test suite slows the load down with key-load-delay (microseconds a key)
 * to look at it, as these tests do.
 */

const t = perTest();
/** Enough keys that, at the delay below, the load outlasts the test many times over. */
const KEYS = 20000;
const SLOW = ['--key-load-delay', '2000', '--loading-process-events-interval-bytes', '1024'];

/** A dump.rdb of KEYS keys that redis-server saved (an RDB version both servers read), copied into `dir`. */
async function dumpInto(...dirs: string[]): Promise<void> {
  const source = t.tmp();
  const started = await spawnRedis(['--save', '', '--dir', source, '--enable-debug-command', 'yes'], t.defer);
  if (!('redis' in started)) throw new Error(started.exited);
  const r = await t.connect(started.redis);
  expect(await r.call('DEBUG', 'POPULATE', String(KEYS), 'key', '100')).toEqual({ t: 'simple', v: 'OK' });
  expect(await r.call('SAVE')).toEqual({ t: 'simple', v: 'OK' });
  for (const dir of dirs) copyFileSync(path.join(source, 'dump.rdb'), path.join(dir, 'dump.rdb'));
}

/** The same keys as the base of an AOF (aof-use-rdb-preamble yes's form), with an empty incremental file. */
async function aofBaseInto(...dirs: string[]): Promise<void> {
  await dumpInto(...dirs);
  for (const dir of dirs) {
    mkdirSync(aofDir(dir));
    renameSync(path.join(dir, 'dump.rdb'), path.join(aofDir(dir), 'appendonly.aof.1.base.rdb'));
    writeFileSync(path.join(aofDir(dir), 'appendonly.aof.1.incr.aof'), '');
    writeFileSync(
      path.join(aofDir(dir), 'appendonly.aof.manifest'),
      'file appendonly.aof.1.base.rdb seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n',
    );
  }
}

const LAYOUTS: [string, (...dirs: string[]) => Promise<void>, string[]][] = [
  ['a dump.rdb', dumpInto, ['--appendonly', 'no']],
  ['an AOF whose base is an RDB file', aofBaseInto, ['--appendonly', 'yes']],
];

/** Starts `command` on a free port and resolves once it accepts connections (not once it has loaded). */
async function spawnServer(command: string[], args: string[]): Promise<{ port: number; output: () => string; exited: Promise<number | null>; pid: number }> {
  const port = await freePort();
  const child = spawn(command[0], [...command.slice(1), '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--enable-debug-command', 'yes', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  t.defer(() => {
    child.kill('SIGKILL');
    return exited.then(() => {});
  });
  await waitFor(async () => {
    const c = await RespClient.connect(port).catch(() => null);
    c?.close();
    return c !== null;
  }, 10000, `${command[0]} to accept connections`);
  return { port, output: () => out, exited, pid: child.pid! };
}

function field(info: Resp, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)\r$`, 'm').exec((info as { v: string }).v)?.[1];
}

/** What a client sees of a server that is loading. */
async function whileLoading(port: number): Promise<unknown> {
  const c = await t.connect({ port });
  const info = await c.call('INFO', 'persistence');
  return {
    loading: field(info, 'loading'),
    fields: [...(info as { v: string }).v.matchAll(/^(loading_[a-z_]+):/gm)].map((m) => m[1]),
    log: await c.call('DEBUG', 'LOG', 'while loading'),
    get: await c.call('GET', 'key:1'),
    ping: await c.call('PING'),
    dbsize: await c.call('DBSIZE'),
    config: await c.call('CONFIG', 'GET', 'key-load-delay'),
  };
}

/** Five clients connect, each runs DEBUG LOG and leaves; resolves once the server counts only `stay`. */
async function clientsComeAndGo(port: number, stay: RespClient): Promise<void> {
  const clients = await Promise.all(Array.from({ length: 5 }, () => RespClient.connect(port)));
  for (const c of clients) expect(await c.call('DEBUG', 'LOG', 'bla')).toEqual({ t: 'simple', v: 'OK' });
  for (const c of clients) c.close();
  await waitFor(async () => field(await stay.call('INFO', 'clients'), 'connected_clients') === '1', 10000, 'the clients to be freed');
}

describe.skipIf(redisServerPath === null)('RDB data loading at start (differential vs redis-server)', () => {
  test.each(LAYOUTS)('clients are served while %s loads as Redis serves them: INFO, DEBUG and CONFIG run, the rest wait for the data', async (_, into, mode) => {
    ensureBuild();
    const [a, b] = [t.tmp(), t.tmp()];
    await into(a, b);
    const sluice = await spawnServer([process.execPath, CLI], ['--dir', a, ...mode, ...SLOW]);
    const redis = await spawnServer([redisServerPath!], ['--dir', b, ...mode, ...SLOW]);
    const [got, want] = [await whileLoading(sluice.port), await whileLoading(redis.port)];
    expect(got).toEqual(want);
    expect(got).toMatchObject({ loading: '1', get: { t: 'error', v: 'LOADING Redis is loading the dataset in memory' } });
  });
});

describe('a dump.rdb loading at start', () => {
  test('a client that leaves while it loads is freed then; a SIGTERM stops the load and the server, the file untouched', async () => {
    ensureBuild();
    const dir = t.tmp();
    await dumpInto(dir);
    const before = readFileSync(path.join(dir, 'dump.rdb'));
    const s = await spawnServer([process.execPath, CLI], ['--dir', dir, '--appendonly', 'no', '--save', '900 1', ...SLOW]);
    const c = await t.connect({ port: s.port });
    await clientsComeAndGo(s.port, c);
    const info = await c.call('INFO', 'persistence');
    expect(field(info, 'loading')).toBe('1');
    expect(Number(field(info, 'loading_loaded_bytes'))).toBeLessThan(before.length);
    expect(field(info, 'loading_total_bytes')).toBe(String(before.length));
    // As Redis's loader, the file's AUX fields are logged as they are read, before the keys: the lines are out while it still loads.
    await waitFor(() => /Loading RDB produced by version 7\.[\s\S]*RDB age \d+ seconds[\s\S]*RDB memory usage when created [\d.]+ Mb/.test(s.output()), 5000, 'the AUX lines');
    expect(field(await c.call('INFO', 'persistence'), 'loading')).toBe('1');
    expect(s.output()).not.toContain('Done loading RDB');
    process.kill(s.pid, 'SIGTERM');
    expect(await s.exited).toBe(0);
    expect(s.output()).toContain('Received shutdown signal during loading, scheduling shutdown.');
    // Loading, nothing is saved over the file (half the data is not the data).
    expect(s.output()).not.toContain('Saving the final RDB snapshot');
    expect(readFileSync(path.join(dir, 'dump.rdb')).equals(before)).toBe(true);
  });

  test('without a delay the whole file loads, and the server is ready once it has', async () => {
    ensureBuild();
    const dir = t.tmp();
    await dumpInto(dir);
    const s = await spawnServer([process.execPath, CLI], ['--dir', dir, '--appendonly', 'no', '--loading-process-events-interval-bytes', '1024']);
    const c = await t.connect({ port: s.port });
    await waitFor(() => s.output().includes('Ready to accept connections'), 20000, 'the load to end');
    expect(await c.call('DBSIZE')).toEqual({ t: 'int', v: String(KEYS) });
    expect(s.output()).toContain(`Done loading RDB, keys loaded: ${KEYS}, keys expired: 0.`);
  });
});
