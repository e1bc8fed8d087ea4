import { openSync, readFileSync } from 'node:fs';
import { expect } from 'vitest';
import { RdbReader } from '../../../src/codecs/rdb/reader.js';
import type { RunningServer } from '../../../src/index.js';
import { FileQueue } from '../../../src/persistence/file-queue.js';
import { nodeIo } from '../../../src/persistence/io.js';
import { BackgroundSave } from '../../../src/persistence/rdb/background-save.js';
import { loadLimits } from '../../../src/persistence/rdb/decode-value.js';
import { parseRdb } from '../../../src/persistence/rdb/rdb-load.js';
import type { RdbOptions } from '../../../src/persistence/rdb/rdb-save.js';
import type { Resp, RespClient } from '../../helpers/resp-client.js';

/** Helpers of the RDB 10 tests (rdb-version.test.ts, rdb-version.differential.test.ts). */

const range = (n: number, f: (i: number) => string[]): string[] => Array.from({ length: n }, (_, i) => f(i)).flat();

export const LIBRARY = "#!lua name=v10lib\nredis.register_function('v10f', function() return 'from v10' end)";

/**
 * Every type in each of its encodings, sets in all the forms RDB 10 has
 * them (intsets of each width, a listpack of integers only, small and big
 * sets of strings, a big set of integers), streams with groups, consumers
 * and pending entries, HyperLogLogs sparse and dense, a geo set, TTLs, two
 * databases; the function library is loaded separately (FUNCTION LOAD).
 */
export function population(deadline: number): string[][] {
  const at = String(deadline);
  return [
    ['SET', 'str', 'hello'], ['SET', 'int', '-12345'], ['SET', 'int64', '9223372036854775807'], ['SET', 'long', 'abc'.repeat(200)],
    ['SET', 'ttl', 'soon'], ['PEXPIREAT', 'ttl', at],
    ['RPUSH', 'list', 'a', '1', '', '-99999999999'], ['RPUSH', 'biglist', ...range(3000, (i) => [`element ${i}`])], ['PEXPIREAT', 'biglist', at],
    ['HSET', 'hsmall', 'f', 'v', 'n', '1'], ['HSET', 'hbig', ...range(600, (i) => [`field${i}`, `value${i}`])], ['PEXPIREAT', 'hbig', at],
    ['SADD', 'intset16', '3', '1', '2', '-7'], ['SADD', 'intset32', '70000', '-1'], ['SADD', 'intset64', '-9223372036854775808', '1', '4294967296'],
    // A listpack of integers only: a string member made it a listpack, and its removal leaves it one.
    ['SADD', 'lpints', '5', '3', '-70000', '1', 'x'], ['SREM', 'lpints', 'x'],
    ['SADD', 'smallset', 'x', 'y'], ['SADD', 'mixedset', '1', 'a', '007'], ['SADD', 'bigset', ...range(300, (i) => [`member${i}`])],
    ['SADD', 'bigintset', ...range(600, (i) => [String(i * 3)])], ['PEXPIREAT', 'smallset', at],
    ['ZADD', 'zsmall', '1', 'a', '2.5', 'b', '-inf', 'c'], ['ZADD', 'zbig', ...range(300, (i) => [String(i / 7), `m${i}`])],
    ['PFADD', 'hll', 'a', 'b', 'c'], ['PFADD', 'hlldense', ...range(3000, (i) => [`e${i}`])],
    ['GEOADD', 'geo', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania'],
    ...Array.from({ length: 12 }, (_, i) => ['XADD', 'stream', `${i + 1}-1`, 'field', String(i), ...(i % 3 === 0 ? ['other', 'x'] : [])]),
    ['XDEL', 'stream', '4-1'],
    ['XGROUP', 'CREATE', 'stream', 'group', '0'], ['XGROUP', 'CREATE', 'stream', 'late', '$'],
    ['XREADGROUP', 'GROUP', 'group', 'reader', 'COUNT', '3', 'STREAMS', 'stream', '>'],
    ['XREADGROUP', 'GROUP', 'group', 'other', 'COUNT', '2', 'STREAMS', 'stream', '>'],
    ['XCLAIM', 'stream', 'group', 'other', '0', '1-1'],
    ['XGROUP', 'CREATECONSUMER', 'stream', 'group', 'idle'],
    ['PEXPIREAT', 'stream', at],
    // Several nodes (stream-node-max-entries 100), most entries pending.
    ...Array.from({ length: 450 }, (_, i) => ['XADD', 'bigstream', `${1000 + i}-0`, 'k', String(i), 'v', 'x'.repeat(i % 20)]),
    ['XGROUP', 'CREATE', 'bigstream', 'g', '0'],
    ['XREADGROUP', 'GROUP', 'g', 'c1', 'COUNT', '300', 'STREAMS', 'bigstream', '>'],
    ['XREADGROUP', 'GROUP', 'g', 'c2', 'COUNT', '100', 'STREAMS', 'bigstream', '>'],
    ['XACK', 'bigstream', 'g', '1000-0', '1001-0'],
    ['SELECT', '7'], ['SET', 'in-db-7', 'seven'], ['SADD', 'set7', '1'], ['SELECT', '0'],
  ];
}

/** A consumer that asks for more after some time and gets nothing: from then on its seen time is later than its active time (7.2's), which RDB 10 has no room for. */
export const LATE_ATTEMPT = ['XREADGROUP', 'GROUP', 'group', 'reader', 'COUNT', '1', 'STREAMS', 'stream', '>'];

export async function run(c: RespClient, cmds: string[][]): Promise<void> {
  for (const cmd of cmds) {
    const r = await c.call(...cmd);
    expect(r.t, cmd.join(' ')).not.toBe('error');
  }
}

/** The whole population, the library, and a late attempt of a consumer 5 ms later. */
export async function populate(c: RespClient, deadline: number): Promise<void> {
  await run(c, population(deadline));
  await run(c, [['FUNCTION', 'LOAD', LIBRARY]]);
  await new Promise((r) => setTimeout(r, 5));
  await run(c, [LATE_ATTEMPT]);
}

/** A reply as plain data: strings, nulls, nested arrays (maps as flat arrays). */
export function plain(r: Resp): unknown {
  switch (r.t) {
    case 'array':
      return r.v === null ? null : r.v.map(plain);
    case 'map':
      return r.v.flatMap(([k, v]) => [plain(k), plain(v)]);
    case 'set':
    case 'push':
      return r.v.map(plain);
    case 'null':
      return null;
    case 'bool':
      return r.v;
    default:
      return r.v;
  }
}

/**
 * A reply's flat field lists (XINFO's) without the field `name`, and the
 * values it had, in the order met: XINFO STREAM FULL without the consumers'
 * active-time, which Redis 7.0 does not have.
 */
function withoutField(r: unknown, name: string, removed: unknown[] = []): unknown {
  if (!Array.isArray(r)) return r;
  const out: unknown[] = [];
  for (let i = 0; i < r.length; i++) {
    if (i % 2 === 0 && r[i] === name && i + 1 < r.length && r.length % 2 === 0) {
      removed.push(r[++i]);
      continue;
    }
    out.push(withoutField(r[i], name, removed));
  }
  return out;
}

/** Every key of database `db` as a client reads it (TTL apart): its type and its value; a stream's entries and XINFO STREAM FULL. */
async function dbContents(c: RespClient, db: number): Promise<Map<string, { type: unknown; pttl: number; value: unknown[] }>> {
  await c.call('SELECT', String(db));
  const keys = plain(await c.call('KEYS', '*')) as string[];
  const out = new Map<string, { type: unknown; pttl: number; value: unknown[] }>();
  for (const key of keys.sort()) {
    const type = plain(await c.call('TYPE', key));
    const pttl = Number(plain(await c.call('PTTL', key)));
    const value: unknown[] = [];
    const call = async (...args: string[]) => plain(await c.call(...args));
    switch (type) {
      case 'string':
        value.push(await call('GET', key));
        break;
      case 'list':
        value.push(await call('LRANGE', key, '0', '-1'));
        break;
      case 'set':
        value.push((await call('SMEMBERS', key) as string[]).sort());
        break;
      case 'zset':
        // Scores as numbers: Redis 7.0 prints them with 17 digits, 7.2 (and Sluice) with the fewest that read back the same.
        value.push((await call('ZRANGE', key, '0', '-1', 'WITHSCORES') as string[]).map((x, i) => (i % 2 === 1 ? Number(x) : x)));
        break;
      case 'hash':
        value.push(await call('HLEN', key), await call('HGETALL', key).then((kv) => pairs(kv as string[])));
        break;
      case 'stream':
        value.push(await call('XRANGE', key, '-', '+'), await call('XINFO', 'STREAM', key, 'FULL', 'COUNT', '0'));
        break;
    }
    out.set(key, { type, pttl, value });
  }
  await c.call('SELECT', '0');
  return out;
}

/** The consumers' seen and active times of a server's streams, in the order XINFO STREAM FULL gives them. */
export interface ConsumerTimes {
  seen: unknown[];
  active: unknown[];
}

/**
 * The keys of databases 0 and 7 of two servers compared: the same names,
 * types and values, TTLs within a second; a stream's XINFO STREAM FULL
 * without the consumers' active-time (RDB 10, and Redis 7.0, have none),
 * whose values are given back with the seen times, by server.
 */
export async function expectSameKeys(ours: RespClient, theirs: RespClient): Promise<{ streams: number; ours: ConsumerTimes; theirs: ConsumerTimes }> {
  const times = { ours: { seen: [], active: [] } as ConsumerTimes, theirs: { seen: [], active: [] } as ConsumerTimes };
  let streams = 0;
  for (const db of [0, 7]) {
    const [x, y] = [await dbContents(ours, db), await dbContents(theirs, db)];
    expect([...y.keys()]).toEqual([...x.keys()]);
    for (const [key, want] of x) {
      const got = y.get(key)!;
      expect(got.type, key).toEqual(want.type);
      expect(got.pttl === -1, key).toBe(want.pttl === -1);
      expect(Math.abs(got.pttl - want.pttl), `${key}: PTTL ${got.pttl} against ${want.pttl}`).toBeLessThan(1000);
      if (want.type !== 'stream') {
        expect(got.value, key).toEqual(want.value);
        continue;
      }
      streams++;
      expect(withoutField(got.value, 'active-time', times.theirs.active), key).toEqual(withoutField(want.value, 'active-time', times.ours.active));
      withoutField(want.value, 'seen-time', times.ours.seen);
      withoutField(got.value, 'seen-time', times.theirs.seen);
    }
  }
  return { streams, ...times };
}

/** A flat field/value list as sorted pairs. */
function pairs(kv: string[]): string[][] {
  const out: string[][] = [];
  for (let i = 0; i < kv.length; i += 2) out.push([kv[i], kv[i + 1]]);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
}

/** The type byte each key has in an RDB file, by `db key`. */
export function keyTypes(file: Buffer): Map<string, number> {
  const types = new Map<string, number>();
  parseRdb(new RdbReader(file), { limits: loadLimits({ config: { num: () => 128 } } as never), databases: 16, now: 0 }, {
    library() {},
    key: (db, key, _value, _deadline, _hints, at) => types.set(`${db} ${key}`, file[at]),
  });
  return types;
}

/** Each key's bytes in an RDB file (type, name, value) with its deadline, by `db key`. */
export function keyRecords(file: Buffer): Map<string, string> {
  const r = new RdbReader(file);
  const records = new Map<string, string>();
  parseRdb(r, { limits: loadLimits({ config: { num: () => 128 } } as never), databases: 16, now: 0 }, {
    library() {},
    key: (db, key, _value, deadline, _hints, at) => records.set(`${db} ${key}`, `${deadline} ${file.subarray(at, r.pos).toString('hex')}`),
  });
  return records;
}

/**
 * The keyspace written to `file` by a background save (BGSAVE's walk, the
 * one a replica's sync would run) with `opts`; resolves to the error that
 * stopped it, or null.
 */
export function backgroundSave(s: RunningServer, file: string, opts: RdbOptions): Promise<Error | null> {
  return new Promise((resolve) => {
    const fd = openSync(file, 'w');
    const queue = new FileQueue(nodeIo, fd, (e) => finish(e));
    const finish = (e: Error | null): void => {
      save.abandon();
      queue.close();
      resolve(e);
    };
    const save = new BackgroundSave(s.server.keyspace, queue, opts, (slice) => setImmediate(slice), (e) => {
      if (e !== null) return finish(e);
      queue.whenWritten(() => {
        queue.close();
        resolve(null);
      });
    });
    save.start();
  });
}

/** The first bytes of a file. */
export function head(file: string, n = 9): string {
  const b = readFileSync(file);
  return b.subarray(0, n).toString('latin1');
}
