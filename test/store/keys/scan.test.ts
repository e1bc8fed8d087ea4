import { describe, expect, test } from 'vitest';
import type { TypedValue } from '../../../src/keyspace/value.js';
import { perTest, useSluice } from '../../helpers/fixture.js';
import { encodeCommand, type Resp } from '../../helpers/resp-client.js';
import { seededInts } from '../../helpers/seeded.js';

const sluice = useSluice({ conn: 'fresh' });
const { start, stop, tmp } = perTest();

/** Loads keys through one pipelined write. */
async function load(keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  sluice.conn.writeRaw(Buffer.concat(keys.map((k) => encodeCommand(['SET', k, 'v']))));
  for (let i = 0; i < keys.length - 1; i++) await sluice.conn.read();
  await sluice.conn.read();
}

function scanReply(r: Resp): [string, string[]] {
  const bulk = (x: Resp | undefined) => {
    if (x?.t !== 'bulk' || x.v === null) throw new Error(`SCAN answered ${JSON.stringify(r)}`);
    return x.v;
  };
  if (r.t !== 'array' || r.v === null || r.v.length !== 2) throw new Error(`SCAN answered ${JSON.stringify(r)}`);
  const [next, keys] = r.v;
  if (keys.t !== 'array' || keys.v === null) throw new Error(`SCAN answered ${JSON.stringify(r)}`);
  return [bulk(next), keys.v.map(bulk)];
}

async function scanOnce(cursor: string, ...opts: string[]): Promise<[string, string[]]> {
  return scanReply(await sluice.conn.call('SCAN', cursor, ...opts));
}

/** A whole iteration; `between` runs after every call. Bounded by `maxCalls`. */
async function scanAll(opts: string[] = [], between?: (call: number) => Promise<void>, maxCalls = 10_000, from = '0') {
  const seen: string[] = [];
  let cursor = from;
  let calls = 0;
  do {
    const [next, keys] = await scanOnce(cursor, ...opts);
    seen.push(...keys);
    cursor = next;
    calls++;
    if (between) await between(calls);
  } while (cursor !== '0' && calls < maxCalls);
  return { seen, calls, done: cursor === '0' };
}

const range = (n: number, prefix = 'k') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);
const missing = (expected: Iterable<string>, seen: Iterable<string>) => {
  const got = new Set(seen);
  return [...expected].filter((k) => !got.has(k));
};

describe('SCAN iteration', () => {
  test('returns every key exactly once when nothing changes, at most COUNT per call', async () => {
    await load(range(1000));
    const { seen, calls, done } = await scanAll(['COUNT', '37']);
    expect(done).toBe(true);
    expect(seen.length).toBe(1000);
    expect(new Set(seen).size).toBe(1000);
    expect(calls).toBe(Math.ceil(1000 / 37));
  });

  test('a key present for the whole iteration is returned even while others come and go', async () => {
    const stable = range(500, 'stable');
    await load(stable);
    await load(range(500, 'churn'));
    let added = 0;
    const { seen, done } = await scanAll(['COUNT', '20'], async (call) => {
      // Delete some early keys, add new ones at the end, and delete/re-add in between.
      await sluice.conn.call('DEL', `churn${call * 3}`, `churn${call * 3 + 1}`);
      await load([`new${added++}`, `new${added++}`, `churn${call * 3 - 3}`]);
      await sluice.conn.call('DEL', `new${added - 4}`);
    });
    expect(done).toBe(true);
    expect(missing(stable, seen)).toEqual([]);
    expect(seen.filter((k) => k.startsWith('stable')).length).toBe(500);
  });

  test('many interleaved iterations each return every key present throughout, while keys are deleted, added and deleted again', async () => {
    const rnd = seededInts(7);
    await load(range(600, 'k'));
    const iterations = Array.from({ length: 40 }, () => ({
      cursor: '0',
      seen: new Set<string>(),
      calls: 0,
      count: String(5 + rnd(30)),
      from: rnd(15),
    }));
    // Keys with an even number are never touched; the odd ones and the fresh ones churn.
    const stable = range(600, 'k').filter((_, i) => i % 2 === 0);
    const churning = () => `k${2 * rnd(300) + 1}`;
    let fresh = 0;
    let active = iterations.length;
    for (let round = 0; active > 0 && round < 2000; round++) {
      for (const it of iterations) {
        if (round < it.from || (it.calls > 0 && it.cursor === '0')) continue;
        if (rnd(3) === 0) continue;
        const [next, keys] = await scanOnce(it.cursor, 'COUNT', it.count);
        for (const k of keys) it.seen.add(k);
        it.cursor = next;
        it.calls++;
        if (next === '0') active--;
      }
      const victims = Array.from({ length: 5 }, churning);
      await sluice.conn.call('DEL', ...victims, `f${fresh - 1 - rnd(20)}`, `f${fresh - 1 - rnd(20)}`);
      await load([`f${fresh++}`, `f${fresh++}`, churning(), churning()]);
    }
    expect(active).toBe(0);
    for (const it of iterations) expect(missing(stable, it.seen)).toEqual([]);
  });

  test('2,000 iterations in flight at once all complete, each with every key', async () => {
    const keys = range(500, 'key:');
    await load(keys);
    const scans = Array.from({ length: 2000 }, () => ({ cursor: '0', seen: [] as string[], done: false }));
    for (let round = 0; round < 100 && scans.some((s) => !s.done); round++) {
      const running = scans.filter((s) => !s.done);
      sluice.conn.writeRaw(Buffer.concat(running.map((s) => encodeCommand(['SCAN', s.cursor, 'COUNT', '50']))));
      for (const s of running) {
        const [next, found] = scanReply(await sluice.conn.read());
        s.seen.push(...found);
        s.cursor = next;
        s.done = next === '0';
      }
      // Churn between rounds: keys that come and go must not disturb the others.
      await load([`tmp:${round}`]);
      await sluice.conn.call('DEL', `tmp:${round - 1}`);
    }
    for (const s of scans) {
      expect(s.done).toBe(true);
      expect(missing(keys, s.seen)).toEqual([]);
      expect(s.seen.filter((k) => k.startsWith('key:')).length).toBe(500);
    }
  });

  test('a cursor can be sent again and continues the same way; any cursor is a position, one past the end walks every key', async () => {
    await load(range(100));
    const [c1, first] = await scanOnce('0', 'COUNT', '10');
    const second = await scanOnce(c1, 'COUNT', '10');
    expect(await scanOnce(c1, 'COUNT', '10')).toEqual(second);
    expect(new Set([...first, ...second[1]]).size).toBe(20);
    // Deleting what the lost reply carried: the retry continues after the cursor all the same.
    await sluice.conn.call('DEL', second[1][0]);
    const retried = await scanAll(['COUNT', '10'], undefined, 100, c1);
    expect(retried.done).toBe(true);
    expect(new Set([...first, ...retried.seen])).toEqual(new Set(range(100).filter((k) => k !== second[1][0])));
    // A cursor counts the positions left to visit: one larger than the database starts from its last key.
    const [next, top] = await scanOnce('18446744073709551615');
    expect(next).toBe('89');
    expect(new Set(top).size).toBe(10);
    const [, fromMadeUp] = await scanOnce('12', 'COUNT', '1000');
    expect(fromMadeUp.length).toBe(12);
  });

  test('MATCH and TYPE filter the keys visited, and expired keys are neither returned nor kept', async () => {
    await load([...range(100, 'user:'), ...range(100, 'order:')]);
    const db = sluice.server.keyspace.db(0);
    const hash: TypedValue = { type: 'hash', encoding: () => 'listpack', clone: () => hash, memoryUsage: () => 0 };
    db.set('user:hash', hash);
    db.setDeadline('user:7', Date.now() - 1);
    const users = await scanAll(['MATCH', 'user:*', 'COUNT', '15']);
    expect(new Set(users.seen)).toEqual(new Set([...range(100, 'user:').filter((k) => k !== 'user:7'), 'user:hash']));
    expect(db.dict.has('user:7')).toBe(false);
    const hashes = await scanAll(['TYPE', 'hash', 'COUNT', '50']);
    expect(hashes.seen).toEqual(['user:hash']);
    const strings = await scanAll(['TYPE', 'STRING', 'MATCH', '*:1?', 'COUNT', '1000']);
    expect(strings.calls).toBe(1);
    expect(new Set(strings.seen)).toEqual(new Set([...range(10, 'user:1'), ...range(10, 'order:1')]));
  });

  test('a small database is covered by one call answering cursor 0', async () => {
    await load(range(10));
    const [cursor, keys] = await scanOnce('0');
    expect(cursor).toBe('0');
    expect(keys.sort()).toEqual(range(10).sort());
  });

  test('a cursor from before FLUSHDB continues into the keys created after it', async () => {
    await load(range(50, 'old'));
    const [cursor] = await scanOnce('0', 'COUNT', '5');
    await sluice.conn.call('FLUSHDB');
    expect(await scanOnce(cursor)).toEqual(['0', []]);
    await load(range(30, 'new'));
    const after = await scanAll(['COUNT', '7'], undefined, 100, cursor);
    expect(after.done).toBe(true);
    expect(after.seen.sort()).toEqual(range(30, 'new').sort());
    await sluice.conn.call('FLUSHALL');
    expect(await scanOnce(cursor)).toEqual(['0', []]);
  });

  test('every path that adds or removes keys keeps the dictionary\'s positions in step with its keys', async () => {
    const ks = sluice.server.keyspace;
    const c = sluice.conn;
    await load(range(200, 'a'));
    await c.call('DEL', 'a0', 'a1', 'nosuch');
    await c.call('UNLINK', 'a2');
    await c.call('RENAME', 'a3', 'renamed');
    await c.call('RENAME', 'a4', 'a5');
    await c.call('RENAMENX', 'a6', 'a7');
    await c.call('MOVE', 'a8', '1');
    await c.call('COPY', 'a9', 'copied');
    await c.call('COPY', 'a10', 'a11', 'DB', '1');
    await c.call('SET', 'a12', 'overwritten');
    await c.call('GETDEL', 'a13');
    await c.call('SET', 'lazy', 'v', 'PX', '1');
    await c.call('SET', 'active', 'v', 'PX', '1');
    for (let i = 0; i < 50; i++) await c.call('SET', `ttl${i}`, 'v', 'PX', '1');
    await new Promise((r) => setTimeout(r, 5));
    expect(await c.call('GET', 'lazy')).toEqual({ t: 'bulk', v: null });
    for (let i = 0; i < 100 && ks.db(0).expires.size > 0; i++) ks.activeExpireCycle(5);
    await c.call('SELECT', '2');
    await load(range(20, 'b'));
    await c.call('SWAPDB', '0', '2');
    await c.call('SELECT', '3');
    await load(range(10, 'gone'));
    await c.call('FLUSHDB');
    await load(['after-flush']);
    for (const db of ks.dbs) {
      const keys = [...db.dict.keys()];
      expect(keys.length).toBe(db.size);
      keys.forEach((k, i) => expect(db.dict.indexOf(k)).toBe(i));
    }
    expect(ks.db(0).size).toBe(20);
    expect(ks.db(2).dict.has('renamed')).toBe(true);
    expect(ks.db(2).dict.has('a3')).toBe(false);
    expect(ks.db(2).dict.has('ttl0')).toBe(false);
    expect([...ks.db(3).dict.keys()]).toEqual(['after-flush']);
  });

  test('after a restart a cursor from before it is still a valid continuation', async () => {
    const dir = tmp();
    const first = await start(dir);
    first.c.writeRaw(Buffer.concat(range(300).map((k) => encodeCommand(['SET', k, 'v']))));
    for (let i = 0; i < 300; i++) await first.c.read();
    let cursor = '0';
    for (let i = 0; i < 3; i++) [cursor] = scanReply(await first.c.call('SCAN', cursor, 'COUNT', '50'));
    await stop(first);
    const { c } = await start(dir);
    const seen: string[] = [];
    let calls = 0;
    do {
      const [next, keys] = scanReply(await c.call('SCAN', cursor, 'COUNT', '50'));
      seen.push(...keys);
      cursor = next;
    } while (cursor !== '0' && ++calls < 100);
    expect(cursor).toBe('0');
    expect(seen.every((k) => /^k\d+$/.test(k))).toBe(true);
  });
});
