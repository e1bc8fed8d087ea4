// The cluster section: what a second master buys (a two-master cluster's
// SET and GET throughput through a cluster-aware client, against one node),
// resharding 1,000 slots that hold 1,000,000 keys with a client reading
// them meanwhile, and how long a cluster takes to promote a replica once
// its master is killed. Sluice clusters against redis-server clusters built
// the same way, in the same run.
import Redis from 'ioredis';
import { keyHashSlot } from '../dist/cluster/key-slot.js';
import { ask, cli, clusterInfo, clusterNodes, clusterSettled, createCluster, REDIS_CLI, startNodes, until } from './lib/cluster-nodes.mjs';
import { percentile } from './lib/probe.mjs';
import { encode, pipelineLoad } from './lib/resp.mjs';
import { rpsByTest, runRedisBenchmark } from './lib/redis-benchmark.mjs';
import { REDIS_BENCHMARK, REDIS_SERVER, redisVersion, scratchDir, startRedis, startSluice } from './lib/servers.mjs';
import { fmtInt, fmtRatio, median, renderMarkdown, renderText } from './lib/table.mjs';

export const id = 'cluster';
export const title = 'Cluster: two masters against one node, resharding, failover';

const CLIENTS = 50;
const PIPELINE = 16;
const ROUNDS = 3;
/** Reshards per kind, alternating: one reshard's time follows the disk's state, which the one before it leaves behind. */
const RESHARD_ROUNDS = 3;
/** The same for both kinds: Redis's failover timing follows from it (election delay 500-1000 ms after the failure is known). */
const NODE_TIMEOUT_MS = 2000;
const SLOTS_MOVED = 1000;
/** Keys a MIGRATE moves at once (redis-cli's --cluster-pipeline; its default is 10). */
const MIGRATE_PIPELINE = 100;
/**
 * redis-benchmark --cluster runs a thread per node, which it stops only at
 * its 250 ms throughput tick once every request is answered: a run's time
 * reads up to 250 ms long. Runs of 8,000,000 requests (about 10 s) keep
 * that under 3%, where a run of 2 s would move by up to 10%.
 */
const FULL = { requests: 8_000_000, keys: 1_000_000 };
const QUICK = { requests: 200_000, keys: 50_000 };
const TARGETS = { scaling: 1.7, vsRedis: 0.9, reshard: 1.0, reshardP99: 2.0, failover: 1.0 };

const KINDS = [
  { name: 'sluice', start: startSluice },
  ...(REDIS_SERVER === null ? [] : [{ name: 'redis', start: startRedis }]),
];

/**
 * Two masters joined by hand (redis-cli --cluster create wants three): the
 * first holds slots 0-8191, the second the rest, one per core.
 */
async function twoMasters(kind, dir) {
  const nodes = await startNodes(kind.start, { dir, count: 2, cpus: [0, 1], nodeTimeoutMs: NODE_TIMEOUT_MS });
  try {
    await ask(nodes[0].port, 'CLUSTER', 'ADDSLOTSRANGE', '0', '8191');
    await ask(nodes[1].port, 'CLUSTER', 'ADDSLOTSRANGE', '8192', '16383');
    await ask(nodes[0].port, 'CLUSTER', 'SET-CONFIG-EPOCH', '1');
    await ask(nodes[1].port, 'CLUSTER', 'SET-CONFIG-EPOCH', '2');
    await ask(nodes[0].port, 'CLUSTER', 'MEET', '127.0.0.1', String(nodes[1].port));
    await until(`${kind.name}: two masters ok`, () => clusterSettled(nodes.map((n) => n.port)));
    return nodes;
  } catch (e) {
    await Promise.all(nodes.map((n) => n.stop()));
    throw e;
  }
}

/** SET and GET at -P 16 over 1,000,000 random keys: redis-benchmark --cluster for a cluster, plain for one node. */
async function throughput(port, { cluster, requests }) {
  const extra = ['-r', '1000000', ...(cluster ? ['--cluster'] : [])];
  const rows = await runRedisBenchmark(port, { tests: ['set', 'get'], clients: CLIENTS, requests, pipeline: PIPELINE, cpu: null, extra });
  const rps = rpsByTest(rows);
  return { set: rps.get('set'), get: rps.get('get') };
}

async function measureThroughput(sizes, log) {
  const out = {};
  for (const kind of KINDS) out[kind.name] = { single: { set: [], get: [] }, cluster: { set: [], get: [] }, error: undefined };
  for (let round = 0; round < ROUNDS; round++) {
    const kinds = round % 2 === 0 ? KINDS : [...KINDS].reverse();
    for (const kind of kinds) {
      const m = out[kind.name];
      if (m.error !== undefined) continue;
      log(`round ${round + 1} of ${ROUNDS}: ${kind.name}, one node then two masters`);
      const scratch = scratchDir(`sluice-bench-cluster-${kind.name}-`);
      try {
        const single = await kind.start({ dir: scratch.dir, cpu: 0 });
        try {
          const r = await throughput(single.port, { cluster: false, requests: sizes.requests });
          m.single.set.push(r.set);
          m.single.get.push(r.get);
        } finally {
          await single.stop();
        }
        const nodes = await twoMasters(kind, scratch.dir);
        try {
          const r = await throughput(nodes[0].port, { cluster: true, requests: sizes.requests });
          m.cluster.set.push(r.set);
          m.cluster.get.push(r.get);
        } finally {
          await Promise.all(nodes.map((n) => n.stop()));
        }
      } catch (e) {
        m.error = String(e.message ?? e).split('\n')[0];
      } finally {
        scratch.remove();
      }
    }
  }
  return out;
}

/** For each slot below `count`, a hash tag whose key lands in it. */
function tagsForSlots(count) {
  const tags = new Array(count).fill(null);
  let found = 0;
  for (let i = 0; found < count; i++) {
    const tag = `t${i}`;
    const slot = keyHashSlot(tag);
    if (slot < count && tags[slot] === null) {
      tags[slot] = tag;
      found++;
    }
  }
  return tags;
}

/**
 * Moves the first 1,000 slots, holding `keys` keys, from one master to the
 * other with redis-cli --cluster reshard, then back, while one client reads
 * random keys of those slots through ioredis's Cluster, one request at a
 * time. The first move is the fresh nodes' first MIGRATE, RESTORE and
 * SETSLOT work; the move back runs on nodes that have done that work once,
 * as a cluster in service has. Returns each move's seconds and the
 * client's p99 in ms during it.
 */
async function reshard(kind, keys, log) {
  const scratch = scratchDir(`sluice-bench-reshard-${kind.name}-`);
  const nodes = await twoMasters(kind, scratch.dir);
  try {
    const tags = tagsForSlots(SLOTS_MOVED);
    const keyAt = (i) => `{${tags[i % SLOTS_MOVED]}}:${i}`;
    log(`${kind.name}: loading ${fmtInt(keys)} keys into slots 0-${SLOTS_MOVED - 1}`);
    const errors = await pipelineLoad(nodes[0].port, keys, (i) => encode(['SET', keyAt(i), `value-${i}`]));
    if (errors !== 0) throw new Error(`${kind.name}: ${errors} SETs failed while loading`);
    const [from, to] = await Promise.all(nodes.map(async (n) => (await ask(n.port, 'CLUSTER', 'MYID'))));
    const client = new Redis.Cluster([{ host: '127.0.0.1', port: nodes[0].port }], { maxRedirections: 64, enableReadyCheck: true });
    const latencies = [];
    let wrong = 0;
    let reading = true;
    const reader = (async () => {
      let i = 0;
      while (reading) {
        const k = (i++ * 7919) % keys;
        const start = performance.now();
        const v = await client.get(keyAt(k));
        latencies.push(performance.now() - start);
        if (v !== `value-${k}`) wrong++;
      }
    })();
    /** One `redis-cli --cluster reshard` of the slots from node `a` to node `b`; its seconds and the reader's p99 meanwhile. */
    const move = async (a, b, label) => {
      log(`${kind.name}: resharding ${SLOTS_MOVED} slots${label}`);
      const first = latencies.length;
      const start = performance.now();
      await cli(['--cluster', 'reshard', `127.0.0.1:${nodes[0].port}`, '--cluster-from', a, '--cluster-to', b,
        '--cluster-slots', String(SLOTS_MOVED), '--cluster-yes', '--cluster-pipeline', String(MIGRATE_PIPELINE)]);
      const seconds = (performance.now() - start) / 1000;
      const p99 = percentile(latencies.slice(first), 99);
      log(`${kind.name}: resharded in ${seconds.toFixed(2)} s, reader p99 ${p99.toFixed(2)} ms`);
      return { seconds, p99 };
    };
    const there = await move(from, to, '');
    const arrived = Number(await ask(nodes[1].port, 'DBSIZE'));
    if (arrived !== keys) throw new Error(`${kind.name}: ${arrived} of ${keys} keys arrived`);
    const back = await move(to, from, ' back');
    reading = false;
    await reader;
    client.disconnect();
    const returned = Number(await ask(nodes[0].port, 'DBSIZE'));
    if (returned !== keys) throw new Error(`${kind.name}: ${returned} of ${keys} keys came back`);
    if (wrong !== 0) throw new Error(`${kind.name}: ${wrong} reads during the reshards returned a wrong value`);
    return { seconds: there.seconds, p99: there.p99, backSeconds: back.seconds, backP99: back.p99, reads: latencies.length };
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    scratch.remove();
  }
}

/**
 * Three masters and a replica of the first; the first is killed, and the
 * time runs until the other two masters show its replica as a master and
 * say cluster_state:ok.
 */
async function failover(kind, log) {
  const scratch = scratchDir(`sluice-bench-failover-${kind.name}-`);
  const nodes = await startNodes(kind.start, { dir: scratch.dir, count: 4, cpus: [0, 1], nodeTimeoutMs: NODE_TIMEOUT_MS });
  try {
    const [victim, b, c, replica] = nodes;
    await createCluster([victim, b, c]);
    const victimId = await ask(victim.port, 'CLUSTER', 'MYID');
    await cli(['--cluster', 'add-node', `127.0.0.1:${replica.port}`, `127.0.0.1:${victim.port}`, '--cluster-slave', '--cluster-master-id', victimId]);
    await until(`${kind.name}: the replica in sync`, async () => (await ask(replica.port, 'INFO', 'replication')).includes('master_link_status:up'));
    await until(`${kind.name}: every node knows the replica`, () => clusterSettled([victim, b, c, replica].map((n) => n.port), 4));
    const replicaId = await ask(replica.port, 'CLUSTER', 'MYID');
    log(`${kind.name}: killing a master`);
    const start = performance.now();
    process.kill(victim.pid, 'SIGKILL');
    const promoted = async () => {
      for (const n of [b, c]) {
        const me = (await clusterNodes(n.port)).find((x) => x.id === replicaId);
        if (me === undefined || !me.flags.includes('master') || (await clusterInfo(n.port)).cluster_state !== 'ok') return false;
      }
      return true;
    };
    await until(`${kind.name}: the replica promoted`, promoted, 60_000, 10);
    return { seconds: (performance.now() - start) / 1000 };
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
    scratch.remove();
  }
}

/**
 * `fn` per kind over `rounds` rounds, the kinds' order reversed every other
 * round; per kind the median of each field, or the error that stopped it (a
 * kind may not support everything yet).
 */
async function alternating(rounds, fn) {
  const runs = {};
  for (let round = 0; round < rounds; round++) {
    const kinds = round % 2 === 0 ? KINDS : [...KINDS].reverse();
    for (const kind of kinds) {
      if (runs[kind.name]?.error !== undefined) continue;
      try {
        (runs[kind.name] ??= []).push(await fn(kind));
      } catch (e) {
        runs[kind.name] = { error: String(e.message ?? e).split('\n')[0] };
      }
    }
  }
  const out = {};
  for (const [name, r] of Object.entries(runs)) {
    if (!Array.isArray(r)) {
      out[name] = r;
      continue;
    }
    out[name] = {};
    for (const field of Object.keys(r[0])) out[name][field] = median(r.map((x) => x[field]));
  }
  return out;
}

const verdict = (ok) => (ok ? 'met' : 'below');

export async function run({ quick, log }) {
  if (REDIS_BENCHMARK === null || REDIS_CLI === null) {
    const note = 'redis-benchmark or redis-cli is not installed: the cluster section was not measured.';
    return { text: note, markdown: note };
  }
  const sizes = quick ? QUICK : FULL;
  const rows = [];
  const tp = await measureThroughput(sizes, log);
  const rate = (m, where, test) => (m === undefined || m.error !== undefined ? null : median(m[where][test]));
  for (const test of ['set', 'get']) {
    const label = `${test.toUpperCase()} -P ${PIPELINE}`;
    const s1 = rate(tp.sluice, 'single', test);
    const s2 = rate(tp.sluice, 'cluster', test);
    const r1 = rate(tp.redis, 'single', test);
    const r2 = rate(tp.redis, 'cluster', test);
    const sluiceText = s2 === null ? `Sluice: ${tp.sluice.error}` : `${fmtInt(s2)} / ${fmtInt(s1)} rps`;
    rows.push([`${label}: two Sluice masters / one Sluice node`, sluiceText, s2 === null ? '' : fmtRatio(s2 / s1), `≥ ${TARGETS.scaling}×`, s2 === null ? 'not measured' : verdict(s2 / s1 >= TARGETS.scaling)]);
    if (r2 !== null) rows.push([`${label}: two Redis masters / one Redis node (reference)`, `${fmtInt(r2)} / ${fmtInt(r1)} rps`, fmtRatio(r2 / r1), '', '']);
    if (s2 !== null && r2 !== null) rows.push([`${label}: two masters, Sluice / Redis`, `${fmtInt(s2)} / ${fmtInt(r2)} rps`, fmtRatio(s2 / r2), `≥ ${TARGETS.vsRedis}×`, verdict(s2 / r2 >= TARGETS.vsRedis)]);
  }
  const rs = await alternating(quick ? 1 : RESHARD_ROUNDS, (kind) => reshard(kind, sizes.keys, log));
  const fo = await alternating(1, (kind) => failover(kind, log));
  const pair = (m, field, fmt) => `${m.sluice?.[field] !== undefined ? fmt(m.sluice[field]) : `Sluice: ${m.sluice?.error}`} / ${m.redis?.[field] !== undefined ? fmt(m.redis[field]) : `Redis: ${m.redis?.error ?? 'not installed'}`}`;
  const ratioRow = (label, m, field, fmt, target, lowerIsBetter) => {
    const ok = m.sluice?.[field] !== undefined && m.redis?.[field] !== undefined;
    const ratio = ok ? m.sluice[field] / m.redis[field] : null;
    rows.push([label, pair(m, field, fmt), ratio === null ? '' : fmtRatio(ratio), `≤ ${target}×`, ratio === null ? 'not measured' : verdict(lowerIsBetter ? ratio <= target : ratio >= target)]);
  };
  ratioRow(`reshard ${SLOTS_MOVED} slots holding ${fmtInt(sizes.keys)} keys, fresh nodes: time`, rs, 'seconds', (s) => `${s.toFixed(2)} s`, TARGETS.reshard, true);
  ratioRow('reshard, fresh nodes: p99 of a client reading the moving keys', rs, 'p99', (ms) => `${ms.toFixed(2)} ms`, TARGETS.reshardP99, true);
  ratioRow('the same slots moved back: time', rs, 'backSeconds', (s) => `${s.toFixed(2)} s`, TARGETS.reshard, true);
  ratioRow('moved back: p99 of the reading client', rs, 'backP99', (ms) => `${ms.toFixed(2)} ms`, TARGETS.reshardP99, true);
  ratioRow(`failover after a master's SIGKILL (node timeout ${NODE_TIMEOUT_MS} ms)`, fo, 'seconds', (s) => `${s.toFixed(2)} s`, TARGETS.failover, true);
  const columns = [
    { title: 'measure' }, { title: 'Sluice / Redis (or two / one)' }, { title: 'ratio', right: true }, { title: 'target', right: true }, { title: 'verdict' },
  ];
  const what = [
    `redis ${redisVersion() ?? 'not installed'}; nodes pinned one per core (a single node on core 0); the driver, its ioredis client and redis-benchmark on core 1`,
    `throughput: redis-benchmark -t set,get -c ${CLIENTS} -P ${PIPELINE} -r 1000000 -n ${fmtInt(sizes.requests)} (with --cluster against the two masters, joined by ADDSLOTSRANGE and MEET; its threads stop at a 250 ms tick, so a run's time reads up to 250 ms long), ${ROUNDS} rounds alternating, medians`,
    `reshard: redis-cli --cluster reshard of slots 0-${SLOTS_MOVED - 1} (${fmtInt(sizes.keys)} keys of about 16 bytes) from one master to the other, --cluster-pipeline ${MIGRATE_PIPELINE}, then the same slots back; meanwhile one ioredis Cluster client GETs keys of those slots one at a time; ${RESHARD_ROUNDS} rounds alternating, medians. The first move is the fresh nodes' first MIGRATE/RESTORE/SETSLOT work (on Sluice, V8 compiles those paths meanwhile, on the node's own core); the move back runs on nodes that have done it once, as in a cluster in service`,
    'failover: three masters made by redis-cli --cluster create and a replica of the first added with --cluster add-node --cluster-slave; the time from SIGKILL until both other masters show the replica as master and cluster_state:ok, polled every 10 ms',
  ];
  return {
    text: [...what, renderText(columns, rows)].join('\n\n'),
    markdown: [what.map((w) => `- ${w}`).join('\n'), renderMarkdown(columns, rows)].join('\n\n'),
  };
}
