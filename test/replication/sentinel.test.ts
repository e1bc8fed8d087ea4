/**
 * Redis Sentinel (7.0.15, `redis-server --sentinel`) manages Sluice as it
 * would Redis: three Sentinels monitor a Sluice master with a Sluice
 * replica and a Redis 7.0.15 replica (the master sends RDB 10, which 7.0
 * reads). The master is SIGKILLed: the Sluice replica (lowest
 * replica-priority) is promoted, the Redis replica follows it, and the old
 * master, restarted on its directory and config file, is turned into a
 * replica by Sentinel. A manual SENTINEL FAILOVER then promotes the Redis
 * replica, Sentinel demoting the Sluice master into its replica. ioredis,
 * node-redis and a BullMQ worker reach the master through the Sentinels
 * throughout. Everything runs on loopback; every wait is bounded.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue, Worker } from 'bullmq';
import { Redis } from 'ioredis';
import { createSentinel } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, ensureBuild } from '../helpers/child-sluice.js';
import { freePort, redisServerPath } from '../helpers/servers.js';

const MASTER_NAME = 'mymaster';
const HOST = '127.0.0.1';

/** Sentinel must be 7.0 or later (`SENTINEL DEBUG`, `SENTINEL REPLICAS`). */
const redisVersion: string | null = (() => {
  if (redisServerPath === null) return null;
  const r = spawnSync(redisServerPath, ['--version'], { encoding: 'utf8' });
  return /v=(\d+\.\d+\.\d+)/.exec(r.stdout)?.[1] ?? null;
})();
const usable = redisVersion !== null && Number(redisVersion.split('.')[0]) >= 7;
if (!usable) console.warn(`NOTE: Sentinel test skipped: needs redis-server 7.x (found ${redisVersion ?? 'none'})`);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One process of the topology: its port, its directory, its log and how to (re)start it. */
interface Instance {
  name: string;
  port: number;
  dir: string;
  conf: string;
  log: string;
  child: ChildProcess | null;
  exited: Promise<void> | null;
}

const instances: Instance[] = [];
let root = '';

function tail(file: string, lines = 25): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

/** The last lines of every log, for a failure's message. */
function logs(): string {
  return instances.map((i) => `--- ${i.name} (:${i.port}) ---\n${tail(i.log)}`).join('\n');
}

/** A probe's failure that no retry can mend (the process waited for exited): waitFor gives up at once. */
class Fatal extends Error {}

async function waitFor<T>(what: string, probe: () => Promise<T | null | undefined | false>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown = null;
  while (Date.now() < deadline) {
    try {
      const v = await probe();
      if (v !== null && v !== undefined && v !== false) return v;
    } catch (e) {
      if (e instanceof Fatal) throw new Error(`${e.message} while waiting for ${what}\n${logs()}`);
      last = e;
    }
    await sleep(100);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last === null ? '' : ` (last error: ${String(last)})`}\n${logs()}`);
}

/** One command on a fresh connection, which is closed after: a down server fails fast rather than being retried. */
async function ask(port: number, ...args: (string | number)[]): Promise<unknown> {
  const c = new Redis({ host: HOST, port, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 1000, commandTimeout: 2000 });
  c.on('error', () => {});
  try {
    await c.connect();
    return await c.call(String(args[0]), ...args.slice(1).map(String));
  } finally {
    c.disconnect();
  }
}

/** A flat RESP2 array of alternating names and values as an object (SENTINEL REPLICAS / SENTINELS / MASTER). */
function fields(flat: unknown): Record<string, string> {
  const a = flat as string[];
  const o: Record<string, string> = {};
  for (let i = 0; i + 1 < a.length; i += 2) o[a[i]] = a[i + 1];
  return o;
}

async function infoField(port: number, field: string, section = 'replication'): Promise<string | undefined> {
  const text = String(await ask(port, 'INFO', section));
  return new RegExp(`^${field}:(.*)\r?$`, 'm').exec(text)?.[1];
}

function newInstance(name: string, port: number): Instance {
  const dir = path.join(root, name);
  mkdirSync(dir);
  const inst: Instance = { name, port, dir, conf: path.join(dir, `${name}.conf`), log: path.join(dir, 'log.txt'), child: null, exited: null };
  instances.push(inst);
  return inst;
}

/** Starts (or restarts) the instance's process on its config file, and waits until its port answers PING. */
async function launch(inst: Instance, sluice: boolean, sentinel = false): Promise<void> {
  const child = sluice
    ? spawn(process.execPath, [CLI, inst.conf], { stdio: 'ignore' })
    : spawn(redisServerPath!, sentinel ? [inst.conf, '--sentinel'] : [inst.conf], { stdio: 'ignore' });
  inst.child = child;
  inst.exited = new Promise((resolve) => child.once('exit', () => resolve()));
  let gone = false;
  void inst.exited.then(() => (gone = true));
  await waitFor(
    `${inst.name} to answer PING`,
    async () => {
      if (gone) throw new Fatal(`${inst.name} exited`);
      return (await ask(inst.port, 'PING')) === 'PONG';
    },
    15000,
  );
}

async function kill(inst: Instance): Promise<void> {
  const child = inst.child;
  if (child === null) return;
  inst.child = null;
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await inst.exited;
}

/** A write retried until it succeeds (a failover in between), each attempt given 3 s. */
async function retrying(what: string, op: () => Promise<unknown>, timeoutMs = 20000): Promise<void> {
  await waitFor(
    what,
    async () => {
      await Promise.race([op(), sleep(3000).then(() => Promise.reject(new Error('attempt timed out')))]);
      return true;
    },
    timeoutMs,
  );
}

describe.skipIf(!usable)('Sentinel (Redis 7.0) manages Sluice unchanged', () => {
  let master: Instance; // Sluice, the first master (replica-priority 300: the last choice once it is a replica)
  let sluiceReplica: Instance; // Sluice, replica-priority 100: promoted on the first failover
  let redisReplica: Instance; // Redis 7.0.15, replica-priority 200: promoted on the manual failover
  const sentinels: Instance[] = [];
  const sentinelAddrs = () => sentinels.map((s) => ({ host: HOST, port: s.port }));

  let io: Redis;
  let nodeRedis: ReturnType<typeof createSentinel> | null = null;
  let queue: Queue;
  let worker: Worker;
  /** Job id → when the worker finished it. */
  const processed = new Map<string, number>();
  let killedAt = 0;
  const jobIds: string[] = [];
  const workerErrors: string[] = [];

  const masterAddr = async (s: Instance = sentinels[0]): Promise<string> => {
    const r = (await ask(s.port, 'SENTINEL', 'get-master-addr-by-name', MASTER_NAME)) as string[] | null;
    return r === null ? '' : `${r[0]}:${r[1]}`;
  };
  const addrOf = (i: Instance) => `${HOST}:${i.port}`;

  /** Adds job n (its id fixed, so that an attempt retried after a failover adds it once), retrying until it is added. */
  const addJob = async (n: number): Promise<void> => {
    await retrying(`job ${n} to be added`, () => queue.add('j', { n }, { jobId: `job-${n}` }));
    jobIds.push(`job-${n}`);
  };

  const allCompleted = (ids: string[], what: string, timeoutMs: number) =>
    waitFor(
      what,
      async () => {
        for (const id of ids) if ((await queue.getJobState(id)) !== 'completed') return false;
        return true;
      },
      timeoutMs,
    );

  /** What every Sentinel reports of the master's replicas, as addr → fields. */
  const replicasSeen = async (s: Instance): Promise<Map<string, Record<string, string>>> => {
    const list = (await ask(s.port, 'SENTINEL', 'replicas', MASTER_NAME)) as unknown[];
    return new Map(list.map(fields).map((f) => [`${f.ip}:${f.port}`, f]));
  };

  /** The instance's config file: its address, directory and log, then `lines`. */
  const writeConf = (inst: Instance, lines: string[]) =>
    writeFileSync(inst.conf, [`port ${inst.port}`, `bind ${HOST}`, `dir ${inst.dir}`, `logfile ${inst.log}`, ...lines, ''].join('\n'));
  /** No persistence (a killed server comes back empty), and a full sync at once. */
  const EVERY_SERVER = ['save ""', 'appendonly no', 'repl-diskless-sync-delay 0'];

  beforeAll(async () => {
    ensureBuild();
    root = mkdtempSync(path.join(os.tmpdir(), 'sluice-sentinel-'));
    master = newInstance('master', await freePort());
    sluiceReplica = newInstance('sluice-replica', await freePort());
    redisReplica = newInstance('redis-replica', await freePort());
    writeConf(master, [...EVERY_SERVER, 'repl-rdb-version 10', 'replica-priority 300']);
    writeConf(sluiceReplica, [...EVERY_SERVER, 'repl-rdb-version 10', 'replica-priority 100', `replicaof ${HOST} ${master.port}`]);
    writeConf(redisReplica, [...EVERY_SERVER, 'replica-priority 200', `replicaof ${HOST} ${master.port}`]);
    for (let i = 1; i <= 3; i++) {
      const s = newInstance(`sentinel${i}`, await freePort());
      writeConf(s, [
        `sentinel monitor ${MASTER_NAME} ${HOST} ${master.port} 2`,
        // Not 1000: on +switch-master Sentinel resets the master's link with act_ping_time = now and reconnects it at most once a
        // ping period (1 s), so with 1000 a Sentinel that learns of the switch by hello can find the new master SDOWN before its
        // first PING is even sent, and start a second failover (seen here; Redis's own sentinel tests use 2000 too).
        `sentinel down-after-milliseconds ${MASTER_NAME} 2000`,
        `sentinel failover-timeout ${MASTER_NAME} 5000`,
        `sentinel parallel-syncs ${MASTER_NAME} 2`,
      ]);
      sentinels.push(s);
    }
    await launch(master, true);
    await Promise.all([launch(sluiceReplica, true), launch(redisReplica, false)]);
    await Promise.all(sentinels.map((s) => launch(s, false, true)));
    // INFO every second rather than every 10 s (a knob Sentinel 7.0 has for its tests): the old master's reconfiguration waits for it.
    for (const s of sentinels) expect(await ask(s.port, 'SENTINEL', 'DEBUG', 'info-period', 1000)).toBe('OK');
  }, 40000);

  afterAll(async () => {
    // The clients get 5 s to close (after a failed test their server may be gone); the processes are killed whatever happened.
    const closing = Promise.all([
      worker?.close(true).catch(() => {}),
      queue?.close().catch(() => {}),
      nodeRedis?.close().catch(() => {}),
    ]);
    io?.disconnect();
    await Promise.race([closing, sleep(5000)]);
    await Promise.all(instances.map(kill));
    if (root !== '') rmSync(root, { recursive: true, force: true });
  }, 20000);

  it('the Sentinels see the Sluice master, both replicas and each other', async () => {
    for (const s of sentinels) {
      const seen = await waitFor(
        `${s.name} to see both replicas online`,
        async () => {
          const r = await replicasSeen(s);
          const a = r.get(addrOf(sluiceReplica));
          const b = r.get(addrOf(redisReplica));
          return a?.['master-link-status'] === 'ok' && b?.['master-link-status'] === 'ok' && r;
        },
        15000,
      );
      const a = seen.get(addrOf(sluiceReplica))!;
      expect(a.flags).toBe('slave');
      expect(a['slave-priority']).toBe('100');
      expect(a['master-port']).toBe(String(master.port));
      expect(a.runid).toMatch(/^[0-9a-f]{40}$/);
      expect(a['replica-announced']).toBe('1');
      expect(seen.get(addrOf(redisReplica))!['slave-priority']).toBe('200');
      await waitFor(
        `${s.name} to discover the other two Sentinels through __sentinel__:hello`,
        async () => ((await ask(s.port, 'SENTINEL', 'sentinels', MASTER_NAME)) as unknown[]).length === 2,
        15000,
      );
      const m = fields(await ask(s.port, 'SENTINEL', 'master', MASTER_NAME));
      expect(m.flags).toBe('master');
      expect(m['role-reported']).toBe('master');
      expect(m['num-slaves']).toBe('2');
      expect(m['num-other-sentinels']).toBe('2');
      expect(m.runid).toMatch(/^[0-9a-f]{40}$/);
      expect(await masterAddr(s)).toBe(addrOf(master));
    }
    // The master learned the Sentinels' names (CLIENT SETNAME) and their hellos reach it: PUBLISH __sentinel__:hello has subscribers.
    const clients = String(await ask(master.port, 'CLIENT', 'LIST'));
    expect(clients.match(/name=sentinel-[0-9a-f]{8}-cmd /g)?.length).toBe(3);
    expect(clients.match(/name=sentinel-[0-9a-f]{8}-pubsub /g)?.length).toBe(3);
    expect(await ask(master.port, 'PUBSUB', 'NUMSUB', '__sentinel__:hello')).toEqual(['__sentinel__:hello', 3]);
  }, 40000);

  it('a master busy in a script is SDOWN and Sentinel ends the script with SCRIPT KILL', async () => {
    // A quorum three Sentinels cannot reach: SDOWN without ODOWN, so that no failover starts meanwhile (Redis's own
    // 07-down-conditions kills a majority of its Sentinels to the same end).
    for (const s of sentinels) expect(await ask(s.port, 'SENTINEL', 'SET', MASTER_NAME, 'quorum', 4)).toBe('OK');
    expect(await ask(master.port, 'CONFIG', 'SET', 'busy-reply-threshold', 100)).toBe('OK');
    const busy = new Redis({ host: HOST, port: master.port, retryStrategy: () => null, maxRetriesPerRequest: 0 });
    busy.on('error', () => {});
    try {
      const outcome = busy.eval('while true do end', 0).then(
        () => 'returned',
        (e: Error) => e.message,
      );
      const ended = await Promise.race([outcome, sleep(15000).then(() => 'still running after 15 s')]);
      expect(ended).toMatch(/^ERR Script killed by user with SCRIPT KILL/);
      // Only a Sentinel that holds the master SDOWN sends SCRIPT KILL, and it logs +sdown first.
      expect(sentinels.some((s) => / \+sdown master mymaster /.test(readFileSync(s.log, 'utf8')))).toBe(true);
      expect(await ask(master.port, 'PING')).toBe('PONG');
      for (const s of sentinels) {
        await waitFor(`${s.name} to see the master up again`, async () => fields(await ask(s.port, 'SENTINEL', 'master', MASTER_NAME)).flags === 'master', 10000);
      }
    } finally {
      busy.disconnect();
      await ask(master.port, 'CONFIG', 'SET', 'busy-reply-threshold', 5000).catch(() => {});
      for (const s of sentinels) await ask(s.port, 'SENTINEL', 'SET', MASTER_NAME, 'quorum', 2).catch(() => {});
    }
    expect(await masterAddr()).toBe(addrOf(master));
    expect(fields(await ask(sentinels[0].port, 'SENTINEL', 'master', MASTER_NAME)).quorum).toBe('2');
  }, 40000);

  it('ioredis, node-redis and a BullMQ worker reach the master through the Sentinels', async () => {
    io = new Redis({ sentinels: sentinelAddrs(), name: MASTER_NAME, maxRetriesPerRequest: 3 });
    io.on('error', () => {});
    expect(await io.set('io:before', '1')).toBe('OK');
    expect(await io.call('ROLE')).toEqual(['master', expect.any(Number), expect.any(Array)]);
    expect(io.stream.remotePort).toBe(master.port);

    nodeRedis = createSentinel({ name: MASTER_NAME, sentinelRootNodes: sentinelAddrs() });
    nodeRedis.on('error', () => {});
    await nodeRedis.connect();
    expect(await nodeRedis.set('nr:before', '1')).toBe('OK');

    const connection = { sentinels: sentinelAddrs(), name: MASTER_NAME, maxRetriesPerRequest: null };
    queue = new Queue('sentinel-jobs', { connection });
    queue.on('error', () => {});
    worker = new Worker(
      'sentinel-jobs',
      async (job) => {
        await sleep(100);
        processed.set(job.id!, Date.now());
        return job.data.n;
      },
      // A short lock, checked often: a completion the dead master acknowledged but had not yet sent its replicas is found stalled and redone in seconds.
      { connection, lockDuration: 3000, stalledInterval: 1000, maxStalledCount: 10 },
    );
    worker.on('error', (e) => workerErrors.push(String(e)));
    for (let n = 0; n < 20; n++) await addJob(n);
    await waitFor('the first jobs to be processed', async () => processed.size >= 3, 15000);
    // Jobs waiting on the master are on both replicas too before it dies (asynchronous replication loses the last writes otherwise).
    expect(await ask(master.port, 'WAIT', 2, 5000)).toBe(2);
  }, 30000);

  it('SIGKILL of the master: Sentinel promotes the Sluice replica (lowest priority), the Redis replica follows it', async () => {
    const before = await infoField(sluiceReplica.port, 'master_repl_offset');
    expect(Number(before)).toBeGreaterThan(0);
    await kill(master);
    killedAt = Date.now();
    // The worker writes until the kill, so one replica may have read more of the dead master's stream than the other; Sentinel
    // needs two seconds to call it down, long after both applied what they had read. Their offsets now decide the resync below.
    await sleep(300);
    const sluiceOffset = Number(await infoField(sluiceReplica.port, 'master_repl_offset'));
    const redisOffset = Number(await infoField(redisReplica.port, 'master_repl_offset'));
    for (const s of sentinels) {
      await waitFor(`${s.name} to name the new master`, async () => (await masterAddr(s)) === addrOf(sluiceReplica), 20000);
    }
    const failoverMs = Date.now() - killedAt;
    expect(failoverMs).toBeLessThan(20000);
    const role = (await ask(sluiceReplica.port, 'ROLE')) as unknown[];
    expect(role[0]).toBe('master');
    // Promotion shifted the history: the old id is the second one, so the Redis replica could continue (+CONTINUE) rather than resync.
    expect(await infoField(sluiceReplica.port, 'role')).toBe('master');
    expect(await infoField(sluiceReplica.port, 'master_replid2')).toMatch(/^[0-9a-f]{40}$/);
    // Sentinel's MULTI / SLAVEOF NO ONE / CONFIG REWRITE / CLIENT KILL / EXEC persisted the role in the promoted replica's config file.
    const conf = readFileSync(sluiceReplica.conf, 'utf8');
    expect(conf).not.toMatch(/^replicaof /m);
    await waitFor(
      'the Redis replica to follow the promoted Sluice',
      async () => {
        const r = (await ask(redisReplica.port, 'ROLE')) as unknown[];
        return r[0] === 'slave' && r[1] === HOST && r[2] === sluiceReplica.port && r[3] === 'connected';
      },
      15000,
    );
    // The Redis replica continues from the promoted one's history (+CONTINUE) unless it had read past it, when Redis's rules ask for a full sync.
    const partial = redisOffset <= sluiceOffset;
    expect({ redisOffset, sluiceOffset, partialOk: await infoField(sluiceReplica.port, 'sync_partial_ok', 'stats') }).toEqual({ redisOffset, sluiceOffset, partialOk: partial ? '1' : '0' });
    if (!partial) expect(await infoField(sluiceReplica.port, 'sync_full', 'stats')).toBe('1');
    expect(readFileSync(redisReplica.conf, 'utf8')).toMatch(new RegExp(`^replicaof ${HOST} ${sluiceReplica.port}$`, 'm'));
    expect(await ask(sluiceReplica.port, 'GET', 'io:before')).toBe('1');
    expect(await ask(redisReplica.port, 'GET', 'nr:before')).toBe('1');
    for (const s of sentinels) {
      const m = fields(await ask(s.port, 'SENTINEL', 'master', MASTER_NAME));
      expect(m['role-reported']).toBe('master');
      expect(m['config-epoch']).toBe('1');
    }
  }, 40000);

  it('ioredis, node-redis and the BullMQ worker carry on against the new master', async () => {
    await retrying('an ioredis write after the failover', () => io.set('io:after', '2'));
    expect(await io.get('io:after')).toBe('2');
    expect(io.stream.remotePort).toBe(sluiceReplica.port);
    await retrying('a node-redis write after the failover', () => nodeRedis!.set('nr:after', '2'));
    expect(await nodeRedis!.get('nr:after')).toBe('2');
    expect(await ask(sluiceReplica.port, 'GET', 'nr:after')).toBe('2');
    for (let n = 20; n < 40; n++) await addJob(n);
    await allCompleted(jobIds, 'every job, added before and after the failover, to be completed', 25000);
    expect(new Set(jobIds).size).toBe(40);
    for (const id of jobIds) expect(processed.has(id)).toBe(true);
    // Jobs queued before the kill were still being worked through after it (20 × 100 ms, the kill after the third).
    expect(jobIds.slice(0, 20).filter((id) => processed.get(id)! > killedAt).length).toBeGreaterThan(0);
  }, 60000);

  it('the old master, restarted on its directory and config, is made a replica of the new one by Sentinel', async () => {
    await launch(master, true);
    await waitFor(
      'the restarted old master to replicate the promoted Sluice',
      async () => {
        const r = (await ask(master.port, 'ROLE')) as unknown[];
        return r[0] === 'slave' && r[2] === sluiceReplica.port && r[3] === 'connected';
      },
      30000,
    );
    // It was Sentinel: the restarted master's config named no master, and a Sentinel logged the conversion.
    expect(sentinels.some((s) => readFileSync(s.log, 'utf8').includes(`+convert-to-slave slave ${addrOf(master)} `))).toBe(true);
    expect(readFileSync(master.conf, 'utf8')).toMatch(new RegExp(`^replicaof ${HOST} ${sluiceReplica.port}$`, 'm'));
    expect(await ask(master.port, 'GET', 'io:after')).toBe('2');
    for (const s of sentinels) {
      await waitFor(
        `${s.name} to list the old master as a replica`,
        async () => (await replicasSeen(s)).get(addrOf(master))?.['master-link-status'] === 'ok',
        15000,
      );
    }
    expect(await ask(sluiceReplica.port, 'INFO', 'replication')).toMatch(/^connected_slaves:2\r?$/m);
  }, 50000);

  it('a manual SENTINEL FAILOVER promotes the Redis replica and Sentinel demotes the Sluice master', async () => {
    // Replicas now: Redis (priority 200) and the old master (300): Redis is the choice.
    expect(await ask(sentinels[1].port, 'SENTINEL', 'FAILOVER', MASTER_NAME)).toBe('OK');
    for (const s of sentinels) {
      await waitFor(`${s.name} to name the Redis replica master`, async () => (await masterAddr(s)) === addrOf(redisReplica), 20000);
    }
    expect(((await ask(redisReplica.port, 'ROLE')) as unknown[])[0]).toBe('master');
    for (const follower of [sluiceReplica, master]) {
      await waitFor(
        `${follower.name} to follow the Redis master`,
        async () => {
          const r = (await ask(follower.port, 'ROLE')) as unknown[];
          return r[0] === 'slave' && r[2] === redisReplica.port && r[3] === 'connected';
        },
        30000,
      );
    }
    await retrying('an ioredis write on the Redis master', () => io.set('io:third', '3'));
    await waitFor('the write to reach both Sluice replicas', async () => (await ask(master.port, 'GET', 'io:third')) === '3' && (await ask(sluiceReplica.port, 'GET', 'io:third')) === '3', 10000);
    expect(readFileSync(sluiceReplica.conf, 'utf8')).toMatch(new RegExp(`^replicaof ${HOST} ${redisReplica.port}$`, 'm'));
    const more = [40, 41, 42, 43, 44];
    for (const n of more) await addJob(n);
    await allCompleted(more.map((n) => `job-${n}`), 'the jobs added on the Redis master to be completed', 20000);
    expect(await ask(redisReplica.port, 'EXISTS', 'bull:sentinel-jobs:job-40')).toBe(1);
  }, 60000);

  it('a Sluice replica with replica-announced no is hidden from SENTINEL REPLICAS', async () => {
    const listed = async () => (await replicasSeen(sentinels[0])).has(addrOf(master));
    expect(await listed()).toBe(true);
    expect(await ask(master.port, 'CONFIG', 'SET', 'replica-announced', 'no')).toBe('OK');
    expect(await infoField(master.port, 'replica_announced')).toBe('0');
    await waitFor('the unannounced replica to drop out of SENTINEL REPLICAS', async () => !(await listed()), 10000);
    expect(await ask(master.port, 'CONFIG', 'SET', 'replica-announced', 'yes')).toBe('OK');
    await waitFor('the replica to be listed again', listed, 10000);
  }, 30000);
});
