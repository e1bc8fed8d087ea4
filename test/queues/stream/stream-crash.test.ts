import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { scratch } from '../../helpers/aof.js';
import { ensureBuild, startChild, type ChildSluice } from '../../helpers/child-sluice.js';
import { RespClient, type Resp } from '../../helpers/resp-client.js';

/**
 * Consumer-group durability with Sluice as a child process killed by
 * SIGKILL under appendfsync always: producers XADD, consumers XREADGROUP
 * and XACK, a claimer moves entries with XAUTOCLAIM and XCLAIM and acks
 * some; every reply the server sent is recorded. After a restart the
 * stream, the pending entries list and the group's header must agree with
 * every acknowledged reply, and anything the ledger does not know must come
 * from a command that was in flight when the process died.
 */

const sc = scratch('sluice-stream-crash-');
beforeAll(() => ensureBuild(), 120_000);
afterAll(() => sc.remove());

const children: ChildSluice[] = [];
afterEach(async () => {
  await Promise.all(children.splice(0).map((c) => c.kill('SIGKILL')));
});

async function spawnSluice(args: string[]): Promise<ChildSluice> {
  const child = await startChild(args, 30_000);
  children.push(child);
  return child;
}

const KEY = 'jobs';
const GROUP = 'workers';
const PRODUCERS = 2;
const CONSUMERS = 3;
const WINDOW = 8;
/** The claimer's two identities: XAUTOCLAIM claims for one, XCLAIM for the other. */
const AUTO = 'auto-claimer';
const MANUAL = 'manual-claimer';

type Id = [number, number];
const parseId = (s: string): Id => {
  const [ms, seq] = s.split('-');
  return [Number(ms), Number(seq)];
};
function compareIds(a: string, b: string): number {
  const [am, as] = parseId(a);
  const [bm, bs] = parseId(b);
  return am !== bm ? am - bm : as - bs;
}

function arr(r: Resp): Resp[] {
  if (r.t !== 'array' || r.v === null) throw new Error(`expected an array, got ${JSON.stringify(r)}`);
  return r.v;
}
function str(r: Resp): string {
  if (r.t === 'bulk' && r.v !== null) return r.v;
  if (r.t === 'simple' || r.t === 'int') return r.v;
  throw new Error(`expected a string, got ${JSON.stringify(r)}`);
}
/** [id, {field: value}] of each entry of an entry-list reply. */
function entries(r: Resp): [string, Record<string, string>][] {
  return arr(r).map((e) => {
    const [id, pairs] = arr(e);
    const flat = arr(pairs).map(str);
    const fields: Record<string, string> = {};
    for (let i = 0; i < flat.length; i += 2) fields[flat[i]] = flat[i + 1];
    return [str(id), fields];
  });
}

interface Producer {
  name: string;
  sent: number;
  acked: number;
  /** The ID of each acknowledged XADD, by its number (1-based). */
  ids: string[];
}

/** What the clients know from the replies they got, and what they sent without an answer. */
class Ledger {
  producers: Producer[] = [];
  /** The consumer each delivered (or claimed) entry belongs to, as far as acknowledged replies tell. */
  owner = new Map<string, string>();
  /** IDs in an acknowledged XACK, and in one sent but not answered. */
  acked = new Set<string>();
  ackInFlight = new Set<string>();
  lastDelivered = '0-0';
  readsInFlight = new Set<string>();
  claimInFlight: { target: string; ids: Set<string> | 'any' } | null = null;
  /** Entries a consumer left pending, for the claimer's XCLAIM, and entries the claimer took with XAUTOCLAIM, for its XACK. */
  leftPending: string[] = [];
  autoClaimed: string[] = [];
  deliveries = 0;
  claims = 0;

  deliver(consumer: string, id: string): void {
    // A claim of this entry may have been read first from the claimer's connection; the delivery came before it.
    if (!this.owner.has(id)) this.owner.set(id, consumer);
    if (compareIds(id, this.lastDelivered) > 0) this.lastDelivered = id;
    this.deliveries++;
  }

  sendAck(c: RespClient, ids: string[]): void {
    for (const id of ids) this.ackInFlight.add(id);
    c.call('XACK', KEY, GROUP, ...ids).then(
      (r) => {
        if (r.t !== 'int') return;
        for (const id of ids) {
          this.ackInFlight.delete(id);
          this.acked.add(id);
        }
      },
      () => {},
    );
  }
}

/** XADDs of fields p (the producer) and n (its count) until the connection dies, WINDOW in flight. */
async function produce(c: RespClient, p: Producer): Promise<void> {
  const inflight = new Set<Promise<unknown>>();
  let dead = false;
  for (let i = 0; !dead && i < 1_000_000; i++) {
    const n = ++p.sent;
    const q: Promise<unknown> = c.call('XADD', KEY, '*', 'p', p.name, 'n', String(n)).then(
      (r) => {
        if (r.t === 'bulk' && r.v !== null) {
          p.acked++;
          p.ids[n] = r.v;
        }
        inflight.delete(q);
      },
      () => {
        dead = true;
        inflight.delete(q);
      },
    );
    inflight.add(q);
    if (inflight.size >= WINDOW) await Promise.race(inflight);
  }
  await Promise.allSettled(inflight);
}

/** XREADGROUP … BLOCK in a loop; acks two entries in three (by their n) in the same write as the next read. */
async function consume(c: RespClient, name: string, l: Ledger): Promise<void> {
  for (let i = 0; i < 1_000_000; i++) {
    l.readsInFlight.add(name);
    let r: Resp;
    try {
      r = await c.call('XREADGROUP', 'GROUP', GROUP, name, 'COUNT', '5', 'BLOCK', '200', 'STREAMS', KEY, '>');
    } catch {
      return;
    }
    l.readsInFlight.delete(name);
    if (r.t === 'array' && r.v === null) continue;
    const got = entries(arr(arr(r)[0])[1]);
    const toAck: string[] = [];
    for (const [id, f] of got) {
      l.deliver(name, id);
      if (Number(f.n) % 3 === 0) l.leftPending.push(id);
      else toAck.push(id);
    }
    if (toAck.length > 0) l.sendAck(c, toAck);
  }
}

/** In turn: XAUTOCLAIM of the oldest pending entries, XCLAIM of entries consumers left, XACK of what XAUTOCLAIM gave it. */
async function claim(c: RespClient, l: Ledger): Promise<void> {
  for (let i = 0; i < 1_000_000; i++) {
    try {
      if (i % 3 === 0) {
        l.claimInFlight = { target: AUTO, ids: 'any' };
        const r = arr(await c.call('XAUTOCLAIM', KEY, GROUP, AUTO, '0', '0-0', 'COUNT', '3'));
        for (const [id] of entries(r[1])) {
          l.owner.set(id, AUTO);
          l.autoClaimed.push(id);
          l.claims++;
        }
      } else if (i % 3 === 1) {
        const ids = l.leftPending.splice(0, 3);
        if (ids.length === 0) continue;
        l.claimInFlight = { target: MANUAL, ids: new Set(ids) };
        for (const [id] of entries(await c.call('XCLAIM', KEY, GROUP, MANUAL, '0', ...ids))) {
          l.owner.set(id, MANUAL);
          l.claims++;
        }
      } else {
        const ids = l.autoClaimed.splice(0, 2);
        if (ids.length === 0) continue;
        for (const id of ids) l.ackInFlight.add(id);
        l.claimInFlight = null;
        if ((await c.call('XACK', KEY, GROUP, ...ids)).t === 'int') {
          for (const id of ids) {
            l.ackInFlight.delete(id);
            l.acked.add(id);
          }
        }
      }
      l.claimInFlight = null;
    } catch {
      return;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
}

/** Waits (bounded) until the round has done enough of everything, so the kill lands mid-work. */
async function progress(l: Ledger, round: Producer[]): Promise<void> {
  const enough = () =>
    round.reduce((n, p) => n + p.acked, 0) >= 300 && l.deliveries >= 100 && l.acked.size >= 40 && l.claims >= 10;
  for (let i = 0; i < 3000 && !enough(); i++) await new Promise((r) => setTimeout(r, 10));
  const counts = { added: round.map((p) => p.acked), deliveries: l.deliveries, acked: l.acked.size, claims: l.claims };
  expect(enough(), `the workload made progress before the kill: ${JSON.stringify(counts)}`).toBe(true);
}

async function workUntilKilled(child: ChildSluice, l: Ledger, round: number): Promise<void> {
  const producers = Array.from({ length: PRODUCERS }, (_, i): Producer => ({ name: `r${round}p${i}`, sent: 0, acked: 0, ids: [] }));
  l.producers.push(...producers);
  const clients = await Promise.all(Array.from({ length: PRODUCERS + CONSUMERS + 1 }, () => RespClient.connect(child.port)));
  const work = [
    ...producers.map((p, i) => produce(clients[i], p)),
    ...Array.from({ length: CONSUMERS }, (_, i) => consume(clients[PRODUCERS + i], `c${i}`, l)),
    claim(clients[PRODUCERS + CONSUMERS], l),
  ];
  try {
    await progress(l, producers);
    await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 50)));
  } finally {
    await child.kill('SIGKILL');
    await Promise.all(work);
    for (const c of clients) c.close();
  }
}

/** Reads the restarted server's stream and group, checks them against the ledger, and makes what it read the next round's starting point. */
async function verify(c: RespClient, l: Ledger): Promise<void> {
  const stream = entries(await c.call('XRANGE', KEY, '-', '+'));
  const inStream = new Set(stream.map(([id]) => id));
  for (const p of l.producers) {
    const mine = stream.filter(([, f]) => f.p === p.name);
    const ns = mine.map(([, f]) => Number(f.n));
    // One connection's XADDs run in the order sent: what survived is a prefix of them, every acknowledged one included.
    expect(ns, `${p.name}: its entries in order`).toEqual(Array.from({ length: ns.length }, (_, i) => i + 1));
    expect(ns.length, `${p.name}: acknowledged XADDs present`).toBeGreaterThanOrEqual(p.acked);
    expect(ns.length, `${p.name}: nothing never sent`).toBeLessThanOrEqual(p.sent);
    for (let n = 1; n <= p.acked; n++) expect(mine[n - 1][0], `${p.name} #${n} keeps its ID`).toBe(p.ids[n]);
  }

  const pel = new Map<string, string>();
  for (const e of arr(await c.call('XPENDING', KEY, GROUP, '-', '+', '1000000'))) {
    const [id, consumer] = arr(e).map(str);
    pel.set(id, consumer);
  }
  for (const id of l.acked) expect(pel.has(id), `acknowledged XACK of ${id} is not undone`).toBe(false);
  const claimCovers = (id: string) => l.claimInFlight !== null && (l.claimInFlight.ids === 'any' || l.claimInFlight.ids.has(id));
  for (const [id, who] of l.owner) {
    if (l.acked.has(id)) continue;
    if (!pel.has(id)) {
      expect(l.ackInFlight.has(id), `${id} delivered to ${who}, never acknowledged as acked, is pending`).toBe(true);
      continue;
    }
    const allowed = claimCovers(id) ? [who, l.claimInFlight!.target] : [who];
    expect(allowed, `${id} belongs to its last acknowledged owner`).toContain(pel.get(id));
  }

  const groups = arr(await c.call('XINFO', 'GROUPS', KEY)).map((g) => arr(g));
  expect(groups.length).toBe(1);
  const info = new Map<string, Resp>();
  for (let i = 0; i < groups[0].length; i += 2) info.set(str(groups[0][i]), groups[0][i + 1]);
  const lastDelivered = str(info.get('last-delivered-id')!);
  expect(compareIds(lastDelivered, l.lastDelivered), `last-delivered-id ${lastDelivered} is at least ${l.lastDelivered}`).toBeGreaterThanOrEqual(0);
  expect(inStream.has(lastDelivered) || lastDelivered === '0-0', 'last-delivered-id names an entry').toBe(true);

  for (const [id, who] of pel) {
    expect(inStream.has(id), `pending ${id} is an entry`).toBe(true);
    expect(compareIds(id, lastDelivered), `pending ${id} was delivered`).toBeLessThanOrEqual(0);
    if (l.owner.has(id)) continue;
    // Unknown to the ledger: delivered, or claimed, by a command whose reply never came.
    const fromRead = l.readsInFlight.has(who);
    const fromClaim = l.claimInFlight !== null && l.claimInFlight.target === who;
    expect(fromRead || fromClaim, `pending ${id} of ${who} comes from a command in flight at the kill`).toBe(true);
  }

  expect(info.get('pending'), 'the group counts its pending entries').toEqual({ t: 'int', v: String(pel.size) });
  const perConsumer = new Map<string, number>();
  for (const who of pel.values()) perConsumer.set(who, (perConsumer.get(who) ?? 0) + 1);
  for (const cons of arr(await c.call('XINFO', 'CONSUMERS', KEY, GROUP))) {
    const fields = arr(cons);
    const name = str(fields[1]);
    expect(fields[3], `${name}'s pending count`).toEqual({ t: 'int', v: String(perConsumer.get(name) ?? 0) });
  }

  // Replaying XREADGROUP's effects (XCLAIM … LASTID) leaves the read counter unknown in Redis 7.2 too: then both
  // fields are nil; a known counter must be the number of entries up to last-delivered-id, and lag the rest.
  const entriesRead = info.get('entries-read')!;
  const lag = info.get('lag')!;
  const readCount = stream.filter(([id]) => compareIds(id, lastDelivered) <= 0).length;
  if (entriesRead.t === 'bulk' && entriesRead.v === null) {
    expect(lag, 'lag is unknown with the counter').toEqual({ t: 'bulk', v: null });
  } else {
    expect(entriesRead).toEqual({ t: 'int', v: String(readCount) });
    expect(lag).toEqual({ t: 'int', v: String(stream.length - readCount) });
  }
  expect(await c.call('XLEN', KEY)).toEqual({ t: 'int', v: String(stream.length) });

  // What the server holds now is what the next round starts from.
  for (const id of l.owner.keys()) if (!pel.has(id)) l.acked.add(id);
  l.owner = new Map(pel);
  l.ackInFlight.clear();
  l.readsInFlight.clear();
  l.claimInFlight = null;
  l.lastDelivered = lastDelivered;
  l.leftPending = [...pel.keys()].filter((id) => !pel.get(id)!.endsWith('claimer'));
  l.autoClaimed = [...pel.keys()].filter((id) => pel.get(id) === AUTO);
  l.deliveries = 0;
  l.claims = 0;
}

describe('stream consumer groups survive SIGKILL', () => {
  test('appendfsync always: acknowledged XADD, XREADGROUP, XACK, XCLAIM and XAUTOCLAIM hold after a restart, across an AOF rewrite', async () => {
    const args = ['--dir', `${sc.dir}/always`, '--appendfsync', 'always'];
    const l = new Ledger();
    let child = await spawnSluice(args);
    const setup = await RespClient.connect(child.port);
    expect(await setup.call('XGROUP', 'CREATE', KEY, GROUP, '$', 'MKSTREAM')).toEqual({ t: 'simple', v: 'OK' });
    setup.close();
    for (let round = 0; round < 3; round++) {
      if (round === 1) {
        // This round starts from a rewritten AOF (XADDs, XGROUP CREATE … ENTRIESREAD, XCLAIM … FORCE) plus what follows.
        const c = await RespClient.connect(child.port);
        expect((await c.call('BGREWRITEAOF')).t).toBe('simple');
        for (let i = 0; i < 1000; i++) {
          const info = str(await c.call('INFO', 'persistence'));
          if (/aof_rewrite_in_progress:0/.test(info) && /aof_rewrite_scheduled:0/.test(info)) break;
          await new Promise((r) => setTimeout(r, 20));
        }
        c.close();
      }
      await workUntilKilled(child, l, round);
      child = await spawnSluice(args);
      const check = await RespClient.connect(child.port);
      await verify(check, l);
      check.close();
    }
    await child.kill('SIGKILL');
  }, 60_000);
});
