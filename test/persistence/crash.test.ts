import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { scratch } from '../helpers/aof.js';
import { ensureBuild, startChild, type ChildSluice } from '../helpers/child-sluice.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';

/**
 * Durability with Sluice as a child process killed by SIGKILL: clients
 * record every write the server acknowledged (and every one they sent),
 * then the restarted server must hold each acknowledged write and nothing
 * that was never sent.
 */

const sc = scratch('sluice-crash-');
beforeAll(() => ensureBuild(), 120_000);
afterAll(() => sc.remove());

/** Every child started, so that a failed test leaves none behind. */
const children: ChildSluice[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.kill('SIGKILL')));
});

async function spawnSluice(args: string[]): Promise<ChildSluice> {
  const child = await startChild(args);
  children.push(child);
  return child;
}

const CLIENTS = 4;
const WINDOW = 16;

/** Per client and round, how many writes of each kind were sent and acknowledged (replies come in order). */
interface Counts {
  sent: number;
  acked: number;
}
interface Tally {
  set: Counts;
  incr: Counts;
  lpush: Counts;
  tx: Counts;
  script: Counts;
}

const newTally = (): Tally => ({
  set: { sent: 0, acked: 0 },
  incr: { sent: 0, acked: 0 },
  lpush: { sent: 0, acked: 0 },
  tx: { sent: 0, acked: 0 },
  script: { sent: 0, acked: 0 },
});

/**
 * One EVAL that writes every type at once: a string, a hash field, a set
 * member, a sorted set member and a stream entry, all named by its number,
 * and counts itself. After a crash it must be there whole or not at all.
 */
const EVERY_TYPE = `local n = ARGV[1]
redis.call('SET', KEYS[1] .. ':s:' .. n, n)
redis.call('HSET', KEYS[1] .. ':h', n, n)
redis.call('SADD', KEYS[1] .. ':set', n)
redis.call('ZADD', KEYS[1] .. ':z', n, n)
redis.call('XADD', KEYS[1] .. ':x', '*', 'n', n)
return redis.call('INCR', KEYS[1] .. ':count')`;

function ok(r: Resp): boolean {
  return r.t !== 'error';
}

/**
 * Writes until the connection dies, WINDOW requests in flight: SET of a new
 * key, INCR, LPUSH, MULTI (two SETs and an INCR) EXEC, and a script writing
 * every type, in turn.
 */
async function writeUntilKilled(c: RespClient, prefix: string, t: Tally): Promise<void> {
  const inflight = new Set<Promise<unknown>>();
  let dead = false;
  const track = (p: Promise<boolean>, counts: Counts) => {
    const q: Promise<unknown> = p.then(
      (good) => {
        if (good) counts.acked++;
        inflight.delete(q);
      },
      () => {
        dead = true;
        inflight.delete(q);
      },
    );
    inflight.add(q);
  };
  for (let i = 0; !dead && i < 10_000_000; i++) {
    switch (i % 5) {
      case 0: {
        const n = ++t.set.sent;
        track(c.call('SET', `${prefix}:s:${n}`, String(n)).then(ok), t.set);
        break;
      }
      case 1:
        t.incr.sent++;
        track(c.call('INCR', `${prefix}:n`).then(ok), t.incr);
        break;
      case 2: {
        const n = ++t.lpush.sent;
        track(c.call('LPUSH', `${prefix}:l`, String(n)).then(ok), t.lpush);
        break;
      }
      case 3: {
        const n = ++t.script.sent;
        track(c.call('EVAL', EVERY_TYPE, '1', `${prefix}:ev`, String(n)).then((r) => r.t === 'int'), t.script);
        break;
      }
      default: {
        const n = ++t.tx.sent;
        const parts = [
          c.call('MULTI'),
          c.call('SET', `${prefix}:tx:${n}:a`, String(n)),
          c.call('SET', `${prefix}:tx:${n}:b`, String(n)),
          c.call('INCR', `${prefix}:txc`),
        ];
        const exec = c.call('EXEC');
        track(Promise.all([...parts, exec]).then((rs) => rs.every(ok) && rs[4].t === 'array'), t.tx);
      }
    }
    if (inflight.size >= WINDOW) await Promise.race(inflight);
  }
  await Promise.allSettled(inflight);
}

function int(r: Resp): number {
  if (r.t === 'int') return Number(r.v);
  if (r.t === 'bulk') return r.v === null ? 0 : Number(r.v);
  throw new Error(`not a number: ${JSON.stringify(r)}`);
}

/** Checks one client's writes of one round against what it recorded. */
async function verify(c: RespClient, prefix: string, t: Tally): Promise<void> {
  const sets = await Promise.all(Array.from({ length: t.set.sent + 2 }, (_, i) => c.call('GET', `${prefix}:s:${i + 1}`)));
  sets.forEach((r, i) => {
    const n = i + 1;
    if (n <= t.set.acked) expect(r, `${prefix}:s:${n} was acknowledged`).toEqual({ t: 'bulk', v: String(n) });
    else if (n > t.set.sent) expect(r, `${prefix}:s:${n} was never sent`).toEqual({ t: 'bulk', v: null });
    else if (r.t === 'bulk' && r.v !== null) expect(r.v).toBe(String(n));
  });
  const counter = int(await c.call('GET', `${prefix}:n`));
  expect(counter).toBeGreaterThanOrEqual(t.incr.acked);
  expect(counter).toBeLessThanOrEqual(t.incr.sent);
  const list = await c.call('LRANGE', `${prefix}:l`, '0', '-1');
  const items = list.t === 'array' && list.v !== null ? list.v.map((x) => (x as { v: string }).v) : [];
  expect(items.length).toBeGreaterThanOrEqual(t.lpush.acked);
  expect(items.length).toBeLessThanOrEqual(t.lpush.sent);
  expect(items).toEqual(Array.from({ length: items.length }, (_, i) => String(items.length - i)));
  const txs = await Promise.all(
    Array.from({ length: t.tx.sent + 1 }, (_, i) => c.call('MGET', `${prefix}:tx:${i + 1}:a`, `${prefix}:tx:${i + 1}:b`)),
  );
  let present = 0;
  txs.forEach((r, i) => {
    const n = i + 1;
    const [a, b] = (r as { v: { v: string | null }[] }).v.map((x) => x.v);
    expect(a, `${prefix} transaction ${n} is all or nothing`).toBe(b);
    if (n <= t.tx.acked) expect(a, `${prefix} transaction ${n} was acknowledged`).toBe(String(n));
    if (n > t.tx.sent) expect(a).toBeNull();
    if (a !== null) present++;
  });
  expect(int(await c.call('GET', `${prefix}:txc`))).toBe(present);
  await verifyScripts(c, `${prefix}:ev`, t.script);
}

/** The scripts' writes: each number whole in every type or absent from all, acknowledged ones present. */
async function verifyScripts(c: RespClient, key: string, t: Counts): Promise<void> {
  const count = int(await c.call('GET', `${key}:count`));
  expect(count).toBeGreaterThanOrEqual(t.acked);
  expect(count).toBeLessThanOrEqual(t.sent);
  const entries = await c.call('XRANGE', `${key}:x`, '-', '+');
  const streamed = entries.t === 'array' && entries.v !== null ? entries.v.map((e) => ((e as { v: { v: { v: string }[] }[] }).v[1].v[1].v)) : [];
  // Scripts from one client run in the order sent, so the first `count` of them are there.
  expect(streamed).toEqual(Array.from({ length: count }, (_, i) => String(i + 1)));
  for (let n = 1; n <= t.sent + 1; n++) {
    const present = n <= count;
    const v = String(n);
    const shown = present ? v : null;
    expect(await c.call('GET', `${key}:s:${n}`), `script ${n} string`).toEqual({ t: 'bulk', v: shown });
    expect(await c.call('HGET', `${key}:h`, v), `script ${n} hash`).toEqual({ t: 'bulk', v: shown });
    expect(await c.call('SISMEMBER', `${key}:set`, v), `script ${n} set`).toEqual({ t: 'int', v: present ? '1' : '0' });
    expect(await c.call('ZSCORE', `${key}:z`, v), `script ${n} sorted set`).toEqual({ t: 'bulk', v: shown });
  }
}

/** Whether a round has had enough writes acknowledged to be worth killing: more than ten SETs or transactions, and a script. */
function enoughAcked(tallies: Tally[]): boolean {
  return tallies.reduce((n, t) => n + t.set.acked + t.tx.acked, 0) > 10 && tallies.some((t) => t.script.acked > 0);
}

/**
 * Writes from every client, then SIGKILL once `killAfterMs` has passed and
 * enough writes were acknowledged (a slow disk under appendfsync always can
 * acknowledge few in the first hundreds of milliseconds), or after 20 s.
 */
async function round(child: ChildSluice, prefix: string, killAfterMs: number): Promise<Tally[]> {
  const tallies = Array.from({ length: CLIENTS }, newTally);
  const clients = await Promise.all(tallies.map(() => RespClient.connect(child.port)));
  const writing = clients.map((c, i) => writeUntilKilled(c, `${prefix}:c${i}`, tallies[i]));
  await new Promise((r) => setTimeout(r, killAfterMs));
  for (const giveUp = Date.now() + 20_000; !enoughAcked(tallies) && Date.now() < giveUp; ) await new Promise((r) => setTimeout(r, 10));
  await child.kill('SIGKILL');
  await Promise.all(writing);
  for (const c of clients) c.close();
  return tallies;
}

describe('crash durability', () => {
  test('appendfsync always: after SIGKILL every acknowledged write (transactions and scripts of every type included) is there, whole, and nothing never sent', async () => {
    const dir = `${sc.dir}/always`;
    const args = ['--dir', dir, '--appendfsync', 'always', '--auto-aof-rewrite-min-size', '256kb'];
    const history: [string, Tally[]][] = [];
    for (let r = 0; r < 4; r++) {
      const child = await spawnSluice(args);
      const check = await RespClient.connect(child.port);
      for (const [prefix, tallies] of history) {
        await Promise.all(tallies.map((t, i) => verify(check, `${prefix}:c${i}`, t)));
      }
      // One round dies while a rewrite is running.
      if (r === 2) expect((await check.call('BGREWRITEAOF')).t).toBe('simple');
      check.close();
      const prefix = `r${r}`;
      const tallies = await round(child, prefix, 150 + Math.floor(Math.random() * 450));
      expect(tallies.reduce((n, t) => n + t.set.acked + t.tx.acked, 0)).toBeGreaterThan(10);
      expect(tallies.reduce((n, t) => n + t.script.acked, 0)).toBeGreaterThan(0);
      history.push([prefix, tallies]);
    }
    const child = await spawnSluice(args);
    const check = await RespClient.connect(child.port);
    for (const [prefix, tallies] of history) await Promise.all(tallies.map((t, i) => verify(check, `${prefix}:c${i}`, t)));
    check.close();
    await child.kill('SIGKILL');
  }, 120_000);

  test('SIGTERM and SIGINT write and fsync the AOF before the process exits', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const args = ['--dir', `${sc.dir}/${signal}`, '--appendfsync', 'no'];
      const child = await spawnSluice(args);
      const c = await RespClient.connect(child.port);
      await Promise.all(Array.from({ length: 200 }, (_, i) => c.call('SET', `k${i}`, String(i))));
      c.close();
      child.child.kill(signal);
      expect(await child.exited).toEqual({ code: 0, signal: null });
      expect(child.output()).toContain('Calling fsync() on the AOF file.');
      const again = await spawnSluice(args);
      const check = await RespClient.connect(again.port);
      expect(await check.call('DBSIZE')).toEqual({ t: 'int', v: '200' });
      check.close();
    }
  }, 60_000);

  test('appendfsync everysec: at most about two seconds of acknowledged writes are lost', async () => {
    const dir = `${sc.dir}/everysec`;
    const args = ['--dir', dir, '--appendfsync', 'everysec'];
    const child = await spawnSluice(args);
    const c = await RespClient.connect(child.port);
    const ackedAt: number[] = [];
    let sent = 0;
    let dead = false;
    const inflight = new Set<Promise<unknown>>();
    const writer = (async () => {
      while (!dead && sent < 10_000_000) {
        const n = ++sent;
        const p: Promise<unknown> = c.call('SET', `e:${n}`, String(n)).then(
          () => {
            ackedAt[n] = Date.now();
            inflight.delete(p);
          },
          () => {
            dead = true;
            inflight.delete(p);
          },
        );
        inflight.add(p);
        if (inflight.size >= WINDOW) await Promise.race(inflight);
      }
      await Promise.allSettled(inflight);
    })();
    await new Promise((r) => setTimeout(r, 1200 + Math.floor(Math.random() * 800)));
    const killedAt = Date.now();
    await child.kill('SIGKILL');
    await writer;
    c.close();
    const again = await spawnSluice(args);
    const check = await RespClient.connect(again.port);
    const lost: number[] = [];
    for (let from = 1; from <= sent; from += 1000) {
      const batch = Array.from({ length: Math.min(1000, sent - from + 1) }, (_, i) => from + i);
      const exists = await Promise.all(batch.map((n) => check.call('EXISTS', `e:${n}`)));
      exists.forEach((r, i) => {
        const at = ackedAt[batch[i]];
        if (int(r) === 0 && at !== undefined) lost.push(at);
      });
    }
    check.close();
    await again.kill('SIGKILL');
    expect(ackedAt.filter((x) => x !== undefined).length).toBeGreaterThan(100);
    for (const at of lost) expect(killedAt - at).toBeLessThanOrEqual(2000);
  }, 60_000);
});
