import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, expect } from 'vitest';
import { ensureBuild, startChild } from '../helpers/child-sluice.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';
import { seededInts } from '../helpers/seeded.js';
import { freePort, redisServerPath } from '../helpers/servers.js';

/**
 * Shared pieces of the mixed replication tests (Sluice and a real
 * redis-server 7.0 replicating each other): servers as child processes with
 * their logs, a seeded write load over every type, and a key-by-key
 * comparison of two datasets by logical value.
 */

export interface Node {
  name: string;
  kind: 'sluice' | 'redis';
  port: number;
  /** Its log so far. */
  log(): string;
  kill(): Promise<void>;
  /** SIGSTOP, SIGCONT: the process stops reading its sockets, then goes on. */
  signal(sig: 'SIGSTOP' | 'SIGCONT'): void;
}

/** Every server a file started, killed (SIGKILL) and their directories removed in afterAll. */
export class Servers {
  private readonly nodes: Node[] = [];
  private readonly dirs: string[] = [];

  private dir(): string {
    const d = mkdtempSync(path.join(os.tmpdir(), 'sluice-mixed-'));
    this.dirs.push(d);
    return d;
  }

  /** Sluice as a child process, in a scratch directory, no persistence of its own. */
  async sluice(name: string, args: string[] = []): Promise<Node> {
    const c = await startChild(['--dir', this.dir(), '--save', '', '--appendonly', 'no', '--repl-diskless-sync-delay', '0', ...args]);
    const node: Node = { name, kind: 'sluice', port: c.port, log: c.output, kill: () => c.kill('SIGKILL'), signal: (sig) => c.child.kill(sig) };
    this.nodes.push(node);
    return node;
  }

  /** redis-server (Debian's 7.0) as a child process logging to stdout, in a scratch directory. */
  async redis(name: string, args: string[] = []): Promise<Node> {
    const port = await freePort();
    const child: ChildProcess = spawn(
      redisServerPath!,
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', this.dir(), '--repl-diskless-sync-delay', '0', ...args],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    let gone = false;
    const exited = new Promise<void>((resolve) => child.once('exit', () => {
      gone = true;
      resolve();
    }));
    const node: Node = {
      name, kind: 'redis', port, log: () => out,
      kill: async () => {
        if (!gone) child.kill('SIGKILL');
        await exited;
      },
      signal: (sig) => child.kill(sig),
    };
    this.nodes.push(node);
    await waitFor(`${name} answers PING`, async () => {
      const c = await RespClient.connect(port).catch(() => null);
      if (c === null) return false;
      const r = await c.call('PING').catch(() => null);
      c.close();
      return r !== null && r.t === 'simple';
    }, 10_000);
    return node;
  }

  async stopAll(): Promise<void> {
    await Promise.all(this.nodes.splice(0).map((n) => n.kill()));
    for (const d of this.dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  }
}

/** Until the node's log holds `text` (a log line may trail the state it reports); the log's last lines when it does not. */
export async function waitLogged(node: Node, text: string, timeoutMs = 5000): Promise<void> {
  try {
    await waitFor(`${node.name} logs '${text}'`, () => node.log().includes(text), timeoutMs);
  } catch (e) {
    throw new Error(`${(e as Error).message}; its log ends:\n${node.log().split('\n').slice(-40).join('\n')}`);
  }
}

/** The servers of a test file: dist/ built first, every server killed after the file. */
export function useServers(): Servers {
  const servers = new Servers();
  beforeAll(() => ensureBuild(), 120_000);
  afterAll(() => servers.stopAll(), 30_000);
  return servers;
}

/** Polls `check` every 50 ms until it holds; throws naming `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out (${timeoutMs} ms) waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** One command on a fresh connection. */
export async function call(port: number, ...args: string[]): Promise<Resp> {
  const c = await RespClient.connect(port);
  try {
    return await withTimeout(c.call(...args), 10_000, args.join(' '));
  } finally {
    c.close();
  }
}

function withTimeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    p.finally(() => clearTimeout(timer)),
    new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(`no reply within ${ms} ms to ${what}`)), ms))),
  ]);
}

/** INFO <section> as field → value. */
export async function info(port: number, section: string): Promise<Record<string, string>> {
  const r = await call(port, 'INFO', section);
  if (r.t !== 'bulk' || r.v === null) throw new Error(`INFO ${section}: ${JSON.stringify(r)}`);
  const out: Record<string, string> = {};
  for (const line of r.v.split('\r\n')) {
    const i = line.indexOf(':');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 1);
  }
  return out;
}

/** sync_full and sync_partial_ok of a master's INFO stats. */
export async function syncStats(port: number): Promise<{ full: number; partialOk: number }> {
  const s = await info(port, 'stats');
  return { full: Number(s.sync_full), partialOk: Number(s.sync_partial_ok) };
}

/** REPLICAOF host port (or NO ONE). */
export async function replicaOf(node: Node, master: Node | null): Promise<void> {
  const r = master === null ? await call(node.port, 'REPLICAOF', 'NO', 'ONE') : await call(node.port, 'REPLICAOF', '127.0.0.1', String(master.port));
  if (r.t !== 'simple') throw new Error(`REPLICAOF on ${node.name}: ${JSON.stringify(r)}`);
}

/** Until the replica's link is up and not loading a snapshot. */
export async function waitLinkUp(replica: Node, timeoutMs = 30_000): Promise<void> {
  await waitFor(`${replica.name}'s link to its master is up`, async () => {
    const r = await info(replica.port, 'replication');
    return r.master_link_status === 'up' && r.master_sync_in_progress === '0';
  }, timeoutMs);
}

/** Until the replica has applied as much as the master has produced (a chain shares one offset). */
export async function waitCaughtUp(master: Node, replica: Node, timeoutMs = 15_000): Promise<void> {
  await waitFor(`${replica.name} caught up with ${master.name}`, async () => {
    const m = await info(master.port, 'replication');
    const r = await info(replica.port, 'replication');
    return r.master_link_status === 'up' && m.master_repl_offset === r.master_repl_offset;
  }, timeoutMs);
}

// ---------------------------------------------------------------------------
// The scenario of a replica joining a master under load.

/**
 * The master seeded and its snapshots slowed (rdb-key-save-delay), the
 * replica told REPLICAOF while a load runs, the load going on through the
 * whole full sync; the datasets compared once WAIT says the replica has it
 * all. Then the link is cut under load (CLIENT KILL TYPE replica on the
 * master) and the replica must come back with a partial resync (the
 * master's sync_partial_ok up by one, sync_full unchanged), the datasets
 * compared again.
 */
export async function fullThenPartialSync(master: Node, replica: Node, opts: { diskless: boolean; seed: number }): Promise<void> {
  await seed(master.port, 3000, opts.seed);
  // Rests this many µs after each key (about a millisecond a key for either server): the load runs all through the snapshot.
  await call(master.port, 'CONFIG', 'SET', 'rdb-key-save-delay', '1000');
  const load = new Load(master.port, opts.seed + 1);
  try {
    load.start();
    await load.passes(100);
    const opsBefore = load.ops;
    await replicaOf(replica, master);
    await waitLinkUp(replica, 40_000);
    const opsDuringSync = load.ops - opsBefore;
    await call(master.port, 'CONFIG', 'SET', 'rdb-key-save-delay', '0');
    await load.passes(200);
    await load.stop();
    expect(load.errors).toEqual([]);
    expect(opsDuringSync).toBeGreaterThan(200);
    await waitLogged(master, `Starting BGSAVE for SYNC with target: ${opts.diskless ? 'replicas sockets' : 'disk'}`);
    await waitLogged(replica, 'MASTER <-> REPLICA sync: Finished with success');
    expect(await load.waitReplicas(1, 5000)).toBe(1);
    const first = await compareDatasets(master, replica);
    expect(first.diffs).toEqual([]);
    expect(first.keys).toBeGreaterThan(3000);

    // The link cut under load: the replica continues from the master's backlog.
    const before = await syncStats(master.port);
    load.start();
    await load.passes(100);
    expect(await call(master.port, 'CLIENT', 'KILL', 'TYPE', 'replica')).toEqual({ t: 'int', v: '1' });
    await load.passes(200);
    await waitFor(`${replica.name} resynced partially`, async () => (await syncStats(master.port)).partialOk > before.partialOk, 15_000);
    await load.passes(200);
    await load.stop();
    expect(load.errors).toEqual([]);
    expect(await syncStats(master.port)).toEqual({ full: before.full, partialOk: before.partialOk + 1 });
    await waitLogged(replica, 'Successful partial resynchronization with master.');
    expect(await load.waitReplicas(1, 5000)).toBe(1);
    const second = await compareDatasets(master, replica);
    expect(second.diffs).toEqual([]);
  } finally {
    await load.stop().catch(() => {});
    load.close();
  }
}

// ---------------------------------------------------------------------------
// The write load.

/** The databases the load writes in; FLUSHDB runs in the last one. */
const DBS = [0, 1, 2, 3];
const FLUSH_DB = 3;

const LIBRARY = `#!lua name=mixedlib
redis.register_function('bump', function(keys, args)
  redis.call('HINCRBY', keys[1], args[1], 1)
  return redis.call('INCRBY', keys[2], args[2])
end)`;

const LIBRARY2 = `#!lua name=mixedlib2
redis.register_function('stamp', function(keys, args) return redis.call('SET', keys[1], args[1]) end)`;

const SCRIPT = `redis.call('SET', KEYS[1], ARGV[1])
redis.call('RPUSH', KEYS[2], ARGV[1], ARGV[2])
redis.call('ZINCRBY', KEYS[3], 1.5, ARGV[2])
return redis.call('INCR', KEYS[4])`;

type Argv = string[];

const STREAM_GROUPS = ['g1', 'g2'];

/**
 * The commands of one random operation, each an argv, in database `db`
 * (SELECT first). Key names say their type, so that no command meets a
 * key of another type.
 */
function operation(rnd: (n: number) => number, n: number): { db: number; cmds: Argv[] } {
  const db = DBS[rnd(DBS.length)];
  const k = (kind: string, spread: number) => `${kind}:${rnd(spread)}`;
  const v = () => `v${rnd(1_000_000)}`;
  const cmds: Argv[] = [];
  switch (rnd(27)) {
    case 0: cmds.push(['SET', k('str', 400), v()]); break;
    case 1: cmds.push(['INCRBY', k('int', 100), String(rnd(1000) - 500)]); break;
    case 2: cmds.push(['INCRBYFLOAT', k('float', 50), `${rnd(1000) / 8}`]); break;
    case 3: cmds.push(['SET', k('ttl', 200), v(), 'EX', String(100 + rnd(1000))]); break;
    case 4: cmds.push(['EXPIRE', k('str', 400), String(200 + rnd(1000))]); break;
    case 5: cmds.push(['PEXPIREAT', k('int', 100), String(Date.now() + 300_000 + rnd(100_000))]); break;
    case 6: cmds.push(['RPUSH', k('lst', 40), v(), v()], ['LPUSH', k('lst', 40), String(rnd(100))]); break;
    case 7: cmds.push(['LPOP', k('lst', 40)], ['LTRIM', k('biglst', 5), '0', '2000']); break;
    case 8: cmds.push(['RPUSH', k('biglst', 5), ...Array.from({ length: 20 }, () => v().repeat(4))]); break;
    case 9: cmds.push(['HSET', k('hsh', 100), `f${rnd(20)}`, v()]); break;
    case 10: cmds.push(['HSET', k('bighsh', 5), `f${rnd(2000)}`, v().repeat(10)], ['HDEL', k('bighsh', 5), `f${rnd(2000)}`]); break;
    case 11: cmds.push(['SADD', k('iset', 50), String(rnd(10_000)), String(rnd(10_000))]); break;
    case 12: cmds.push(['SADD', k('sset', 50), v(), v()], ['SPOP', k('sset', 50)]); break;
    case 13: cmds.push(['ZADD', k('zs', 60), String(rnd(1000) / 4), `m${rnd(300)}`], ['ZREM', k('zs', 60), `m${rnd(300)}`]); break;
    case 14: cmds.push(['PFADD', k('hll', 20), v(), v(), v()]); break;
    case 15: cmds.push(['GEOADD', k('geo', 10), String(-170 + rnd(340)), String(-80 + rnd(160)), `p${rnd(200)}`]); break;
    case 16: {
      const s = k('strm', 10);
      cmds.push(['XADD', s, 'MAXLEN', '~', '500', '*', 'n', String(n), 'v', v()]);
      break;
    }
    case 17: {
      const s = k('strm', 10);
      const g = STREAM_GROUPS[rnd(2)];
      cmds.push(['XGROUP', 'CREATE', s, g, '0', 'MKSTREAM'], ['XREADGROUP', 'GROUP', g, `c${rnd(3)}`, 'COUNT', String(1 + rnd(5)), 'STREAMS', s, '>']);
      break;
    }
    case 18: {
      // XACK of entries really pending is Load.oneBatch's (it reads them first); here an XCLAIM that claims nothing.
      const s = k('strm', 10);
      cmds.push(['XCLAIM', s, 'g1', 'c9', '0', '0-1'], ['FCALL', 'stamp', '1', k('str', 400), v()]);
      break;
    }
    case 19:
      cmds.push(['MULTI'], ['INCR', k('int', 100)], ['LPUSH', k('lst', 40), v()], ['HINCRBY', k('hsh', 100), 'cnt', '1'], ['EXEC']);
      break;
    case 20:
      cmds.push(['EVAL', SCRIPT, '4', k('str', 400), k('lst', 40), k('zs', 60), k('int', 100), v(), `m${rnd(300)}`]);
      break;
    case 21: cmds.push(['FCALL', 'bump', '2', k('hsh', 100), k('int', 100), String(rnd(10)), String(rnd(5))]); break;
    case 22: cmds.push([rnd(2) === 0 ? 'DEL' : 'UNLINK', k('str', 400), k('lst', 40), k('hsh', 100)]); break;
    case 23: cmds.push(['SET', k('short', 50), v(), 'PX', String(20 + rnd(200))]); break;
    case 24: cmds.push(['SETRANGE', k('str', 400), String(rnd(20)), 'xyz'], ['APPEND', k('str', 400), 'a']); break;
    case 25: cmds.push(['ZINCRBY', k('zs', 60), '2', `m${rnd(300)}`], ['SREM', k('iset', 50), String(rnd(10_000))]); break;
    default: cmds.push(['HINCRBYFLOAT', k('hsh', 100), 'fl', '0.25'], ['PERSIST', k('ttl', 200)]);
  }
  if (n % 500 === 499) return { db: FLUSH_DB, cmds: [['FLUSHDB']] };
  return { db, cmds };
}

/** Errors a load command may meet by design (a group that already exists, an XCLAIM of a group not yet made). */
const EXPECTED_ERRORS = /^(BUSYGROUP|NOGROUP)/;

/**
 * A seeded write load on one server: batches of pipelined operations in
 * random databases (a FLUSHDB of the last one every 500), each batch
 * followed by a BLPOP on another connection served by a push and an XACK of
 * entries really pending, and every ten batches a FUNCTION LOAD REPLACE.
 * Runs until stop(); any reply error other than the expected ones is
 * recorded.
 */
export class Load {
  ops = 0;
  readonly errors: string[] = [];
  private stopping = false;
  private running: Promise<void> | null = null;
  private readonly rnd: (n: number) => number;

  constructor(private readonly port: number, seed: number, private readonly batch = 40) {
    this.rnd = seededInts(seed);
  }

  /** The load's own connections: WAIT counts the acknowledgements of the writes of the connection it runs on. */
  private conns: { c: RespClient; b: RespClient } | null = null;

  private async connections(): Promise<{ c: RespClient; b: RespClient }> {
    this.conns ??= { c: await RespClient.connect(this.port), b: await RespClient.connect(this.port) };
    return this.conns;
  }

  start(): void {
    this.stopping = false;
    this.running = this.run();
  }

  /** Stops after the batch in flight; rejects if the load failed. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.running;
    this.running = null;
  }

  /**
   * WAIT <replicas> <timeoutMs> on the load's connection, so that it waits
   * for the load's last write (the load stopped): the number of replicas
   * that acknowledged it.
   */
  async waitReplicas(replicas: number, timeoutMs: number): Promise<number> {
    const { c } = await this.connections();
    const r = await withTimeout(c.call('WAIT', String(replicas), String(timeoutMs)), timeoutMs + 5000, 'WAIT');
    if (r.t !== 'int') throw new Error(`WAIT: ${JSON.stringify(r)}`);
    return Number(r.v);
  }

  close(): void {
    this.conns?.c.close();
    this.conns?.b.close();
    this.conns = null;
  }

  /** Runs `n` more operations now (the load must not be running). */
  async runFor(n: number): Promise<void> {
    const { c, b } = await this.connections();
    const target = this.ops + n;
    while (this.ops < target) await this.oneBatch(c, b);
  }

  /** Until `n` more operations have been sent (the load running). */
  async passes(n: number, timeoutMs = 20_000): Promise<void> {
    const target = this.ops + n;
    await waitFor(`${n} more load operations`, () => this.ops >= target, timeoutMs);
  }

  private async run(): Promise<void> {
    const { c, b } = await this.connections();
    while (!this.stopping) await this.oneBatch(c, b);
  }

  private async oneBatch(c: RespClient, blocker: RespClient): Promise<void> {
    const replies: Promise<Resp>[] = [];
    const sent: Argv[] = [];
    for (let i = 0; i < this.batch; i++) {
      const { db, cmds } = operation(this.rnd, this.ops++);
      for (const argv of [['SELECT', String(db)], ...cmds]) {
        sent.push(argv);
        replies.push(c.call(...argv));
      }
    }
    const got = await withTimeout(Promise.all(replies), 10_000, 'a load batch');
    got.forEach((r, i) => {
      if (r.t === 'error' && !EXPECTED_ERRORS.test(r.v) && !(r.v.startsWith('EXECABORT') && sent[i][0] === 'EXEC')) {
        this.errors.push(`${sent[i].join(' ').slice(0, 80)} -> ${r.v}`);
      }
    });
    const ask = (conn: RespClient, ...argv: string[]) => withTimeout(conn.call(...argv), 10_000, argv[0]);
    // A BLPOP served by a push from the other connection.
    const key = `blk:${this.rnd(10)}`;
    await ask(blocker, 'SELECT', '2');
    const popped = blocker.call('BLPOP', key, '5');
    await new Promise((r) => setTimeout(r, 2));
    await ask(c, 'SELECT', '2');
    await ask(c, 'RPUSH', key, 'x', `y${this.ops}`);
    const p = await withTimeout(popped, 10_000, 'BLPOP');
    if (p.t !== 'array' || p.v === null) this.errors.push(`BLPOP ${key} -> ${JSON.stringify(p)}`);
    // XACK of entries really pending in a group.
    const db = String(DBS[this.rnd(DBS.length)]);
    const stream = `strm:${this.rnd(10)}`;
    const group = STREAM_GROUPS[this.rnd(2)];
    await ask(c, 'SELECT', db);
    const pending = await ask(c, 'XPENDING', stream, group, '-', '+', String(1 + this.rnd(4)));
    const ids = pending.t === 'array' ? (pending.v ?? []).map((e) => flat(e)[0]) : [];
    if (ids.length > 0) {
      const acked = await ask(c, 'XACK', stream, group, ...ids);
      if (acked.t !== 'int' || Number(acked.v) !== ids.length) this.errors.push(`XACK ${stream} ${group} -> ${JSON.stringify(acked)}`);
    }
    // Now and then the function library replaced: FUNCTION LOAD in the stream, not only in a snapshot.
    if (this.ops % (this.batch * 10) < this.batch) {
      const r = await ask(c, 'FUNCTION', 'LOAD', 'REPLACE', `${LIBRARY2}\n-- version ${this.ops}`);
      if (r.t === 'error') this.errors.push(`FUNCTION LOAD -> ${r.v}`);
    }
  }
}

/**
 * A starting dataset of `keys` keys of every type in every load database,
 * some big (lists, hashes, sorted sets past the small encodings), the
 * function library loaded and streams with consumer groups and pending
 * entries.
 */
export async function seed(port: number, keys: number, seedNo: number): Promise<void> {
  const rnd = seededInts(seedNo);
  const c = await RespClient.connect(port);
  try {
    for (const code of [LIBRARY, LIBRARY2]) {
      const lib = await c.call('FUNCTION', 'LOAD', 'REPLACE', code);
      if (lib.t === 'error') throw new Error(`FUNCTION LOAD: ${lib.v}`);
    }
    let pending: Promise<Resp>[] = [];
    const send = async (...argv: string[]) => {
      pending.push(c.call(...argv));
      if (pending.length >= 500) {
        const got = await withTimeout(Promise.all(pending), 20_000, 'seeding');
        pending = [];
        const bad = got.find((r) => r.t === 'error');
        if (bad !== undefined) throw new Error(`seeding: ${JSON.stringify(bad)}`);
      }
    };
    for (const db of DBS) {
      await send('SELECT', String(db));
      for (let i = 0; i < keys / DBS.length; i++) {
        switch (i % 8) {
          case 0: await send('SET', `seed:s:${i}`, `value-${rnd(1e9)}`); break;
          case 1: await send('SET', `seed:n:${i}`, String(rnd(1e6)), 'EX', String(500 + rnd(5000))); break;
          case 2: await send('RPUSH', `seed:l:${i}`, ...Array.from({ length: 1 + rnd(8) }, (_, j) => `e${j}`)); break;
          case 3: await send('HSET', `seed:h:${i}`, 'a', '1', 'b', `x${rnd(100)}`); break;
          case 4: await send('SADD', `seed:is:${i}`, ...Array.from({ length: 1 + rnd(6) }, () => String(rnd(1000)))); break;
          case 5: await send('ZADD', `seed:z:${i}`, '1', 'a', String(rnd(100)), 'b'); break;
          case 6: await send('SADD', `seed:ss:${i}`, 'alpha', `b${rnd(100)}`); break;
          default: await send('PEXPIREAT', `seed:s:${i - 7}`, String(Date.now() + 600_000 + rnd(100_000)));
        }
      }
      // Big ones, past listpack/intset limits.
      await send('RPUSH', 'seed:biglist', ...Array.from({ length: 1500 }, (_, j) => `item-${j}-${'z'.repeat(j % 70)}`));
      await send('HSET', 'seed:bighash', ...Array.from({ length: 1200 }, (_, j) => [`field${j}`, `val${j}`]).flat());
      await send('SADD', 'seed:bigintset', ...Array.from({ length: 1000 }, (_, j) => String(j * 7)));
      await send('SADD', 'seed:bigset', ...Array.from({ length: 600 }, (_, j) => `m${j}`));
      await send('ZADD', 'seed:bigzset', ...Array.from({ length: 400 }, (_, j) => [String(j / 3), `m${j}`]).flat());
      await send('PFADD', 'seed:hll', ...Array.from({ length: 3000 }, (_, j) => `u${j}`));
      await send('GEOADD', 'seed:geo', '13.361389', '38.115556', 'Palermo', '15.087269', '37.502669', 'Catania');
      for (let j = 0; j < 50; j++) await send('XADD', 'seed:stream', '*', 'i', String(j));
      await send('XGROUP', 'CREATE', 'seed:stream', 'grp', '0');
      await send('XREADGROUP', 'GROUP', 'grp', 'alice', 'COUNT', '20', 'STREAMS', 'seed:stream', '>');
      await send('XREADGROUP', 'GROUP', 'grp', 'bob', 'COUNT', '10', 'STREAMS', 'seed:stream', '>');
    }
    await withTimeout(Promise.all(pending), 20_000, 'seeding');
    // XACK of some of what alice read.
    for (const db of DBS) {
      await c.call('SELECT', String(db));
      const pend = await c.call('XPENDING', 'seed:stream', 'grp', '-', '+', '5', 'alice');
      const ids = (pend.t === 'array' ? pend.v ?? [] : []).map((e) => (e.t === 'array' ? (e.v![0] as { v: string }).v : ''));
      if (ids.length > 0) await c.call('XACK', 'seed:stream', 'grp', ...ids);
    }
  } finally {
    c.close();
  }
}

// ---------------------------------------------------------------------------
// Comparing two datasets.

const str = (r: Resp): string => (r.t === 'bulk' || r.t === 'simple' || r.t === 'int' || r.t === 'verbatim' || r.t === 'double' ? String(r.v) : JSON.stringify(r));
const flat = (r: Resp): string[] => (r.t === 'array' ? (r.v ?? []).map((x) => (x.t === 'array' ? JSON.stringify(flat(x)) : str(x))) : [JSON.stringify(r)]);

/** Field → value of a flat reply of pairs (XINFO's). */
function pairs(r: Resp): Map<string, Resp> {
  const m = new Map<string, Resp>();
  if (r.t === 'array' && r.v !== null) for (let i = 0; i + 1 < r.v.length; i += 2) m.set(str(r.v[i]), r.v[i + 1]);
  return m;
}

/** The HyperLogLog's bytes without its cached cardinality (bytes 8–15 of the header), which a read may refresh. */
function hllRegisters(v: string): string {
  return v.startsWith('HYLL') && v.length >= 16 ? v.slice(0, 8) + v.slice(16) : v;
}

/** A key's logical value as a string, read with commands of its type. */
async function valueOf(c: RespClient, key: string, type: string): Promise<string> {
  switch (type) {
    case 'string': return hllRegisters(str(await c.call('GET', key)));
    case 'list': return JSON.stringify(flat(await c.call('LRANGE', key, '0', '-1')));
    case 'hash': {
      const f = flat(await c.call('HGETALL', key));
      const p: string[] = [];
      for (let i = 0; i < f.length; i += 2) p.push(`${f[i]}=${f[i + 1]}`);
      return JSON.stringify(p.sort());
    }
    case 'set': return JSON.stringify(flat(await c.call('SMEMBERS', key)).sort());
    case 'zset': {
      // Scores as numbers: Redis 7.0 prints them with %.17g, 7.2 (and Sluice) in the shortest form.
      const f = flat(await c.call('ZRANGE', key, '0', '-1', 'WITHSCORES'));
      return JSON.stringify(f.map((x, i) => (i % 2 === 1 ? String(Number(x)) : x)));
    }
    case 'stream': {
      const entries = flat(await c.call('XRANGE', key, '-', '+'));
      const s = pairs(await c.call('XINFO', 'STREAM', key));
      const meta = ['length', 'last-generated-id', 'max-deleted-entry-id', 'entries-added', 'recorded-first-entry-id', 'groups'].map((f) => `${f}=${str(s.get(f) ?? { t: 'null' })}`);
      // Per group: what replication carries. Not its consumers without pending entries (an XREADGROUP that reads
      // nothing makes one on a Redis 7.2 master, and on Sluice, and nothing is propagated), nor entries-read and lag:
      // XREADGROUP propagates as XCLAIM … LASTID, which does not carry them (a Redis 7.0 master's own 7.0 replica
      // shows entries-read null, or the count its snapshot had).
      const groups: string[] = [];
      const g = await c.call('XINFO', 'GROUPS', key);
      for (const grp of g.t === 'array' ? g.v ?? [] : []) {
        const gp = pairs(grp);
        const name = str(gp.get('name')!);
        groups.push(['name', 'pending', 'last-delivered-id'].map((f) => `${f}=${str(gp.get(f) ?? { t: 'null' })}`).join(','));
        // The pending entries: id, owner, delivery count (not the idle time).
        const pel = await c.call('XPENDING', key, name, '-', '+', '100000');
        for (const e of pel.t === 'array' ? pel.v ?? [] : []) {
          const [id, owner, , count] = flat(e);
          groups.push(`  ${id} ${owner} ${count}`);
        }
        const cons = await c.call('XINFO', 'CONSUMERS', key, name);
        for (const cn of cons.t === 'array' ? cons.v ?? [] : []) {
          const cp = pairs(cn);
          if (str(cp.get('pending')!) !== '0') groups.push(`  consumer ${str(cp.get('name')!)} pending=${str(cp.get('pending')!)}`);
        }
      }
      return JSON.stringify({ entries, meta, groups });
    }
    default: return `unexpected type ${type}`;
  }
}

/** Where two values part, with some context. */
function firstDifference(an: string, a: string, bn: string, b: string): string {
  let i = 0;
  while (i < a.length && a[i] === b[i]) i++;
  const from = Math.max(0, i - 60);
  return `from char ${i}: ${an} …${a.slice(from, i + 120)} / ${bn} …${b.slice(from, i + 120)}`;
}

/** What a server holds in one database: key → [type, value, deadline (ms, -1 for none)]. */
async function snapshotDb(port: number, db: number): Promise<Map<string, [string, string, number]>> {
  const c = await RespClient.connect(port);
  try {
    await c.call('SELECT', String(db));
    const keys = flat(await c.call('KEYS', '*'));
    const out = new Map<string, [string, string, number]>();
    for (let i = 0; i < keys.length; i += 200) {
      const chunk = keys.slice(i, i + 200);
      const rows = await withTimeout(Promise.all(chunk.map(async (key) => {
        const type = str(await c.call('TYPE', key));
        const value = await valueOf(c, key, type);
        // The deadline itself (PEXPIRETIME, Redis 7.0 has it): a PTTL would move while the two servers are read.
        const deadline = Number(str(await c.call('PEXPIRETIME', key)));
        return [key, type, value, deadline] as const;
      })), 20_000, `reading db ${db}`);
      for (const [key, type, value, deadline] of rows) if (type !== 'none') out.set(key, [type, value, deadline]);
    }
    return out;
  } finally {
    c.close();
  }
}

/**
 * Compares two servers' datasets in every database, key by key: type,
 * logical value, and deadline (PEXPIRETIME, to the millisecond: both store the master's absolute one). Returns the
 * differences (at most `limit`), and the number of keys compared.
 */
export async function compareDatasets(a: Node, b: Node, limit = 20): Promise<{ diffs: string[]; keys: number }> {
  const diffs: string[] = [];
  let keys = 0;
  // The load's shortest TTLs (at most 220 ms) run out first, so that no key expires between reading one server and the other.
  await new Promise((r) => setTimeout(r, 300));
  for (let db = 0; db < 16; db++) {
    const [x, y] = await Promise.all([snapshotDb(a.port, db), snapshotDb(b.port, db)]);
    keys += x.size;
    for (const [key, [type, value, deadline]] of x) {
      const other = y.get(key);
      if (other === undefined) diffs.push(`db${db} ${key}: only on ${a.name} (${type}, expires ${deadline})`);
      else if (other[0] !== type) diffs.push(`db${db} ${key}: type ${type} on ${a.name}, ${other[0]} on ${b.name}`);
      else if (value !== other[1]) diffs.push(`db${db} ${key} (${type}): ${firstDifference(a.name, value, b.name, other[1])}`);
      else if ((deadline < 0 || other[2] < 0) ? deadline !== other[2] : deadline !== other[2]) diffs.push(`db${db} ${key}: deadline ${deadline} on ${a.name}, ${other[2]} on ${b.name}`);
    }
    for (const [key, [type, , deadline]] of y) if (!x.has(key)) diffs.push(`db${db} ${key}: only on ${b.name} (${type}, expires ${deadline})`);
  }
  // The function libraries, code included (FUNCTION LIST's order is its dictionary's).
  const [fa, fb] = await Promise.all([call(a.port, 'FUNCTION', 'LIST', 'WITHCODE'), call(b.port, 'FUNCTION', 'LIST', 'WITHCODE')]);
  const libs = (r: Resp) => JSON.stringify((r.t === 'array' ? r.v ?? [] : []).map((l) => {
    const p = pairs(l);
    const fns = p.get('functions');
    return { name: str(p.get('library_name')!), code: str(p.get('library_code')!), functions: fns === undefined ? [] : (fns.t === 'array' ? fns.v ?? [] : []).map((f) => str(pairs(f).get('name')!)).sort() };
  }).sort((x, y) => (x.name < y.name ? -1 : 1)));
  if (libs(fa) !== libs(fb)) diffs.push(`function libraries: ${a.name} ${libs(fa)} / ${b.name} ${libs(fb)}`);
  return { diffs: diffs.slice(0, limit), keys };
}
