import { copyFileSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test, vi } from 'vitest';
import { RdbReader } from '../../../src/codecs/rdb/reader.js';
import { loadLimits } from '../../../src/persistence/rdb/decode-value.js';
import { parseRdb } from '../../../src/persistence/rdb/rdb-load.js';
import { aofDir, infoField, rewriteDone, waitFor } from '../../helpers/aof.js';
import { perTest } from '../../helpers/fixture.js';
import type { Resp, RespClient } from '../../helpers/resp-client.js';
import { redisServerPath, type TestSluice } from '../../helpers/servers.js';
import { checkRdb, redisReadsRdb11, startRedisOnRdb } from './redis-rdb.js';

/**
 * A background save (BGSAVE, the RDB base of BGREWRITEAOF) writes a big
 * collection a piece at a time, over many slices of the event loop, from
 * a view frozen when it began on the key: the file is the one SAVE writes
 * at that moment, byte for byte, whatever clients do to the key meanwhile,
 * and what they do stays in the dataset.
 */

const t = perTest();
/** No AOF, no save points; DEBUG DIGEST to compare datasets, as Redis's own tests do. */
const NO_AOF = { appendonly: 'no', save: '', 'enable-debug-command': 'yes' };
const range = (n: number, f: (i: number) => string[]): string[] => Array.from({ length: n }, (_, i) => f(i)).flat();

/**
 * Runs each slice of background work the server queues under a clock that
 * moves 0.75 ms a reading, so that a slice (1 ms of work) ends after the
 * second piece of a big value whatever the machine's speed: the number of
 * slices then counts the pieces. `pauseAt(n)` holds slice n back until the
 * test calls the returned resume, so that its commands run between two
 * slices at a known point of the walk.
 */
function sliceGate(s: TestSluice) {
  const server = s.server as unknown as { nextSlice(slice: () => void): void };
  const queue = server.nextSlice.bind(server);
  let count = 0;
  const pauses = new Map<number, () => void>();
  const run = (slice: () => void) => {
    count++;
    let clock = 0;
    const now = vi.spyOn(performance, 'now').mockImplementation(() => (clock += 0.75));
    try {
      slice();
    } finally {
      now.mockRestore();
    }
  };
  server.nextSlice = (slice) => {
    queue(() => {
      const reached = pauses.get(count + 1);
      if (reached === undefined) return run(slice);
      pauses.delete(count + 1);
      reached();
      held = () => run(slice);
    });
  };
  let held: (() => void) | null = null;
  return {
    get slices(): number {
      return count;
    },
    /** Resolves once slice `n` is due (it is held back); call the function it resolves to to let it run. */
    pauseAt(n: number): Promise<() => void> {
      return new Promise((resolve) => {
        pauses.set(n, () => resolve(() => {
          const h = held!;
          held = null;
          queue(h);
        }));
      });
    },
    restore(): void {
      server.nextSlice = queue;
    },
  };
}

/**
 * Each key of an RDB file as its bytes there (type, name, value) and its
 * deadline, by database and name. The walk writes keys in another order
 * than SAVE, and a key kept for a write out of order; each key's bytes are
 * what is compared.
 */
function keyRecords(file: Buffer): Map<string, string> {
  const config = { num: (name: string) => ({ 'list-max-listpack-size': -2 } as Record<string, number>)[name] ?? 128 };
  const r = new RdbReader(file);
  const keys = new Map<string, string>();
  parseRdb(r, { limits: loadLimits({ config } as never), databases: 16, now: Date.now() }, {
    library() {},
    key: (db, key, _value, deadline, _hints, at) => keys.set(`${db} ${key}`, `${deadline} ${file.subarray(at, r.pos).toString('hex')}`),
  });
  return keys;
}

/** Compares two files' keys, naming the first that differs rather than printing megabytes of hex. */
function expectSameKeys(file: Buffer, saved: Buffer): void {
  const a = keyRecords(file);
  const b = keyRecords(saved);
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [key, record] of b) expect(a.get(key) === record, `the record of ${key}`).toBe(true);
}

const info = infoField;

async function untilSaved(c: RespClient): Promise<void> {
  await waitFor(async () => (await info(c, 'rdb_bgsave_in_progress')) === '0', 20000, 'the BGSAVE to finish');
}

async function populate(c: RespClient, cmds: string[][]): Promise<void> {
  expectApplied(cmds, await Promise.all(cmds.map((cmd) => c.call(...cmd))));
}

function expectApplied(cmds: string[][], replies: Resp[]): void {
  replies.forEach((r, i) => expect(r.t, cmds[i].join(' ')).not.toBe('error'));
}

/** Elements of every listpack form: small and large integers, short, 64-byte and 5,000-byte strings (LZF compresses the long ones). */
function element(i: number): string {
  if (i % 7 === 0) return String(i * 1_000_003);
  if (i % 11 === 0) return 'x'.repeat(70) + i;
  if (i === 5000) return 'long '.repeat(1000);
  return `element ${i}`;
}

/** Small keys first: the walk goes from the last position down, so it reaches the big keys first, and writes to the small ones wait while a big one is half written. */
function population(deadline: number): string[][] {
  return [
    ['SET', 'str', 'hello'], ['SET', 'counter', '10'], ['RPUSH', 'list', 'a', 'b'], ['SADD', 'intset', '1', '2', '3'],
    ['ZADD', 'zsmall', '1', 'a'], ['HSET', 'hsmall', 'f', 'v'], ['SELECT', '3'], ['SET', 'in3', 'three'],
    ['RPUSH', 'biglist3', ...range(2000, (i) => [element(i)])], ['SELECT', '0'],
    ['RPUSH', 'biglist', ...range(20000, (i) => [element(i)])], ['PEXPIREAT', 'biglist', String(deadline)],
    ['SADD', 'bigset', ...range(5000, (i) => [`member ${i}`])],
    ['ZADD', 'bigzset', ...range(5000, (i) => [String(i % 13 === 0 ? i : i / 7), `m${i}`]), 'inf', 'top', '-inf', 'bottom'],
    ['HSET', 'bighash', ...range(5000, (i) => [`field ${i}`, element(i)])],
    // Runs of entries with the master entry's fields, and entries with fields of their own.
    ...Array.from({ length: 3000 }, (_, i) => ['XADD', 'bigstream', `${i + 1}-0`, 'field', String(i), ...(i % 5 === 0 ? ['extra', element(i)] : ['other', 'x'])]),
    ['XGROUP', 'CREATE', 'bigstream', 'g1', '0'], ['XGROUP', 'CREATE', 'bigstream', 'g2', '0'],
    ['XREADGROUP', 'GROUP', 'g1', 'alice', 'COUNT', '600', 'STREAMS', 'bigstream', '>'],
    ['XREADGROUP', 'GROUP', 'g1', 'bob', 'COUNT', '600', 'STREAMS', 'bigstream', '>'],
    ['XREADGROUP', 'GROUP', 'g2', 'carol', 'COUNT', '300', 'STREAMS', 'bigstream', '>'],
  ];
}

/** Writes to every key, big or small, changed in place, expired, renamed, deleted, replaced. */
function churn(round: number): string[][] {
  const r = String(round);
  return [
    ['LPUSH', 'biglist', `head ${r}`], ['RPOP', 'biglist'], ['LSET', 'biglist', '9000', r], ['LINSERT', 'biglist', 'BEFORE', 'element 4', r],
    ['SADD', 'bigset', `new ${r}`], ['SREM', 'bigset', `member ${round * 3}`], ['SMOVE', 'bigset', 'intset', `member ${round * 3 + 1}`],
    ['ZADD', 'bigzset', r, `m${round * 5}`], ['ZREM', 'bigzset', `m${round * 5 + 1}`], ['ZINCRBY', 'bigzset', '0.5', 'top'],
    ['HSET', 'bighash', `field ${round}`, `new ${r}`], ['HDEL', 'bighash', `field ${round + 2000}`], ['HINCRBY', 'bighash', `n${r}`, '3'],
    ['XADD', 'bigstream', `${5000 + round}-0`, 'new', r], ['XACK', 'bigstream', 'g1', `${round + 1}-0`], ['XDEL', 'bigstream', `${round + 1500}-0`],
    ['XREADGROUP', 'GROUP', 'g2', 'dave', 'COUNT', '5', 'STREAMS', 'bigstream', '>'], ['XTRIM', 'bigstream', 'MINID', String(round * 4)],
    ['SET', 'str', r], ['INCR', 'counter'], ['LPUSH', 'list', r], ['SADD', 'intset', r], ['ZADD', 'zsmall', r, r], ['HSET', 'hsmall', r, r],
    ['EXPIRE', 'bighash', '5000'], ['PERSIST', 'biglist'], ['SELECT', '3'], ['LPUSH', 'biglist3', r], ['SELECT', '0'],
  ];
}

/** The last round: the big keys go away in every way a key can. */
const ENDINGS: string[][] = [
  ['DEL', 'biglist'], ['RENAME', 'bigset', 'bigset:renamed'], ['SET', 'bigzset', 'now a string'], ['UNLINK', 'bighash'],
  ['PEXPIRE', 'bigstream', '1'], ['SELECT', '3'], ['FLUSHDB'], ['SELECT', '0'], ['RPUSH', 'biglist', 'reborn'],
];

describe('a background save writes a big key a piece at a time', () => {
  test('BGSAVE: each type in its big encoding, written over many slices while every kind of write hits it, makes the file SAVE made', async () => {
    const dir = t.tmp();
    const { s, c } = await t.start(dir, NO_AOF);
    // The same commands on a server that saves nothing: the writes made during the save must all be in the dataset.
    const plain = await t.start(t.tmp(), NO_AOF);
    const deadline = String(Date.now() + 3_600_000);
    await populate(c, population(Number(deadline)));
    await populate(plain.c, population(Number(deadline)));
    expect(await c.call('OBJECT', 'ENCODING', 'biglist')).toEqual({ t: 'bulk', v: 'quicklist' });
    expect(await c.call('OBJECT', 'ENCODING', 'bigset')).toEqual({ t: 'bulk', v: 'hashtable' });
    expect(await c.call('OBJECT', 'ENCODING', 'bigzset')).toEqual({ t: 'bulk', v: 'skiplist' });
    expect(await c.call('OBJECT', 'ENCODING', 'bighash')).toEqual({ t: 'bulk', v: 'hashtable' });
    const digest = await c.call('DEBUG', 'DIGEST');
    expect(digest.t).toBe('simple');
    expect(await c.call('SAVE')).toEqual({ t: 'simple', v: 'OK' });
    copyFileSync(path.join(dir, 'dump.rdb'), path.join(dir, 'save.rdb'));

    const gate = sliceGate(s);
    const stops = [3, 15, 40, 80, 130, 180];
    const paused = stops.map((n) => gate.pauseAt(n));
    expect(await c.call('BGSAVE')).toEqual({ t: 'simple', v: 'Background saving started' });
    for (let i = 0; i < stops.length; i++) {
      const resume = await paused[i];
      expect(await info(c, 'rdb_bgsave_in_progress')).toBe('1');
      const cmds = i === stops.length - 1 ? ENDINGS : churn(i);
      const replies = await Promise.all(cmds.map((cmd) => c.call(...cmd)));
      expectApplied(cmds, replies);
      for (const cmd of cmds) await plain.c.call(...cmd);
      resume();
    }
    await untilSaved(c);
    gate.restore();
    expect(await info(c, 'rdb_last_bgsave_status')).toBe('ok');
    // 20,000 + 2,000 list elements are read twice, 15,000 set, sorted set and hash
    // elements once, 3,000 stream entries in 30 nodes, 1,500 pending entries:
    // about 250 pieces of 256, two a slice. Written whole, the walk would end in its first slice.
    expect(gate.slices).toBeGreaterThan(100);

    const saved = readFileSync(path.join(dir, 'save.rdb'));
    const bgsaved = readFileSync(path.join(dir, 'dump.rdb'));
    expectSameKeys(bgsaved, saved);
    // The stream's deadline has passed: both servers drop it now.
    expect(await c.call('EXISTS', 'bigstream')).toEqual({ t: 'int', v: '0' });
    expect(await plain.c.call('EXISTS', 'bigstream')).toEqual({ t: 'int', v: '0' });
    expect(await c.call('DEBUG', 'DIGEST')).toEqual(await plain.c.call('DEBUG', 'DIGEST'));
    expect(await c.call('LRANGE', 'biglist', '0', '-1')).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'reborn' }] });

    if (redisServerPath === null) return;
    const check = checkRdb(path.join(dir, 'dump.rdb'));
    const started = await startRedisOnRdb(dir, 'dump.rdb', t.defer, ['--enable-debug-command', 'yes']);
    if (!redisReadsRdb11()) {
      expect('exited' in started && started.exited).toMatch(/Can't handle RDB format version 11/);
      return;
    }
    expect(check.output).toMatch(/RDB looks OK/);
    if (!('redis' in started)) throw new Error(started.exited);
    const redis = await t.connect(started.redis);
    expect(await redis.call('DEBUG', 'DIGEST')).toEqual(digest);
    expect(await redis.call('OBJECT', 'ENCODING', 'biglist')).toEqual({ t: 'bulk', v: 'quicklist' });
  });

  test('a write to the key being written, mid-way through it, is not in the file and is in the dataset', async () => {
    const dir = t.tmp();
    const { s, c } = await t.start(dir, NO_AOF);
    await c.call('RPUSH', 'only', ...range(20000, (i) => [element(i)]));
    const before = await c.call('DEBUG', 'DIGEST-VALUE', 'only');
    expect(before.t).toBe('array');
    expect(await c.call('SAVE')).toEqual({ t: 'simple', v: 'OK' });
    const saved = readFileSync(path.join(dir, 'dump.rdb'));

    const gate = sliceGate(s);
    const first = gate.pauseAt(40);
    const second = gate.pauseAt(100);
    expect(await c.call('BGSAVE')).toEqual({ t: 'simple', v: 'Background saving started' });
    (await first)();
    // Slice 40 of about 80 for the list's one key: it is half written.
    expect(await info(c, 'current_save_keys_processed')).toBe('0');
    expect(await c.call('LSET', 'only', '15000', 'changed')).toEqual({ t: 'simple', v: 'OK' });
    expect(await c.call('LTRIM', 'only', '0', '9999')).toEqual({ t: 'simple', v: 'OK' });
    expect(await c.call('RPUSH', 'only', 'tail')).toEqual({ t: 'int', v: '10001' });
    (await second)();
    // Still the same key, now written from a value that no longer exists.
    expect(await info(c, 'current_save_keys_processed')).toBe('0');
    expect(await c.call('DEL', 'only')).toEqual({ t: 'int', v: '1' });
    expect(await c.call('SET', 'only', 'a string now')).toEqual({ t: 'simple', v: 'OK' });
    await untilSaved(c);
    gate.restore();
    expect(await info(c, 'rdb_last_bgsave_status')).toBe('ok');
    expect(gate.slices).toBeGreaterThan(150);
    expectSameKeys(readFileSync(path.join(dir, 'dump.rdb')), saved);
    expect(await c.call('GET', 'only')).toEqual({ t: 'bulk', v: 'a string now' });

    const reloaded = await t.start(dir, NO_AOF);
    expect(await reloaded.c.call('DEBUG', 'DIGEST-VALUE', 'only')).toEqual(before);
  });

  test("a big hash whose fields have deadlines (Redis 7.4's form) is written in pieces too, from a copy", async () => {
    const dir = t.tmp();
    const { s, c } = await t.start(dir, NO_AOF);
    const when = String(Date.now() + 3_600_000);
    await c.call('HSET', 'h', ...range(3000, (i) => [`field ${i}`, element(i)]));
    const fields = range(1000, (i) => [`field ${i * 3}`]);
    expect(await c.call('HPEXPIREAT', 'h', when, 'FIELDS', '1000', ...fields)).toMatchObject({ t: 'array' });
    const read = async (client: RespClient) => [
      await client.call('HGETALL', 'h'), await client.call('HPEXPIRETIME', 'h', 'FIELDS', '4', 'field 0', 'field 1', 'field 2997', 'field 2999'),
    ];
    const before = await read(c);
    expect(await c.call('SAVE')).toEqual({ t: 'simple', v: 'OK' });
    const saved = readFileSync(path.join(dir, 'dump.rdb'));

    const gate = sliceGate(s);
    const paused = gate.pauseAt(4);
    expect(await c.call('BGSAVE')).toEqual({ t: 'simple', v: 'Background saving started' });
    const resume = await paused;
    expect(await info(c, 'current_save_keys_processed')).toBe('0');
    const cmds = [
      ['HSET', 'h', 'field 1', 'changed', 'new', 'field'], ['HDEL', 'h', 'field 2'], ['HPERSIST', 'h', 'FIELDS', '1', 'field 3'],
      ['HPEXPIRE', 'h', '1', 'FIELDS', '1', 'field 4'], ['HPEXPIREAT', 'h', '1', 'FIELDS', '1', 'field 6'],
    ];
    expectApplied(cmds, await Promise.all(cmds.map((cmd) => c.call(...cmd))));
    resume();
    await untilSaved(c);
    gate.restore();
    expect(await info(c, 'rdb_last_bgsave_status')).toBe('ok');
    // 3,000 fields in pieces of 256.
    expect(gate.slices).toBeGreaterThan(10);
    expectSameKeys(readFileSync(path.join(dir, 'dump.rdb')), saved);
    expect(await c.call('HGET', 'h', 'field 1')).toEqual({ t: 'bulk', v: 'changed' });

    const reloaded = await t.start(dir, NO_AOF);
    expect(await read(reloaded.c)).toEqual(before);
  });

  test('BGREWRITEAOF with the RDB preamble: the base holds the keys SAVE writes, byte for byte, though written over many slices under writes', async () => {
    const dir = t.tmp();
    const config = { ...NO_AOF, appendonly: 'yes', 'aof-use-rdb-preamble': 'yes' };
    const first = await t.start(dir, config);
    const { s, c } = first;
    await populate(c, population(Date.now() + 3_600_000));
    await rewriteDone(c);
    expect(await c.call('SAVE')).toEqual({ t: 'simple', v: 'OK' });
    const saved = readFileSync(path.join(dir, 'dump.rdb'));

    const gate = sliceGate(s);
    const paused = [10, 60].map((n) => gate.pauseAt(n));
    expect(await c.call('BGREWRITEAOF')).toEqual({ t: 'simple', v: 'Background append only file rewriting started' });
    for (let i = 0; i < paused.length; i++) {
      const resume = await paused[i];
      const cmds = i === paused.length - 1 ? ENDINGS : churn(i);
      expectApplied(cmds, await Promise.all(cmds.map((cmd) => c.call(...cmd))));
      resume();
    }
    await rewriteDone(c, 60000);
    gate.restore();
    expect(await info(c, 'aof_last_bgrewrite_status')).toBe('ok');
    expect(gate.slices).toBeGreaterThan(100);
    // The manifest's base: the first one may still be there, as history.
    const base = /^file (\S+\.base\.rdb) seq \d+ type b$/m.exec(readFileSync(path.join(aofDir(dir), 'appendonly.aof.manifest'), 'latin1'))![1];
    expectSameKeys(readFileSync(path.join(aofDir(dir), base)), saved);
    expect(await c.call('EXISTS', 'bigstream')).toEqual({ t: 'int', v: '0' });
    const digest = await c.call('DEBUG', 'DIGEST');
    expect(digest.t).toBe('simple');
    await t.stop(first);

    const second = await t.start(dir, config);
    expect(await second.c.call('DEBUG', 'DIGEST')).toEqual(digest);
  });
});
