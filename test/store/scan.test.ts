import { describe, expect, test } from 'vitest';
import { BigMap } from '../../src/store/keyspace/big-map.js';
import { ScanCursors } from '../../src/store/keyspace/scan-cursors.js';
import type { TypedValue } from '../../src/store/keyspace/value.js';
import { useSluice } from '../helpers/fixture.js';
import { encodeCommand, type Resp } from '../helpers/resp-client.js';

const sluice = useSluice({ conn: 'fresh' });

/** Loads keys through one pipelined write. */
async function load(keys: string[]): Promise<void> {
  if (keys.length === 0) return;
  sluice.conn.writeRaw(Buffer.concat(keys.map((k) => encodeCommand(['SET', k, 'v']))));
  for (let i = 0; i < keys.length - 1; i++) await sluice.conn.read();
  await sluice.conn.read();
}

async function scanOnce(cursor: string, ...opts: string[]): Promise<[string, string[]]> {
  const r = (await sluice.conn.call('SCAN', cursor, ...opts)) as { t: 'array'; v: Resp[] };
  const [next, keys] = r.v as [{ v: string }, { v: { v: string }[] }];
  return [next.v, keys.v.map((k) => k.v)];
}

/** A whole iteration; `between` runs after every call. Bounded by `maxCalls`. */
async function scanAll(opts: string[] = [], between?: (call: number) => Promise<void>, maxCalls = 10_000) {
  const seen: string[] = [];
  let cursor = '0';
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
      await load([`new${added++}`, `new${added++}`]);
      await sluice.conn.call('DEL', `new${added - 4}`);
    });
    expect(done).toBe(true);
    const got = new Set(seen);
    expect(stable.filter((k) => !got.has(k))).toEqual([]);
  });

  test('MATCH and TYPE filter the keys visited, and expired keys are neither returned nor kept', async () => {
    await load([...range(100, 'user:'), ...range(100, 'order:')]);
    const db = sluice.server.keyspace.db(0);
    const hash: TypedValue = { type: 'hash', encoding: () => 'listpack', clone: () => hash };
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

  test('an unknown or already used cursor restarts the iteration rather than losing keys', async () => {
    await load(range(100));
    const [c1, first] = await scanOnce('0', 'COUNT', '10');
    await scanOnce(c1, 'COUNT', '10');
    const again = await scanAll(['COUNT', '10']);
    expect(again.done).toBe(true);
    const [, replay] = await scanOnce(c1, 'COUNT', '10');
    expect(replay).toEqual(first);
    const [, invented] = await scanOnce('12345', 'COUNT', '10');
    expect(invented).toEqual(first);
  });

  test('a cursor from another database restarts in the current one', async () => {
    await load(range(30, 'db0-'));
    await sluice.conn.call('SELECT', '1');
    await load(range(5, 'db1-'));
    await sluice.conn.call('SELECT', '0');
    const [c1] = await scanOnce('0', 'COUNT', '10');
    await sluice.conn.call('SELECT', '1');
    const [next, keys] = await scanOnce(c1, 'COUNT', '10');
    expect(next).toBe('0');
    expect(keys.sort()).toEqual(range(5, 'db1-').sort());
  });

  test('FLUSHDB forgets the iterations over the flushed database', async () => {
    await load(range(50));
    const before = sluice.server.keyspace.scans.size;
    await scanOnce('0', 'COUNT', '5');
    expect(sluice.server.keyspace.scans.size).toBe(before + 1);
    await sluice.conn.call('FLUSHDB');
    expect(sluice.server.keyspace.scans.size).toBe(before);
  });
});

describe('ScanCursors', () => {
  const filled = (n: number) => {
    const m = new BigMap<string, number>();
    for (let i = 0; i < n; i++) m.set(`k${i}`, i);
    return m;
  };

  test('visits at most COUNT entries per step', () => {
    const cursors = new ScanCursors<string>();
    const m = filled(100);
    let cursor = '0';
    let steps = 0;
    const seen: string[] = [];
    do {
      let visits = 0;
      cursor = cursors.step(cursor, m, 7, (k) => {
        visits++;
        seen.push(k);
      });
      expect(visits).toBeLessThanOrEqual(7);
      steps++;
    } while (cursor !== '0' && steps < 100);
    expect(seen).toEqual([...m.keys()]);
  });

  test('keeps at most `capacity` parked iterations; an evicted one restarts', () => {
    const cursors = new ScanCursors<string>(3);
    const m = filled(20);
    const first = cursors.step('0', m, 5, () => {});
    for (let i = 0; i < 3; i++) cursors.step('0', m, 5, () => {});
    expect(cursors.size).toBe(3);
    const seen: string[] = [];
    cursors.step(first, m, 5, (k) => seen.push(k));
    expect(seen).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
  });

  test('maintain() moves a parked iterator on under churn without losing its place', () => {
    const cursors = new ScanCursors<string>();
    const m = filled(100);
    const seen: string[] = [];
    let cursor = cursors.step('0', m, 10, (k) => seen.push(k));
    for (let round = 0; round < 5; round++) {
      for (let i = 0; i < 3000; i++) {
        m.set(`tmp${i}`, i);
        m.delete(`tmp${i}`);
      }
      cursors.maintain();
    }
    for (let calls = 0; cursor !== '0' && calls < 100; calls++) cursor = cursors.step(cursor, m, 10, (k) => seen.push(k));
    expect(cursor).toBe('0');
    expect(seen.filter((k) => k.startsWith('k'))).toEqual(range(100));
  });

  test('maintain() drops an iteration idle through so much churn that its buffer filled', () => {
    const cursors = new ScanCursors<string>();
    const m = filled(5000);
    cursors.step('0', m, 10, () => {});
    for (let round = 0; round < 1100 && cursors.size > 0; round++) {
      for (let i = 0; i < 630; i++) {
        m.set(`tmp${i}`, i);
        m.delete(`tmp${i}`);
      }
      cursors.maintain();
    }
    expect(cursors.size).toBe(0);
  });
});
