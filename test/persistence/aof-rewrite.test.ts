import { describe, expect, test } from 'vitest';
import type { RunningServer } from '../../src/index.js';
import { nodeIo } from '../../src/persistence/io.js';
import type { ListValue } from '../../src/queues/list/list-value.js';
import { isString } from '../../src/keyspace/value.js';
import { stringText } from '../../src/store/string/string-access.js';
import { aofCommands, dumpAll, infoField, keyspaceSnapshot, readAof, rewriteDone, waitFor } from '../helpers/aof.js';
import { perTest } from '../helpers/fixture.js';
import type { RespClient, Resp } from '../helpers/resp-client.js';

const t = perTest();

/** A Sluice on `dir` that rewrites its AOF only when a test asks. */
function start(dir: string): Promise<{ s: RunningServer; c: RespClient }> {
  return t.start(dir, { 'auto-aof-rewrite-percentage': '0' });
}

/** A small seeded generator (mulberry32), so a failing run can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Loads strings, counters and lists (one long) into databases 0-2, pipelined. */
async function populate(c: RespClient, keys: number, bigList: number): Promise<void> {
  const pending: Promise<Resp>[] = [];
  for (let i = 0; i < keys; i++) {
    pending.push(c.call('SET', `s:${i}`, `value-${i}`));
    if (i % 10 === 0) pending.push(c.call('RPUSH', `l:${i % 300}`, `a${i}`, `b${i}`, `c${i}`));
    if (i % 7 === 0) pending.push(c.call('PEXPIRE', `s:${i}`, '3600000'));
    if (pending.length > 5000) await Promise.all(pending.splice(0));
  }
  for (let i = 0; i < bigList; i += 500) {
    pending.push(c.call('RPUSH', 'big', ...Array.from({ length: 500 }, (_, j) => `item-${i + j}`)));
  }
  for (const db of ['1', '2']) {
    pending.push(c.call('SELECT', db));
    for (let i = 0; i < keys / 20; i++) pending.push(c.call('SET', `d${db}:${i}`, String(i)));
  }
  pending.push(c.call('SELECT', '0'));
  await Promise.all(pending);
}

/** One random write, pipelined on `c` (which stays on database 0 between calls). */
function randomWrite(c: RespClient, r: () => number, keys: number): Promise<unknown> {
  const k = () => `s:${Math.floor(r() * keys)}`;
  const l = () => (r() < 0.2 ? 'big' : `l:${Math.floor(r() * 300)}`);
  const n = r();
  if (n < 0.15) return c.call('SET', k(), `v${Math.floor(r() * 1e6)}`);
  if (n < 0.22) return c.call('APPEND', k(), 'x');
  if (n < 0.28) return c.call('INCR', `n:${Math.floor(r() * 50)}`);
  if (n < 0.33) return c.call('DEL', k());
  if (n < 0.37) return c.call('RENAME', k(), k());
  if (n < 0.5) return c.call('LPUSH', l(), `p${Math.floor(r() * 1e6)}`);
  if (n < 0.58) return c.call('RPOP', l());
  if (n < 0.64) return c.call('LMOVE', l(), l(), 'LEFT', 'RIGHT');
  if (n < 0.68) return c.call('PEXPIRE', k(), String(3_600_000 + Math.floor(r() * 1000)));
  if (n < 0.7) return c.call('PERSIST', k());
  if (n < 0.73) return c.call('MOVE', k(), '1');
  if (n < 0.76) return c.call('COPY', k(), `c:${Math.floor(r() * 100)}`, 'DB', '2', 'REPLACE');
  if (n < 0.765) return c.call('SWAPDB', '1', '2');
  if (n < 0.77) return Promise.all([c.call('SELECT', '3'), c.call('SET', 'scratch', '1'), c.call('FLUSHDB'), c.call('SELECT', '0')]);
  if (n < 0.772) return Promise.all([c.call('MULTI'), c.call('SET', k(), 'tx'), c.call('SWAPDB', '1', '2'), c.call('EXEC')]);
  return Promise.all([
    c.call('MULTI'),
    c.call('SET', k(), 'multi'),
    c.call('LPUSH', l(), 'multi'),
    c.call('INCR', `n:${Math.floor(r() * 50)}`),
    c.call('RENAME', k(), k()),
    c.call('EXEC'),
  ]);
}

/**
 * Writers that keep `depth` writes in flight each until stopped. Errors
 * (RENAME of a missing key, LMOVE of an empty list…) are part of the mix.
 */
function writers(clients: RespClient[], seed: number, keys: number, depth = 32): { stop: () => Promise<number> } {
  let running = true;
  let done = 0;
  const loops = clients.map(async (c, i) => {
    const r = rng(seed + i);
    const inflight = new Set<Promise<unknown>>();
    while (running) {
      const p: Promise<unknown> = randomWrite(c, r, keys).then(() => inflight.delete(p));
      inflight.add(p);
      done++;
      if (inflight.size >= depth) await Promise.race(inflight);
    }
    await Promise.all(inflight);
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return done;
    },
  };
}

describe('rewrite while clients write', () => {
  for (const seed of [1, 2]) {
    test(`base + new incremental file replay to exactly the data the clients saw (seed ${seed})`, async () => {
      const dir = t.tmp();
      const { s, c } = await start(dir);
      const keys = 20_000;
      await populate(c, keys, 30_000);
      const clients = await Promise.all([0, 1, 2].map(() => t.connect(s)));
      const load = writers(clients, seed * 100, keys);
      await new Promise((r) => setTimeout(r, 50));
      expect(await c.call('BGREWRITEAOF')).toEqual({ t: 'simple', v: 'Background append only file rewriting started' });
      await rewriteDone(c, 60_000);
      await new Promise((r) => setTimeout(r, 50));
      const writes = await load.stop();
      expect(await infoField(c, 'aof_last_bgrewrite_status')).toBe('ok');
      expect(writes).toBeGreaterThan(1000);
      const before = await dumpAll(c);
      await t.stop({ s, c });
      const again = await start(dir);
      expect(await dumpAll(again.c)).toEqual(before);
    }, 120_000);
  }

  test('on a disk slower than the walk, the base still replays to exactly what the server held', async () => {
    const dir = t.tmp();
    const { s, c } = await start(dir);
    const keys = 50_000;
    await populate(c, keys, 100_000);
    let baseWrites = 0;
    // Each write of the base (megabytes in all, half a megabyte a time) returns 20 ms late, so the walk outruns it.
    s.server.persistence.io = {
      ...nodeIo,
      writeAsync: (fd, buf, off, len, done) => {
        baseWrites++;
        setTimeout(() => nodeIo.writeAsync(fd, buf, off, len, done), 20);
      },
    };
    const clients = await Promise.all([0, 1].map(() => t.connect(s)));
    const load = writers(clients, 11, keys);
    await c.call('BGREWRITEAOF');
    await rewriteDone(c, 60_000);
    await load.stop();
    expect(await infoField(c, 'aof_last_bgrewrite_status')).toBe('ok');
    expect(baseWrites).toBeGreaterThan(4);
    const before = await dumpAll(c);
    await t.stop({ s, c });
    const again = await start(dir);
    expect(await dumpAll(again.c)).toEqual(before);
  }, 120_000);

  // How long clients wait meanwhile is measured by the benchmark (the latency section), not asserted here.
  test('a large dataset rewritten under write load reloads to exactly what the server held', async () => {
    const dir = t.tmp();
    const { s, c } = await start(dir);
    const keys = 200_000;
    await populate(c, keys, 200_000);
    const clients = await Promise.all([0, 1].map(() => t.connect(s)));
    const load = writers(clients, 7, keys, 16);
    await new Promise((r) => setTimeout(r, 50));
    await c.call('BGREWRITEAOF');
    await waitFor(async () => (await infoField(c, 'aof_rewrite_in_progress')) === '0', 60_000, 'the rewrite');
    await load.stop();
    expect(await infoField(c, 'aof_last_bgrewrite_status')).toBe('ok');
    const before = keyspaceSnapshot(s.server);
    await t.stop({ s, c });
    const again = await start(dir);
    const after = keyspaceSnapshot(again.s.server);
    expect(after.size).toBe(before.size);
    expect(after).toEqual(before);
  }, 180_000);
});

/** The keys of database 0 after replaying `commands` (SET, RPUSH, DEL and SELECT 0 only): strings, and lists as arrays. */
function replay(commands: string[][]): Map<string, string | string[]> {
  const keys = new Map<string, string | string[]>();
  for (const [name, key, ...args] of commands) {
    if (name === 'SELECT' && key === '0') continue;
    if (name === 'SET' && args.length === 1) keys.set(key, args[0]);
    else if (name === 'DEL') keys.delete(key);
    else if (name === 'RPUSH') {
      const list = keys.get(key) ?? [];
      if (!Array.isArray(list)) throw new Error(`RPUSH to the string ${key}`);
      list.push(...args);
      keys.set(key, list);
    } else throw new Error(`unexpected in the base: ${name} ${key}`);
  }
  return keys;
}

/** What database 0 of an in-process server holds, in replay()'s terms (read directly: big lists are slow to LRANGE). */
function contents(s: RunningServer): Map<string, string | string[]> {
  const keys = new Map<string, string | string[]>();
  for (const [key, value] of s.server.keyspace.db(0).dict.entries()) {
    if (isString(value)) {
      keys.set(key, stringText(value));
      continue;
    }
    const list = value as ListValue;
    keys.set(key, Array.from({ length: list.length }, (_, i) => list.get(i)));
  }
  return keys;
}

/** The base the manifest names. */
function baseCommands(dir: string): string[][] {
  return aofCommands(dir, /^file (\S+) seq \d+ type b$/m.exec(readAof(dir, 'appendonly.aof.manifest'))![1]);
}

/** Every kind of list write, on `key` (elements `${prefix}i`, `n` of them to begin with), moving one element to `other`. */
function listWrites(key: string, prefix: string, n: number, other: string): string[][] {
  return [
    ['LPUSH', key, 'a', 'b', 'c'],
    ['RPUSH', key, 'z'],
    ['RPOP', key, '3'],
    ['LPOP', key],
    ['LSET', key, String(n / 2), 'middle'],
    ['LINSERT', key, 'BEFORE', `${prefix}${(n * 3) / 10}`, 'inserted'],
    ['LPUSH', key, 'dup', 'x', 'dup'],
    ['LREM', key, '0', 'dup'],
    ['LREM', key, '-1', `${prefix}${(n * 7) / 10}`],
    ['LTRIM', key, '5', '-5'],
    ['LMOVE', key, other, 'LEFT', 'RIGHT'],
  ];
}

describe('big lists written to in every way while they are rewritten', () => {
  test('each base holds every key as it was when its rewrite began; with the new incremental file it replays to what the server holds', async () => {
    const dir = t.tmp();
    // The base in commands, which this test replays (the RDB form's walk: test/persistence/rdb/bgsave-pieces.test.ts).
    const { s, c } = await t.start(dir, { 'auto-aof-rewrite-percentage': '0', 'aof-use-rdb-preamble': 'no' });
    const n = 100_000;
    const initial = new Map<string, string | string[]>();
    const loading: Promise<Resp>[] = [];
    const list = (key: string, prefix: string, length: number) => {
      const items = Array.from({ length }, (_, i) => `${prefix}${i}`);
      initial.set(key, items);
      for (let i = 0; i < length; i += 1000) loading.push(c.call('RPUSH', key, ...items.slice(i, i + 1000)));
    };
    // The walk meets `early` first, `late` after the strings.
    list('early', 'e', n);
    for (let i = 0; i < 5000; i += 500) {
      const pairs = Array.from({ length: 500 }, (_, j) => [`f:${i + j}`, `v${i + j}`]);
      for (const [k, v] of pairs) initial.set(k, v);
      loading.push(c.call('MSET', ...pairs.flat()));
    }
    list('late', 'l', n);
    list('doomed', 'd', 1000);
    await Promise.all(loading);

    // First rewrite: these are sent with BGREWRITEAOF and reach `late` and `doomed` before the walk does.
    const first = [
      ['BGREWRITEAOF'],
      ...listWrites('late', 'l', n, 'moved'),
      ['COPY', 'late', 'late-copy'],
      ['LSET', 'late-copy', '0', 'copied'],
      ['RPUSH', 'late', 'after-copy'],
      ['DEL', 'doomed'],
      ['RPUSH', 'doomed', 'reborn'],
    ];
    const replies = await Promise.all(first.map((argv) => c.call(...argv)));
    expect(replies[0]).toEqual({ t: 'simple', v: 'Background append only file rewriting started' });
    expect(replies.filter((r) => r.t === 'error')).toEqual([]);
    for (const argv of [['LPUSH', 'late-copy', 'y'], ['RPOP', 'late'], ['LTRIM', 'doomed', '1', '0']]) {
      expect((await c.call(...argv)).t).not.toBe('error');
    }
    await rewriteDone(c);
    expect(await infoField(c, 'aof_last_bgrewrite_status')).toBe('ok');
    expect(replay(baseCommands(dir))).toEqual(initial);
    // The copy kept none of what happened to `late` after it, nor `late` any of the copy's writes.
    expect(await c.call('LRANGE', 'late-copy', '0', '1')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'y' }, { t: 'bulk', v: 'copied' }] });
    expect(await c.call('LPOS', 'late-copy', 'after-copy')).toEqual({ t: 'bulk', v: null });
    expect(await c.call('LPOS', 'late', 'copied')).toEqual({ t: 'bulk', v: null });
    expect(await c.call('EXISTS', 'doomed')).toEqual({ t: 'int', v: '0' });

    // A second rewrite, of lists whose chunks the first one shared. Its first slice starts on
    // `early`, which every kind of write then reaches, in pipelined rounds, until the rewrite is over.
    const second = contents(s);
    expect(await c.call('BGREWRITEAOF')).toEqual({ t: 'simple', v: 'Background append only file rewriting started' });
    const writes = listWrites('early', 'e', n, 'late');
    let rounds = 0;
    while ((await infoField(c, 'aof_rewrite_in_progress')) === '1') {
      const answers = await Promise.all(writes.map((argv) => c.call(...argv)));
      expect(answers.filter((r) => r.t === 'error')).toEqual([]);
      rounds++;
    }
    expect(rounds).toBeGreaterThan(0);
    await rewriteDone(c);
    expect(await infoField(c, 'aof_last_bgrewrite_status')).toBe('ok');
    expect(replay(baseCommands(dir))).toEqual(second);

    await c.call('LPUSH', 'early', 'after the rewrite');
    const held = keyspaceSnapshot(s.server);
    await t.stop({ s, c });
    const again = await start(dir);
    expect(keyspaceSnapshot(again.s.server)).toEqual(held);
  }, 60_000);
});
