// The replication section: the full sync of a fresh replica from a master
// holding 1,000,000 mixed keys, the master's SET throughput with two
// replicas attached, how far behind those replicas fall at the master's
// highest write rate, and the master's replication memory meanwhile.
// Sluice master with Sluice replicas against redis-server master with
// redis-server replicas, in the same run: both trios are up together and
// measured in turn.
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { Probe } from './lib/probe.mjs';
import { MIXED_KEYS, mixedKeyCommand } from './lib/key-load.mjs';
import { pipelineLoad } from './lib/resp.mjs';
import { rpsByTest, runRedisBenchmark } from './lib/redis-benchmark.mjs';
import { REDIS_BENCHMARK, REDIS_SERVER, redisVersion, scratchDir, startRedis, startSluice } from './lib/servers.mjs';
import { fmtBytes, fmtInt, fmtRatio, median, renderMarkdown, renderText } from './lib/table.mjs';

export const id = 'replication';
export const title = 'Replication: full sync, master throughput with two replicas, replica lag';

/** The masters have core 0; their replicas share core 1 with redis-benchmark and this driver. */
const MASTER_CPU = 0;
const REPLICA_CPU = 1;
const CLIENT_CPU = 1;
const CLIENTS = 50;
const REPLICAS = 2;
/** Throughput runs per server and pipeline, the servers alternating; the median counts. */
const ROUNDS = 3;
/** INFO is sampled this often during a throughput run. */
const SAMPLE_MS = 100;
/** How often a syncing replica is asked whether it is done. */
const SYNC_POLL_MS = 10;
const SYNC_TIMEOUT_MS = 600_000;
/** How long the replicas may take to catch up once a run has ended before the run is reported as never caught up. */
const CATCH_UP_TIMEOUT_MS = 60_000;

/** Sizes at full scale; SLUICE_BENCH_REPL_SCALE (0 < x ≤ 1) scales them down, --quick is 0.05. */
const FULL = { keys: 1_000_000, p1: 200_000, p16: 4_000_000, warmup: 200_000 };
const QUICK_SCALE = 0.05;

/** Targets: full sync no slower than Redis's, throughput ≥ 0.9× Redis's, Sluice's replicas less than a second behind. */
const TARGETS = { sync: 1.0, throughput: 0.9, lagMs: 1000 };

/** Both masters sync diskless at once, as Redis 7.2 does by default but for the delay. */
const MASTER_ARGS = ['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0'];

function sizesFor(quick) {
  const env = process.env.SLUICE_BENCH_REPL_SCALE;
  const scale = env !== undefined && env !== '' ? Number(env) : quick ? QUICK_SCALE : 1;
  if (!(scale > 0 && scale <= 1)) throw new Error(`SLUICE_BENCH_REPL_SCALE must be in (0, 1], not '${env}'`);
  return { scale, ...Object.fromEntries(Object.entries(FULL).map(([k, v]) => [k, Math.max(1000, Math.round(v * scale))])) };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** INFO <section> as { field: value }. */
async function info(probe, section) {
  const raw = (await probe.call(['INFO', section])).toString('latin1');
  if (raw[0] === '-') throw new Error(`INFO ${section}: ${raw.trim()}`);
  const out = {};
  for (const line of raw.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) out[line.slice(0, colon)] = line.slice(colon + 1);
  }
  return out;
}

/** A master's `slaveN:ip=…,port=…,state=…,offset=…,lag=…` lines, by the replica's port. */
function replicasOf(replication) {
  const out = new Map();
  for (const [k, v] of Object.entries(replication)) {
    if (!/^slave\d+$/.test(k)) continue;
    const fields = Object.fromEntries(v.split(',').map((kv) => kv.split('=')));
    out.set(Number(fields.port), { state: fields.state, offset: Number(fields.offset) });
  }
  return out;
}

async function call(probe, argv) {
  const r = (await probe.call(argv)).toString('latin1').trim();
  if (r[0] === '-') throw new Error(`${argv.join(' ')}: ${r}`);
  return r;
}

/** One server of a trio, in its own directory (a replica writes the snapshot it receives there). */
async function startIn(kind, cpu, extra, scratches) {
  const scratch = scratchDir(`sluice-bench-repl-${kind.name}-`);
  scratches.push(scratch);
  return kind.start({ dir: scratch.dir, cpu, extra });
}

/**
 * REPLICAOF on a fresh replica, timed until it reports the link up, no sync
 * in progress, and the master's DBSIZE: resolves to seconds.
 */
async function timeFullSync(master, replica, expectKeys) {
  const probe = await Probe.connect(replica.port);
  try {
    const t0 = performance.now();
    await call(probe, ['REPLICAOF', '127.0.0.1', String(master.port)]);
    for (;;) {
      const r = await info(probe, 'replication');
      if (r.master_link_status === 'up' && r.master_sync_in_progress === '0') {
        const size = (await probe.call(['DBSIZE'])).toString('latin1').trim();
        if (size === `:${expectKeys}`) return (performance.now() - t0) / 1000;
      }
      if (performance.now() - t0 > SYNC_TIMEOUT_MS) throw new Error(`${replica.name} replica not in sync after ${SYNC_TIMEOUT_MS / 1000} s: ${JSON.stringify(r)}`);
      await sleep(SYNC_POLL_MS);
    }
  } finally {
    probe.close();
  }
}

/** Waits (bounded) until the master lists every replica port as online. */
async function waitOnline(masterProbe, ports) {
  for (let i = 0; i < 3000; i++) {
    const seen = replicasOf(await info(masterProbe, 'replication'));
    if (ports.every((p) => seen.get(p)?.state === 'online')) return;
    await sleep(10);
  }
  throw new Error(`replicas ${ports.join(', ')} not all online at the master`);
}

/**
 * A trio: a master with the mixed keys, and REPLICAS fresh replicas. The
 * full syncs are timed by `syncTurn`, which the caller uses to alternate
 * the trios' syncs.
 */
async function startTrio(kind, keys, scratches, servers, log) {
  const master = await startIn(kind, MASTER_CPU, [...kind.masterArgs], scratches);
  servers.push(master);
  log(`${kind.label}: master, ${fmtInt(keys)} keys`);
  const errors = await pipelineLoad(master.port, keys, mixedKeyCommand, { batch: 5000 });
  if (errors !== 0) throw new Error(`${kind.label}: ${errors} errors while populating`);
  const probe = await Probe.connect(master.port);
  const trio = { kind, master, probe, replicas: [], syncSecs: [] };
  trio.syncTurn = async () => {
    const replica = await startIn(kind, REPLICA_CPU, [], scratches);
    servers.push(replica);
    const dbsize = Number((await call(probe, ['DBSIZE'])).slice(1));
    log(`${kind.label}: full sync of replica ${trio.replicas.length + 1} (${fmtInt(dbsize)} keys)`);
    trio.syncSecs.push(await timeFullSync(master, replica, dbsize));
    trio.replicas.push({ server: replica, probe: await Probe.connect(replica.port) });
  };
  return trio;
}

/**
 * Runs `work()` while sampling, every SAMPLE_MS, the master's INFO
 * replication and memory and each replica's INFO replication; once it has
 * ended, samples on until every replica holds the master's offset (bounded).
 */
async function sampled(trio, work) {
  const samples = [];
  let workEnd = null;
  let caughtUpAt = null;
  const sampleOnce = async () => {
    const t = performance.now();
    const [m, ...reps] = await Promise.all([info(trio.probe, 'replication'), ...trio.replicas.map((r) => info(r.probe, 'replication'))]);
    const mem = await info(trio.probe, 'memory');
    const acks = replicasOf(m);
    const s = {
      t,
      master: Number(m.master_repl_offset),
      backlogSize: Number(m.repl_backlog_size),
      replicas: reps.map((r) => Number(r.slave_repl_offset)),
      linksDown: reps.filter((r) => r.master_link_status !== 'up').length,
      acks: trio.replicas.map((r) => acks.get(r.server.port)?.offset ?? null),
      mem: {
        backlog: Number(mem.mem_replication_backlog),
        buffers: Number(mem.mem_total_replication_buffers),
        clients: Number(mem.mem_clients_slaves),
      },
    };
    samples.push(s);
    return s;
  };
  let running = true;
  const sampler = (async () => {
    while (running) {
      const s = await sampleOnce();
      if (workEnd !== null) {
        if (caughtUpAt === null && s.replicas.every((o) => o >= s.master)) caughtUpAt = s.t;
        // The ACKs follow within about a second; sampling goes on for them, for the master's view of the lag.
        if (caughtUpAt !== null && s.acks.every((o) => o !== null && o >= s.master)) return;
        if (s.t - workEnd > CATCH_UP_TIMEOUT_MS) return;
      }
      await sleep(Math.max(0, SAMPLE_MS - (performance.now() - s.t)));
    }
  })();
  let result;
  try {
    result = await work();
  } catch (e) {
    running = false;
    await sampler.catch(() => {});
    throw e;
  }
  workEnd = performance.now();
  await sampler;
  return { result, samples, workEnd, catchUpMs: caughtUpAt === null ? null : caughtUpAt - workEnd };
}

/**
 * Lag from a run's samples, for one offset series (each replica's own
 * slave_repl_offset, or the offsets the master has from their ACKs):
 * the largest master offset minus replica offset in one sample, and the
 * longest time from a sample of the master during the run until a sample
 * in which the replica's offset had reached it (null: never reached).
 */
function lagOf(samples, workEnd, offsetsOf) {
  let bytes = 0;
  let ms = 0;
  let reached = true;
  for (let i = 0; i < samples.length; i++) {
    const s = samples[i];
    const offsets = offsetsOf(s);
    for (let r = 0; r < offsets.length; r++) {
      if (offsets[r] !== null) bytes = Math.max(bytes, s.master - offsets[r]);
      if (s.t > workEnd) continue;
      let j = i;
      while (j < samples.length && !(offsetsOf(samples[j])[r] >= s.master)) j++;
      if (j === samples.length) reached = false;
      else ms = Math.max(ms, samples[j].t - s.t);
    }
  }
  return { bytes, ms: reached ? ms : null };
}

/** One SET run against the trio's master, sampled; resolves to its rate, lags and memory. */
async function setRun(trio, pipeline, requests) {
  const statsBefore = await info(trio.probe, 'stats');
  const run = await sampled(trio, () => runRedisBenchmark(trio.master.port, { tests: ['set'], clients: CLIENTS, requests, pipeline, cpu: CLIENT_CPU }));
  const statsAfter = await info(trio.probe, 'stats');
  const { samples, workEnd } = run;
  const max = (f) => Math.max(...samples.map(f));
  return {
    rps: rpsByTest(run.result).get('set') ?? null,
    lag: lagOf(samples, workEnd, (s) => s.replicas),
    ackLag: lagOf(samples, workEnd, (s) => s.acks),
    catchUpMs: run.catchUpMs,
    mem: { backlog: max((s) => s.mem.backlog), buffers: max((s) => s.mem.buffers), clients: max((s) => s.mem.clients) },
    backlogSize: samples[0]?.backlogSize ?? null,
    samples: samples.length,
    linkDownSamples: samples.filter((s) => s.linksDown > 0).length,
    fullSyncs: Number(statsAfter.sync_full) - Number(statsBefore.sync_full),
  };
}

/** SET at -P 1 and -P 16 on every trio, ROUNDS times, the trios alternating (who goes first swaps each round). */
async function throughput(trios, sizes, log, { warmup, what }) {
  const runs = new Map(trios.map((t) => [t.kind.name, { 1: [], 16: [] }]));
  for (const trio of warmup ? trios : []) {
    log(`${trio.kind.label}: warm-up, ${fmtInt(sizes.warmup)} SETs at -P 16`);
    await runRedisBenchmark(trio.master.port, { tests: ['set'], clients: CLIENTS, requests: sizes.warmup, pipeline: 16, cpu: CLIENT_CPU });
  }
  for (let round = 1; round <= ROUNDS; round++) {
    const order = round % 2 === 1 ? trios : [...trios].reverse();
    for (const pipeline of [1, 16]) {
      const requests = pipeline === 1 ? sizes.p1 : sizes.p16;
      for (const trio of order) {
        log(`${what}, round ${round}: ${trio.kind.label}, SET -P ${pipeline}, ${fmtInt(requests)} requests`);
        runs.get(trio.kind.name)[pipeline].push(await setRun(trio, pipeline, requests));
      }
    }
  }
  return runs;
}

const KINDS = [
  { name: 'sluice', label: 'Sluice', start: startSluice, masterArgs: MASTER_ARGS },
  { name: 'redis', label: 'Redis', start: startRedis, masterArgs: MASTER_ARGS },
];

async function measureAll(kinds, sizes, log) {
  const scratches = [];
  const servers = [];
  const trios = [];
  try {
    for (const kind of kinds) trios.push(await startTrio(kind, sizes.keys, scratches, servers, log));
    // The same runs on the masters alone first: what the replicas cost each server.
    const alone = REDIS_BENCHMARK === null ? null : await throughput(trios, sizes, log, { warmup: true, what: 'no replicas' });
    // The syncs alternate: Sluice's first replica, Redis's first, Sluice's second, Redis's second.
    for (let i = 0; i < REPLICAS; i++) for (const trio of trios) await trio.syncTurn();
    for (const trio of trios) await waitOnline(trio.probe, trio.replicas.map((r) => r.server.port));
    const runs = REDIS_BENCHMARK === null ? null : await throughput(trios, sizes, log, { warmup: false, what: `${REPLICAS} replicas` });
    return { trios, runs, alone };
  } finally {
    for (const trio of trios) {
      trio.probe.close();
      for (const r of trio.replicas) r.probe.close();
    }
    await Promise.all(servers.map((s) => s.stop()));
    for (const s of scratches) s.remove();
  }
}

const fmtSecs = (s) => (s === null || s === undefined ? '—' : `${s.toFixed(2)} s`);
const fmtMs = (ms) => (ms === null ? 'not caught up' : `${Math.round(ms)} ms`);
const verdict = (ok) => (ok ? 'met' : 'below');

/** Summary of one trio's runs at one pipeline: median rate, worst lags, largest memory, anything odd. */
function summarize(runs) {
  const worst = (f) => {
    const xs = runs.map(f);
    return xs.includes(null) ? null : Math.max(...xs);
  };
  return {
    rps: median(runs.map((r) => r.rps).filter((x) => x !== null)),
    rounds: runs.map((r) => r.rps),
    lagBytes: worst((r) => r.lag.bytes),
    lagMs: worst((r) => r.lag.ms),
    ackLagBytes: worst((r) => r.ackLag.bytes),
    ackLagMs: worst((r) => r.ackLag.ms),
    catchUpMs: worst((r) => r.catchUpMs),
    mem: { backlog: worst((r) => r.mem.backlog), buffers: worst((r) => r.mem.buffers), clients: worst((r) => r.mem.clients) },
    backlogSize: runs[0]?.backlogSize ?? null,
    linkDownSamples: runs.reduce((a, r) => a + r.linkDownSamples, 0),
    fullSyncs: runs.reduce((a, r) => a + r.fullSyncs, 0),
    samples: runs.reduce((a, r) => a + r.samples, 0),
  };
}

/** The 1-minute load average (/proc/loadavg), or null: how busy the shared machine was. */
function loadAverage() {
  try {
    return Number(readFileSync('/proc/loadavg', 'utf8').split(' ')[0]);
  } catch {
    return null;
  }
}

export async function run({ quick, log }) {
  const sizes = sizesFor(quick);
  const loadBefore = loadAverage();
  const kinds = KINDS.filter((k) => k.name === 'sluice' || REDIS_SERVER !== null);
  const { trios, runs, alone } = await measureAll(kinds, sizes, log);
  const trio = Object.fromEntries(trios.map((t) => [t.kind.name, t]));
  const summarizeAll = (m) => (m === null ? null : Object.fromEntries([...m].map(([name, byP]) => [name, { 1: summarize(byP[1]), 16: summarize(byP[16]) }])));
  const sum = summarizeAll(runs);
  const sumAlone = summarizeAll(alone);
  const s = trio.sluice;
  const r = trio.redis ?? null;

  const columns = [{ title: 'measure' }, { title: 'Sluice', right: true }, { title: 'Redis', right: true }, { title: 'Sluice/Redis', right: true }, { title: 'target' }];
  const rows = [];
  for (let i = 0; i < REPLICAS; i++) {
    const a = s.syncSecs[i];
    const b = r?.syncSecs[i] ?? null;
    const ratio = b === null ? null : a / b;
    const label = i === 0 ? 'full sync, 1st replica (time)' : `full sync, replica ${i + 1} (time; ${i} already attached)`;
    rows.push([label, fmtSecs(a), fmtSecs(b), ratio === null ? '—' : fmtRatio(ratio), ratio === null ? '—' : `≤ ${TARGETS.sync}× ${verdict(ratio <= TARGETS.sync)}`]);
  }
  if (sum !== null) {
    const ss = sum.sluice;
    const rs = sum.redis ?? null;
    for (const p of [1, 16]) {
      const a = ss[p].rps;
      const b = rs?.[p].rps ?? null;
      const ratio = b === null ? null : a / b;
      rows.push([`SET -P ${p} rps, ${REPLICAS} replicas online (median of ${ROUNDS})`, fmtInt(a), b === null ? '—' : fmtInt(b), ratio === null ? '—' : fmtRatio(ratio), ratio === null ? '—' : `≥ ${TARGETS.throughput}× ${verdict(ratio >= TARGETS.throughput)}`]);
    }
    for (const p of [1, 16]) {
      const a = sumAlone.sluice[p].rps;
      const b = sumAlone.redis?.[p].rps ?? null;
      const ratio = b === null ? null : a / b;
      const kept = (x, y) => (x === null || y === null ? '' : ` (${Math.round((100 * x) / y)}% kept)`);
      rows.push([`SET -P ${p} rps, no replicas (reference; % kept with them)`, fmtInt(a) + kept(ss[p].rps, a), b === null ? '—' : fmtInt(b) + kept(rs[p].rps, b), ratio === null ? '—' : fmtRatio(ratio), '—']);
    }
    const lagRow = (label, f, fmt, target) => {
      const a = f(ss[16]);
      const b = rs === null ? null : f(rs[16]);
      const ratio = a !== null && b !== null && b > 0 ? a / b : null;
      rows.push([label, fmt(a), rs === null ? '—' : fmt(b), ratio === null ? '—' : fmtRatio(ratio), target(a)]);
    };
    const underSecond = (ms) => (ms === null ? `< ${TARGETS.lagMs} ms below` : `< ${TARGETS.lagMs} ms ${verdict(ms < TARGETS.lagMs)}`);
    lagRow('max replica lag at -P 16, bytes (replica\'s own offset)', (x) => x.lagBytes, (v) => (v === null ? '—' : fmtBytes(v)), () => '—');
    lagRow('max replica lag at -P 16, time (replica\'s own offset)', (x) => x.lagMs, fmtMs, underSecond);
    lagRow('max lag at -P 16 as the master sees it (ACK offsets), bytes', (x) => x.ackLagBytes, (v) => (v === null ? '—' : fmtBytes(v)), () => '—');
    lagRow('max lag at -P 16 as the master sees it (ACK offsets), time', (x) => x.ackLagMs, fmtMs, () => '— (ACKs are once a second)');
    lagRow('catch-up after the -P 16 run ends (worst)', (x) => x.catchUpMs, fmtMs, () => '—');
  }

  const memColumns = [{ title: 'master, largest sample during the SET runs' }, { title: 'Sluice', right: true }, { title: 'Redis', right: true }];
  const memRows = [];
  if (sum !== null) {
    const pick = (name, f) => {
      const x = sum[name];
      if (x === undefined) return '—';
      const v = Math.max(f(x[1]) ?? 0, f(x[16]) ?? 0);
      return fmtBytes(v);
    };
    memRows.push(['repl_backlog_size (configured)', pick('sluice', (x) => x.backlogSize), pick('redis', (x) => x.backlogSize)]);
    memRows.push(['mem_replication_backlog', pick('sluice', (x) => x.mem.backlog), pick('redis', (x) => x.mem.backlog)]);
    memRows.push(['mem_total_replication_buffers', pick('sluice', (x) => x.mem.buffers), pick('redis', (x) => x.mem.buffers)]);
    memRows.push(['mem_clients_slaves', pick('sluice', (x) => x.mem.clients), pick('redis', (x) => x.mem.clients)]);
  }

  const loadAfter = loadAverage();
  const notes = [`1-minute load average of the machine (${cpus().length} cores): ${loadBefore ?? '—'} at the start of the section, ${loadAfter ?? '—'} at its end`];
  if (sum !== null) {
    for (const [name, x] of Object.entries(sum)) {
      const label = KINDS.find((k) => k.name === name).label;
      const y = sumAlone[name];
      notes.push(`${label} SET rps by round, ${REPLICAS} replicas: -P 1 ${x[1].rounds.map(fmtInt).join(' / ')}; -P 16 ${x[16].rounds.map(fmtInt).join(' / ')}; no replicas: -P 1 ${y[1].rounds.map(fmtInt).join(' / ')}; -P 16 ${y[16].rounds.map(fmtInt).join(' / ')}`);
      const odd = [];
      const fulls = x[1].fullSyncs + x[16].fullSyncs;
      const down = x[1].linkDownSamples + x[16].linkDownSamples;
      if (fulls > 0) odd.push(`${fulls} full resync(s) during the SET runs`);
      if (down > 0) odd.push(`a replica's link down in ${down} of ${x[1].samples + x[16].samples} samples`);
      if (odd.length > 0) notes.push(`${label}: ${odd.join('; ')}`);
    }
  } else {
    notes.push('redis-benchmark is not installed (apt-get install redis-tools): throughput, lag and memory not measured.');
  }

  const what = `${fmtInt(sizes.keys)} keys (${MIXED_KEYS}); redis-benchmark -t set -c ${CLIENTS} -P 1 -n ${fmtInt(sizes.p1)} and -P 16 -n ${fmtInt(sizes.p16)} with ${REPLICAS} replicas online; redis-server ${redisVersion() ?? 'not installed'}${sizes.scale === 1 ? '' : `; scale ${sizes.scale}`}`;
  const method = [
    `\`${what}\`.`,
    `Each server kind is a trio, all six processes up together: a master on core 0 (diskless sync, \`repl-diskless-sync-delay 0\`; Sluice's snapshot is its forkless walk in slices, Redis's a forked child streaming to the socket) and two replicas of its own kind on core 1, which they share with redis-benchmark and the driver. Both masters are loaded with the same keys by pipelined writes. Full sync: \`REPLICAOF\` sent to a fresh replica, timed until its INFO shows \`master_link_status:up\` and \`master_sync_in_progress:0\` and its DBSIZE equals the master's, polled every ${SYNC_POLL_MS} ms; the syncs alternate (Sluice's first replica, Redis's first, Sluice's second, Redis's second), the second while the first replica is attached. Both replicas run the default \`repl-diskless-load disabled\`: Redis's writes the snapshot to disk and loads it once it has all arrived; Sluice's, holding no key, writes it to disk too and parses it as it arrives.`,
    `Throughput: after a warm-up of ${fmtInt(sizes.warmup)} SETs, ${ROUNDS} rounds of SET at -P 1 then -P 16, the trios alternating and who goes first swapping each round; the median is reported. The same rounds run on each master before its replicas are started give the reference without replication. During every run the driver samples, every ${SAMPLE_MS} ms, the master's INFO replication (\`master_repl_offset\`, the \`slaveN:…offset=\` of each replica's last ACK) and INFO memory, and each replica's own \`slave_repl_offset\`, and after it ends samples on until the replicas hold the master's offset. Byte lag is the master's offset minus a replica's in the same sample; time lag is how long from a sample of the master until the first sample in which the replica had reached that offset (resolution ${SAMPLE_MS} ms), the worst over both replicas and all rounds. The replica's own offset is the real lag; the master's view moves only with the replicas' ACKs, sent once a second by both servers, so it reads up to about a second more.`,
    'Targets: full sync ≤ 1.0× Redis\'s time, throughput ≥ 0.9× Redis\'s, Sluice\'s replicas under a second behind at -P 16; the replication memory must stay bounded by `repl-backlog-size` (plus what waits in each replica\'s output buffer). With two cores, the replicas take their CPU from the load generator: a replica\'s cost per applied command lowers the rate its master is measured at. Each full sync is one run, the rates the median of three, on a shared 2-core machine: the ±10% noise of the other sections applies, more so here with three servers and the load generator on two cores; the load average before and after the section is given below the tables.',
  ].join('\n\n');

  return {
    text: [`Replication (${what})`, renderText(columns, rows), memRows.length ? renderText(memColumns, memRows) : '', notes.join('\n')].filter(Boolean).join('\n\n'),
    markdown: [method, renderMarkdown(columns, rows), memRows.length ? `Replication memory on the master (INFO memory), the largest value sampled in any SET run:\n\n${renderMarkdown(memColumns, memRows)}` : '', notes.map((n) => `- ${n}`).join('\n')].filter(Boolean).join('\n\n'),
  };
}
