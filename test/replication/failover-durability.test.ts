import { readFileSync } from 'node:fs';
import net from 'node:net';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scratch } from '../helpers/aof.js';
import { ensureBuild, startChild, type ChildSluice } from '../helpers/child-sluice.js';
import { encodeCommand, parseReply } from '../helpers/resp-client.js';

/**
 * Failover durability: two Sluice child processes with the AOF fsynced on
 * every write, a master and its replica. In each round clients write while
 * the master is killed by SIGKILL; a write counts as acknowledged only once
 * a WAIT 1 (or, in some rounds, WAITAOF 1 1) after it said the replica has
 * it. The replica is promoted (REPLICAOF NO ONE) and must hold every write
 * ever acknowledged; the killed process restarts from its own directory,
 * follows the new master, and the roles swap for the next round. Then,
 * with a fake master that dies after half a transaction: the promoted
 * replica's history must not end inside that MULTI, or a sibling continuing
 * it queues (and acknowledges) every later write without applying it.
 */

const ROUNDS = 20;
const WRITERS = 3;
const WAIT_MS = 1000;
/**
 * WAITAOF's timeout: a replica reports its AOF's fsynced offset (FACK) in
 * its ACKs, and the fsync of what it just applied comes after the ACK that
 * REPLCONF GETACK asked for, so the next ACK (once a second) is the one.
 */
const WAITAOF_MS = 3000;

const sc = scratch('sluice-failover-');
const children = new Set<ChildSluice>();
const clients = new Set<Redis>();

beforeAll(() => ensureBuild(), 120_000);
afterAll(async () => {
  for (const c of clients) c.disconnect();
  await Promise.all([...children].map((c) => c.kill('SIGKILL')));
  sc.remove();
});

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Rejects when `p` takes longer than `ms`. */
function bounded<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms)));
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

async function spawn(dir: string): Promise<ChildSluice> {
  const child = await startChild(['--dir', dir, '--appendonly', 'yes', '--appendfsync', 'always', '--enable-debug-command', 'yes', '--repl-diskless-sync-delay', '0']);
  children.add(child);
  return child;
}

function connect(port: number): Redis {
  const c = new Redis({ host: '127.0.0.1', port, retryStrategy: () => null, maxRetriesPerRequest: 0, enableOfflineQueue: true, lazyConnect: false });
  c.on('error', () => {});
  clients.add(c);
  return c;
}

function close(c: Redis): void {
  c.disconnect();
  clients.delete(c);
}

/** The fields of one INFO section. */
async function info(c: Redis, section: string): Promise<Map<string, string>> {
  const text = await bounded(c.info(section), 5000, `INFO ${section}`);
  const fields = new Map<string, string>();
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) fields.set(line.slice(0, colon), line.slice(colon + 1));
  }
  return fields;
}

/** Every write the master acknowledged as replicated, over all rounds. */
interface Acked {
  /** SET key → value. */
  sets: Map<string, string>;
  /** Counter key → the highest value an acknowledged INCR returned. */
  counters: Map<string, number>;
  /** List key → elements an acknowledged RPUSH added. */
  lists: Map<string, string[]>;
}

type Write = { kind: 'set'; key: string; value: string } | { kind: 'incr'; key: string; value: number } | { kind: 'list'; key: string; value: string };

function record(acked: Acked, w: Write): void {
  if (w.kind === 'set') acked.sets.set(w.key, w.value);
  else if (w.kind === 'incr') acked.counters.set(w.key, Math.max(acked.counters.get(w.key) ?? 0, w.value));
  else {
    const list = acked.lists.get(w.key) ?? [];
    list.push(w.value);
    acked.lists.set(w.key, list);
  }
}

/**
 * One writer of one round: a few writes pipelined (SET of a new key, INCR,
 * RPUSH of a new element), then WAIT 1 (or WAITAOF 1 1); when it says the
 * replica has them, every write of the connection so far is acknowledged.
 * Ends when the master dies.
 */
async function writer(c: Redis, round: number, w: number, useAof: boolean, acked: Acked, progress: { acked: number }): Promise<{ sent: number; acked: number; waitsShort: number }> {
  let pending: Write[] = [];
  let seq = 0;
  let ackedCount = 0;
  let waitsShort = 0;
  try {
    for (;;) {
      // WAITAOF rounds acknowledge about once a second: more writes go before each wait.
      const batch = useAof ? 8 + (seq % 5) : 1 + (seq % 3);
      const replies: Promise<Write[]>[] = [];
      for (let i = 0; i < batch; i++) {
        const n = ++seq;
        switch (n % 4) {
          case 0: {
            const key = `k:r${round}:w${w}:${n}`;
            const value = `v${round}.${w}.${n}.${Math.random().toString(36).slice(2, 8)}`;
            replies.push(c.set(key, value).then(() => [{ kind: 'set', key, value }]));
            break;
          }
          case 1: {
            const key = `ctr:w${w}`;
            replies.push(c.incr(key).then((value) => [{ kind: 'incr', key, value }]));
            break;
          }
          case 2: {
            const key = `list:w${w}`;
            const value = `r${round}:${n}`;
            replies.push(c.rpush(key, value).then(() => [{ kind: 'list', key, value }]));
            break;
          }
          default: {
            // A transaction: one unit in the replication stream (MULTI … EXEC).
            const key = `tx:r${round}:w${w}:${n}`;
            const value = `t${n}`;
            replies.push(
              c
                .multi()
                .set(key, value)
                .rpush(`txlist:w${w}`, `r${round}:${n}`)
                .incr(`txctr:w${w}`)
                .exec()
                .then((rs) => {
                  if (rs === null || rs.some(([e]) => e !== null)) throw new Error(`transaction ${key} failed: ${JSON.stringify(rs)}`);
                  return [
                    { kind: 'set', key, value },
                    { kind: 'list', key: `txlist:w${w}`, value: `r${round}:${n}` },
                    { kind: 'incr', key: `txctr:w${w}`, value: rs[2][1] as number },
                  ];
                }),
            );
          }
        }
      }
      const ack = useAof
        ? (c.call('WAITAOF', '1', '1', String(WAITAOF_MS)) as Promise<[number, number]>).then(([local, replicas]) => local === 1 && replicas >= 1)
        : (c.call('WAIT', '1', String(WAIT_MS)) as Promise<number>).then((n) => n >= 1);
      const [done, ok] = await Promise.all([Promise.all(replies), ack]);
      pending.push(...done.flat());
      if (ok) {
        for (const x of pending) record(acked, x);
        ackedCount += pending.length;
        progress.acked += pending.length;
        pending = [];
      } else {
        waitsShort++;
      }
    }
  } catch (e) {
    // The master died: what is pending was never acknowledged. A transaction that failed otherwise is a fault.
    if (e instanceof Error && e.message.startsWith('transaction ')) faults.push(e.message);
  }
  return { sent: seq, acked: ackedCount, waitsShort };
}

/** What went wrong other than the master dying. */
const faults: string[] = [];

/** Every write ever acknowledged is on the server behind `c`, with its value. */
async function verify(c: Redis, acked: Acked, round: number): Promise<number> {
  let missing = 0;
  const keys = [...acked.sets.keys()];
  for (let i = 0; i < keys.length; i += 500) {
    const part = keys.slice(i, i + 500);
    const values = await bounded(c.mget(...part), 5000, 'MGET');
    part.forEach((k, j) => {
      if (values[j] !== acked.sets.get(k)) missing++;
      expect(values[j], `round ${round}: acknowledged SET ${k}`).toBe(acked.sets.get(k));
    });
  }
  for (const [key, value] of acked.counters) {
    const now = Number((await bounded(c.get(key), 5000, 'GET')) ?? 0);
    if (now < value) missing++;
    expect(now, `round ${round}: counter ${key} was acknowledged at ${value}`).toBeGreaterThanOrEqual(value);
  }
  for (const [key, elements] of acked.lists) {
    const held = await bounded(c.lrange(key, 0, -1), 5000, 'LRANGE');
    const present = new Set(held);
    const absent = elements.filter((e) => !present.has(e));
    missing += absent.length;
    expect(absent, `round ${round}: acknowledged elements of ${key} missing`).toEqual([]);
    // Each element went in once, in the order acknowledged.
    const wanted = new Set(elements);
    expect(held.filter((e) => wanted.has(e)), `round ${round}: ${key} in order`).toEqual(elements);
  }
  return missing;
}

/** Waits until `replica` has its link to `master` up and the same offset (no writes are running). */
async function inSync(master: Redis, replica: Redis, ms = 20_000): Promise<number> {
  const started = Date.now();
  for (;;) {
    const r = await info(replica, 'replication');
    const m = await info(master, 'replication');
    if (r.get('master_link_status') === 'up' && r.get('slave_repl_offset') === m.get('master_repl_offset')) return Date.now() - started;
    if (Date.now() - started > ms) {
      throw new Error(`replica not in sync within ${ms} ms: link ${r.get('master_link_status')}, replica at ${r.get('slave_repl_offset')}, master at ${m.get('master_repl_offset')}`);
    }
    await sleep(20);
  }
}

describe('failover durability', () => {
  it(`over ${ROUNDS} rounds of SIGKILLing the master and promoting its replica, no write acknowledged by WAIT or WAITAOF is lost`, async () => {
    const started = Date.now();
    const dirs = [`${sc.dir}/a`, `${sc.dir}/b`];
    let master = await spawn(dirs[0]);
    let replica = await spawn(dirs[1]);
    let masterDir = dirs[0];
    let replicaDir = dirs[1];
    let mc = connect(master.port);
    let rc = connect(replica.port);
    expect(await rc.call('REPLICAOF', '127.0.0.1', String(master.port))).toBe('OK');
    await inSync(mc, rc);

    const acked: Acked = { sets: new Map(), counters: new Map(), lists: new Map() };
    const resyncs = { partial: 0, full: 0 };
    let totalAcked = 0;
    let totalMissing = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const roundStart = Date.now();
      const useAof = round % 3 === 2;
      // The writers: their own connections to the master.
      const progress = { acked: 0 };
      const conns = Array.from({ length: WRITERS }, () => connect(master.port));
      const writing = conns.map((c, w) => writer(c, round, w, useAof, acked, progress));
      // The kill comes once some writes are acknowledged (a loaded machine may take a while), and a little later.
      for (const until = Date.now() + 10_000; progress.acked === 0 && Date.now() < until; ) await sleep(10);
      // WAITAOF rounds last longer: about one acknowledgement a second per writer.
      await sleep(useAof ? 300 + Math.floor(Math.random() * 1000) : 50 + Math.floor(Math.random() * 250));
      await master.kill('SIGKILL');
      children.delete(master);
      const results = await bounded(Promise.all(writing), 10_000, 'writers after the kill');
      for (const c of [...conns, mc]) close(c);
      const ackedNow = results.reduce((n, r) => n + r.acked, 0);
      totalAcked += ackedNow;
      expect(ackedNow, `round ${round}: some writes were acknowledged`).toBeGreaterThan(0);

      // Promote the replica: every acknowledged write, of this round and the earlier ones, is there.
      expect(await bounded(rc.call('REPLICAOF', 'NO', 'ONE'), 5000, 'REPLICAOF NO ONE')).toBe('OK');
      const missing = await verify(rc, acked, round);
      totalMissing += missing;

      // The killed process restarts from its own directory and follows the new master.
      const restarted = await spawn(masterDir);
      const nc = connect(restarted.port);
      const before = await info(rc, 'stats');
      expect(await bounded(nc.call('REPLICAOF', '127.0.0.1', String(replica.port)), 5000, 'REPLICAOF')).toBe('OK');
      const syncMs = await inSync(rc, nc);
      const after = await info(rc, 'stats');
      const partial = Number(after.get('sync_partial_ok')) - Number(before.get('sync_partial_ok'));
      const full = Number(after.get('sync_full')) - Number(before.get('sync_full'));
      if (partial > 0) resyncs.partial++;
      if (full > 0) resyncs.full++;
      // The resynchronised replica holds the same data as its master.
      expect(await bounded(nc.call('DEBUG', 'DIGEST'), 5000, 'DEBUG DIGEST'), `round ${round}: replica's digest`).toBe(
        await bounded(rc.call('DEBUG', 'DIGEST'), 5000, 'DEBUG DIGEST'),
      );
      console.log(
        `round ${round} (${useAof ? 'WAITAOF' : 'WAIT'}): ${results.reduce((n, r) => n + r.sent, 0)} commands and transactions sent, ${ackedNow} writes acknowledged, short waits ${results.reduce((n, r) => n + r.waitsShort, 0)}, missing ${missing}, resync ${partial > 0 ? 'partial' : full > 0 ? 'full' : '?'} in ${syncMs} ms, round ${Date.now() - roundStart} ms`,
      );

      // Swap roles.
      master = replica;
      mc = rc;
      replica = restarted;
      rc = nc;
      [masterDir, replicaDir] = [replicaDir, masterDir];
    }
    // The last master holds everything too.
    expect(await verify(mc, acked, ROUNDS)).toBe(0);
    close(mc);
    close(rc);
    console.log(`${ROUNDS} rounds in ${Date.now() - started} ms: ${totalAcked} writes acknowledged, ${totalMissing} missing; resyncs partial ${resyncs.partial}, full ${resyncs.full}`);
    expect(totalMissing).toBe(0);
    expect(faults).toEqual([]);
  }, 110_000);
});

/**
 * A master that is only a socket: it answers the handshake, sends a full
 * synchronisation of `rdb` at offset 0 to each replica, then whatever the
 * test writes to that replica's socket.
 */
async function fakeMaster(replid: string, rdb: Buffer): Promise<{ port: number; links: net.Socket[]; synced: Set<net.Socket>; close(): void }> {
  const links: net.Socket[] = [];
  const synced = new Set<net.Socket>();
  const server = net.createServer((s) => {
    links.push(s);
    s.on('error', () => {});
    let buf = Buffer.alloc(0);
    s.on('data', (d) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const parsed = parseReply(buf, 0);
        if (parsed === null) return;
        buf = buf.subarray(parsed[1]);
        const [req] = parsed;
        if (req.t !== 'array' || req.v === null) continue;
        const argv = req.v.map((a) => (a.t === 'bulk' && a.v !== null ? a.v : ''));
        const name = argv[0].toLowerCase();
        if (name === 'replconf' && argv[1]?.toLowerCase() === 'ack') continue;
        if (name === 'psync' || name === 'sync') {
          s.write(`+FULLRESYNC ${replid} 0\r\n$${rdb.length}\r\n`);
          s.write(rdb);
          synced.add(s);
        } else s.write(name === 'ping' ? '+PONG\r\n' : '+OK\r\n');
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    links,
    synced,
    close: () => {
      for (const s of links) s.destroy();
      server.close();
    },
  };
}

async function until(cond: () => boolean | Promise<boolean>, what: string, ms = 10_000): Promise<void> {
  for (const end = Date.now() + ms; !(await cond()); await sleep(20)) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
  }
}

describe('a master lost in the middle of a transaction', () => {
  it('the promoted replica neither counts nor keeps the unfinished MULTI: a sibling continuing its history applies, and only then acknowledges, the new writes', async () => {
    const args = (dir: string) => ['--dir', dir, '--repl-diskless-sync-delay', '0'];
    const b = await startChild(args(`${sc.dir}/tx-b`));
    children.add(b);
    const d = await startChild(args(`${sc.dir}/tx-d`));
    children.add(d);
    const bc = connect(b.port);
    const dc = connect(d.port);
    // An empty dataset's RDB, for the fake master to send.
    expect(await bc.save()).toBe('OK');
    const rdb = readFileSync(`${sc.dir}/tx-b/dump.rdb`);
    const master = await fakeMaster('f'.repeat(40), rdb);
    try {
      // B and D replicate the same master; B receives a transaction's first half before the master dies, D nothing after the sync.
      expect(await bc.call('REPLICAOF', '127.0.0.1', String(master.port))).toBe('OK');
      await until(() => master.synced.size === 1, 'B synchronised');
      expect(await dc.call('REPLICAOF', '127.0.0.1', String(master.port))).toBe('OK');
      await until(() => master.synced.size === 2, 'D synchronised');
      await until(async () => (await info(bc, 'replication')).get('master_link_status') === 'up' && (await info(dc, 'replication')).get('master_link_status') === 'up', 'links up');
      const [toB] = [...master.synced];
      const half = Buffer.concat([encodeCommand(['MULTI']), encodeCommand(['SET', 'x', '1'])]);
      toB.write(half);
      await until(async () => Number((await info(bc, 'replication')).get('slave_read_repl_offset')) === half.length, 'B read the half transaction');
      // Only queued: not in B's offset.
      expect((await info(bc, 'replication')).get('slave_repl_offset')).toBe('0');
      master.close();

      // B is promoted, D follows it and continues the old history from B's backlog.
      expect(await bc.call('REPLICAOF', 'NO', 'ONE')).toBe('OK');
      expect((await info(bc, 'replication')).get('master_repl_offset')).toBe('0');
      const before = await info(bc, 'stats');
      expect(await dc.call('REPLICAOF', '127.0.0.1', String(b.port))).toBe('OK');
      await inSync(bc, dc);
      const after = await info(bc, 'stats');
      expect(Number(after.get('sync_partial_ok')) - Number(before.get('sync_partial_ok'))).toBe(1);

      // A write B says D has is on D, and there after B dies and D is promoted.
      expect(await bc.set('y', '2')).toBe('OK');
      expect(await bounded(bc.call('WAIT', '1', '2000'), 5000, 'WAIT')).toBe(1);
      expect(await dc.get('y')).toBe('2');
      await b.kill('SIGKILL');
      expect(await dc.call('REPLICAOF', 'NO', 'ONE')).toBe('OK');
      expect(await dc.get('y')).toBe('2');
      expect(await dc.get('x')).toBeNull();
    } finally {
      master.close();
      close(bc);
      close(dc);
      await Promise.all([b.kill('SIGKILL'), d.kill('SIGKILL')]);
      children.delete(b);
      children.delete(d);
    }
  }, 30_000);
});
