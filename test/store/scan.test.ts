import { describe, expect, test } from 'vitest';
import { BigMap } from '../../src/store/keyspace/big-map.js';
import { ScanOrder } from '../../src/store/keyspace/scan-order.js';
import type { TypedValue } from '../../src/store/keyspace/value.js';
import { perTest, useSluice } from '../helpers/fixture.js';
import { encodeCommand, type Resp } from '../helpers/resp-client.js';
import { seededInts } from '../helpers/seeded.js';

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

/** Every entry of a ScanOrder, stale ones included, in order. */
function entries<K>(order: ScanOrder<K>): K[] {
  const out: K[] = [];
  let cursor = 0;
  do cursor = order.scan(cursor, 100, out);
  while (cursor !== 0);
  return out;
}

/** A set with a ScanOrder beside it, fed and read as a collection would. */
function ordered() {
  const members = new Set<string>();
  const order = new ScanOrder<string>({
    get size() {
      return members.size;
    },
    partCount: 1,
    partKeys: () => members.keys(),
  });
  return {
    members,
    order,
    add(key: string) {
      if (members.has(key)) return;
      members.add(key);
      order.added(key);
    },
    remove(key: string) {
      if (members.delete(key)) order.removed();
    },
    /** One call, keeping the members among the keys handed out. */
    step(cursor: number, count: number, out: string[]): number {
      const keys: string[] = [];
      const next = order.scan(cursor, count, keys);
      for (const k of keys) if (members.has(k)) out.push(k);
      return next;
    },
    /** A whole iteration, in order. */
    all(count = 10, from = 0): string[] {
      const out: string[] = [];
      let cursor = from;
      let calls = 0;
      do cursor = this.step(cursor, count, out);
      while (cursor !== 0 && ++calls < 1_000_000);
      return out;
    },
  };
}

describe('ScanOrder', () => {
  test('walks members in arrival order, at most COUNT per call, ending with cursor 0 on the last batch', () => {
    const s = ordered();
    for (const k of range(100)) s.add(k);
    let cursor = 0;
    let calls = 0;
    const seen: string[] = [];
    do {
      const out: string[] = [];
      cursor = s.step(cursor, 7, out);
      expect(out.length).toBeLessThanOrEqual(7);
      seen.push(...out);
      calls++;
    } while (cursor !== 0 && calls < 100);
    expect(seen).toEqual(range(100));
    expect(calls).toBe(Math.ceil(100 / 7));
    expect(s.step(0, 1, [])).not.toBe(0);
  });

  test('a member that left and came back appears twice until compaction keeps only one of its entries', () => {
    const s = ordered();
    for (const k of range(10)) s.add(k);
    s.remove('k3');
    expect(s.all()).toEqual(range(10).filter((k) => k !== 'k3'));
    s.add('k3');
    expect(s.all()).toEqual([...range(10), 'k3']);
    s.remove('k8');
    expect(s.order.length).toBe(11);
    // Three stale entries (k3's first, k8, k9) against eight members: compaction is due.
    s.remove('k9');
    expect(s.order.length).toBe(8);
    expect(s.all()).toEqual([...range(8).filter((k) => k !== 'k3'), 'k3']);
  });

  test('a cursor is a position: sending it again, or after changes, continues from there', () => {
    const s = ordered();
    for (const k of range(50)) s.add(k);
    const first: string[] = [];
    const c1 = s.step(0, 10, first);
    const again: string[] = [];
    const c2 = s.step(c1, 10, again);
    const retry: string[] = [];
    expect(s.step(c1, 10, retry)).toBe(c2);
    expect(retry).toEqual(again);
    expect(again).toEqual(range(20).slice(10));
    s.remove('k10');
    s.add('late');
    expect(s.all(10, c1)).toEqual([...range(50).slice(11), 'late']);
    expect(s.step(Number.MAX_SAFE_INTEGER, 10, [])).toBe(0);
  });

  test('a call hands out at most COUNT entries, stale ones included, for the caller to skip', () => {
    const s = ordered();
    for (const k of range(10_000)) s.add(k);
    // Few enough removals, relative to what is left, for no compaction to be due.
    for (const k of range(1000)) s.remove(k);
    expect(s.order.length).toBe(10_000);
    const keys: string[] = [];
    const cursor = s.order.scan(0, 10, keys);
    expect(keys).toEqual(range(10));
    expect(cursor).toBe(11);
    expect(s.all(100)).toEqual(range(10_000).slice(1000));
  });

  test('compaction during iterations keeps every member present throughout in its place', () => {
    const s = ordered();
    const all = range(20_000);
    for (const k of all) s.add(k);
    const rnd = seededInts(11);
    // Each iteration takes 1 to 150 of the 200 calls a whole one needs.
    const iterations = Array.from({ length: 50 }, () => ({ cursor: 0, seen: [] as string[] }));
    for (const it of iterations) {
      for (let steps = 1 + rnd(150); steps > 0; steps--) it.cursor = s.step(it.cursor, 100, it.seen);
    }
    const survivors = all.filter((_, i) => i % 10 === 3);
    const survive = new Set(survivors);
    for (const k of all) if (!survive.has(k) && rnd(2) === 0) s.remove(k);
    for (const k of all) if (!survive.has(k)) s.remove(k);
    // Compaction ran: most stale entries are gone.
    expect(s.order.length).toBeLessThan(5000);
    for (const it of iterations) {
      let calls = 0;
      while (it.cursor !== 0 && calls++ < 10_000) it.cursor = s.step(it.cursor, 100, it.seen);
      expect(it.cursor).toBe(0);
      expect(missing(survivors, it.seen)).toEqual([]);
      expect(it.seen.filter((k) => survive.has(k)).length).toBe(2000);
    }
    expect(s.all(33)).toEqual(survivors);
  });

  test('random interleaving of iterations and changes: every member present throughout is returned, duplicates are rare', () => {
    const s = ordered();
    const rnd = seededInts(42);
    const universe = range(3000, 'u');
    for (const k of universe.slice(0, 2000)) s.add(k);
    /** When each key last arrived or left, in operations. */
    const changed = new Map<string, number>();
    let ops = 0;
    let started = 0;
    let finished = 0;
    let compacted = 0;
    let returned = 0;
    let duplicates = 0;
    type It = { cursor: number; begun: number; before: string[]; seen: string[] };
    const running: It[] = [];
    while (finished < 400) {
      if (running.length < 60 && started < 400) {
        running.push({ cursor: 0, begun: ops, before: [...s.members], seen: [] });
        started++;
      }
      if (rnd(10) < 6) {
        const i = rnd(running.length);
        const it = running[i];
        it.cursor = s.step(it.cursor, 1 + rnd(40), it.seen);
        if (it.cursor === 0) {
          const throughout = new Set(it.before.filter((k) => (changed.get(k) ?? -1) < it.begun));
          expect(missing(throughout, it.seen)).toEqual([]);
          const ofThroughout = it.seen.filter((k) => throughout.has(k));
          returned += ofThroughout.length;
          duplicates += ofThroughout.length - new Set(ofThroughout).size;
          running.splice(i, 1);
          finished++;
        }
      } else {
        const k = universe[rnd(universe.length)];
        const stale = s.order.length - s.members.size;
        if (s.members.has(k)) s.remove(k);
        else s.add(k);
        if (s.order.length - s.members.size < stale) compacted++;
        changed.set(k, ops++);
      }
    }
    expect(compacted).toBeGreaterThan(0);
    expect(duplicates).toBeLessThan(returned / 100);
    expect(entries(s.order).length).toBe(s.order.length);
    expect(new Set(s.all(50))).toEqual(s.members);
  });

  test('whatever arrives and leaves, and whenever compaction runs, a full walk reaches every member', () => {
    const s = ordered();
    const rnd = seededInts(5);
    const universe = range(2600, 'w');
    let checks = 0;
    for (let op = 0; op < 40_000; op++) {
      // Phases that grow and shrink the collection across several chunks.
      const growing = Math.floor(op / 4000) % 2 === 0;
      const k = universe[rnd(universe.length)];
      if (s.members.has(k)) {
        if (!growing || rnd(3) === 0) s.remove(k);
      } else if (growing || rnd(3) === 0) {
        s.add(k);
      }
      if (op % 97 === 0) {
        checks++;
        expect(missing(s.members, s.all(1 + rnd(300)))).toEqual([]);
        expect(entries(s.order).length).toBe(s.order.length);
      }
    }
    expect(checks).toBeGreaterThan(400);
  });

  test('a member arriving while a compaction pass is under way is kept, even after the pass has met every older member', () => {
    const s = ordered();
    const older = range(1024, 'a');
    for (const k of older) s.add(k);
    // A second chunk whose entries are all stale: once compaction has done the
    // first chunk, no member is left for its walk to expect.
    for (const k of range(100, 'c')) s.add(k);
    for (const k of range(100, 'c')) s.remove(k);
    let i = 0;
    let length = s.order.length;
    while (s.order.length === length && i < 500) s.remove(older[i++]);
    expect(s.order.length).toBeLessThan(length);
    s.add('late');
    length = s.order.length;
    while (s.order.length === length && i < 1000) s.remove(older[i++]);
    expect(s.order.length).toBeLessThan(length);
    expect(s.all()).toContain('late');
  });

  test('clear() drops every entry but not the numbering, so an older cursor reaches members added later', () => {
    const s = ordered();
    for (const k of range(20)) s.add(k);
    const cursor = s.step(0, 5, []);
    s.order.clear();
    s.members.clear();
    expect(s.order.length).toBe(0);
    expect(s.step(cursor, 10, [])).toBe(0);
    for (const k of range(5, 'n')) s.add(k);
    expect(s.all(2, cursor)).toEqual(range(5, 'n'));
    expect(s.order.nextSeq).toBe(26);
  });

  test('the last member leaving empties the log at once', () => {
    const s = ordered();
    for (const k of range(3000)) s.add(k);
    for (const k of range(3000)) s.remove(k);
    expect(s.order.length).toBe(0);
    s.add('again');
    expect(s.all()).toEqual(['again']);
  });
});

describe('BigMap with a ScanOrder', () => {
  test('compaction walks every part: a full walk reaches every key through arrivals and departures', () => {
    const m = new BigMap<string, number>(64, 1);
    const order = m.order!;
    const rnd = seededInts(3);
    const universe = range(1000, 'p');
    for (let op = 0; op < 30_000; op++) {
      const growing = Math.floor(op / 3000) % 2 === 0;
      const k = universe[rnd(universe.length)];
      if (m.has(k)) {
        if (!growing || rnd(3) === 0) m.delete(k);
        else m.set(k, op);
      } else if (growing || rnd(3) === 0) {
        m.set(k, op);
      }
      if (op % 89 === 0) {
        const seen: string[] = [];
        let cursor = 0;
        do cursor = order.scan(cursor, 1 + rnd(100), seen);
        while (cursor !== 0);
        expect(missing(m.keys(), seen)).toEqual([]);
      }
    }
    expect(entries(order).length).toBe(order.length);
    expect(order.length).toBeLessThan(2 * m.size + 1024);
  });

  test('reports arrivals and departures in every part, but not updates in place', () => {
    const m = new BigMap<string, number>(100, 1);
    for (let i = 0; i < 450; i++) m.set(`k${i}`, i);
    m.set('k7', -7);
    m.set('k420', -420);
    expect(m.delete('k5')).toBe(true);
    expect(m.delete('k5')).toBe(false);
    expect(m.delete('k440')).toBe(true);
    m.set('fresh', 1);
    const order = m.order!;
    const seen = entries(order);
    expect(seen.length).toBe(order.length);
    expect(seen.filter((k) => m.has(k))).toEqual([...range(450).filter((k) => k !== 'k5' && k !== 'k440'), 'fresh']);
    m.clear();
    expect(order.length).toBe(0);
  });
});
