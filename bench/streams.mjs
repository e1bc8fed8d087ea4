// The streams section: redis-benchmark's XADD (capped with MAXLEN ~ so
// memory stays bounded; unpipelined and -P 16), a consumer group of ten
// consumers on XREADGROUP BLOCK + XACK fed by one pipelining producer,
// XRANGE of 100 entries at random places in a stream of 1,000,000, and
// memory per entry of that stream; Sluice against redis-server in one run.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { encode, firstReplyLine, pipelineLoad } from './lib/resp.mjs';
import { percentile, Probe } from './lib/probe.mjs';
import { runRedisBenchmark } from './lib/redis-benchmark.mjs';
import { REDIS_BENCHMARK, REDIS_SERVER, ROOT, rssAround, startRedis, startSluice, withBothServers, withServer } from './lib/servers.mjs';
import { entryId, entryXadd } from './lib/stream-entry.mjs';
import { runStreamGroupLoadInChild } from './lib/stream-group-load.mjs';
import { fmtBytes, fmtInt, fmtRatio, renderMarkdown, renderText, throughputColumns, throughputRow } from './lib/table.mjs';

export const id = 'streams';
export const title = 'Streams: XADD, a consumer group, XRANGE and memory per entry';

const SERVER_CPU = 0;
const CLIENT_CPU = 1;
const CLIENTS = 50;
const NO_AOF = ['--appendonly', 'no'];
const ROUNDS = 3;
const GROUP_ROUNDS = 2;
const CONSUMERS = 10;
/** Entries one XREADGROUP may return; entries sent and not yet delivered; XADDs in one write. */
const READ_COUNT = 10;
const WINDOW = 200;
const BATCH = 20;
const RANGE = 100;
/** The targets, Sluice/Redis. */
const XADD_TARGETS = { 1: 0.9, 16: 0.8 };
const GROUP_RATE_TARGET = 1.0;
const GROUP_P99_TARGET = 1.5;
const MEMORY_TARGET = 1.5;

const XADD = ['XADD', 'bench:s', 'MAXLEN', '~', '1000000', '*', 'f', 'v'];

const SIZES = {
  full: { p1: 200_000, p16: 1_000_000, warmup: 20_000, messages: 200_000, warmMessages: 5_000, entries: 1_000_000, probes: 20_000 },
  quick: { p1: 20_000, p16: 100_000, warmup: 5_000, messages: 20_000, warmMessages: 2_000, entries: 100_000, probes: 2_000 },
};

/** Whether the server has streams: an unknown command would make redis-benchmark measure error replies. */
async function hasStreams(port) {
  return (await firstReplyLine(port, ['XLEN', 'bench:probe'])) === ':0';
}

/** Best XADD requests per second over rounds, the servers alternating. */
async function xaddThroughput(servers, sizes, log) {
  const run = (s, requests, pipeline) => runRedisBenchmark(s.server.port, { tests: ['xadd'], clients: CLIENTS, requests, pipeline, cpu: CLIENT_CPU, extra: XADD });
  for (const s of servers) {
    log(`${s.name}: warming up`);
    for (const pipeline of [1, 16]) await run(s, sizes.warmup, pipeline);
  }
  const rows = [];
  for (const pipeline of [1, 16]) {
    const requests = pipeline === 1 ? sizes.p1 : sizes.p16;
    log(`XADD -P ${pipeline}: ${ROUNDS} rounds, servers alternating, ${requests} requests each`);
    const best = new Map();
    for (let round = 0; round < ROUNDS; round++) {
      for (const s of round % 2 === 0 ? servers : [...servers].reverse()) {
        const [row] = await run(s, requests, pipeline);
        if (row !== undefined) best.set(s.name, Math.max(best.get(s.name) ?? 0, row.rps));
      }
    }
    rows.push({ pipeline, sluice: best.get('Sluice') ?? null, redis: best.get('Redis') ?? null });
  }
  return rows;
}

/** Each server's best round (by rate) of the group load, the servers alternating, after a smaller warm-up each. */
async function groupLoad(servers, sizes, log) {
  const load = { consumers: CONSUMERS, count: READ_COUNT, window: WINDOW, batch: BATCH };
  for (const s of servers) {
    log(`${s.name}: group warm-up (${sizes.warmMessages} messages)`);
    await runStreamGroupLoadInChild(s.server.port, { ...load, messages: sizes.warmMessages });
  }
  const best = new Map();
  for (let round = 0; round < GROUP_ROUNDS; round++) {
    for (const s of round % 2 === 0 ? servers : [...servers].reverse()) {
      log(`${s.name}: group round ${round + 1} of ${GROUP_ROUNDS} (${sizes.messages} messages to ${CONSUMERS} consumers)`);
      const r = await runStreamGroupLoadInChild(s.server.port, { ...load, messages: sizes.messages });
      if (r.errors !== 0) throw new Error(`${s.name}: ${r.errors} error replies in the group load`);
      if (r.rate > (best.get(s.name)?.rate ?? 0)) best.set(s.name, r);
    }
  }
  return best;
}

function throughputAndGroup(sizes, log) {
  return withBothServers('sluice-bench-streams-', { cpu: SERVER_CPU, sluiceExtra: NO_AOF }, async ({ sluice, redis }) => {
    const implemented = await hasStreams(sluice.port);
    const servers = [];
    if (implemented) servers.push({ name: 'Sluice', server: sluice });
    if (redis !== null) servers.push({ name: 'Redis', server: redis });
    const xadd = REDIS_BENCHMARK === null ? null : await xaddThroughput(servers, sizes, log);
    for (const s of servers) await firstReplyLine(s.server.port, ['DEL', 'bench:s'], 60000);
    const group = await groupLoad(servers, sizes, log);
    return { implemented, xadd, group };
  });
}

/** used_memory from INFO memory. */
async function usedMemory(probe) {
  const info = (await probe.call(['INFO', 'memory'])).toString('latin1');
  return Number(/used_memory:(\d+)/.exec(info)[1]);
}

/**
 * A fresh server: `entries` entries of five small fields XADDed into one
 * stream (pipelined), the growth of its resident set and of used_memory per
 * entry, then XRANGE … COUNT 100 from random entries, one call at a time.
 */
function memoryAndRange(start, sizes, log) {
  return withServer('sluice-bench-streammem-', start, { cpu: SERVER_CPU }, async (server) => {
    if (!(await hasStreams(server.port))) return null;
    const probe = await Probe.connect(server.port);
    try {
      const usedBefore = await usedMemory(probe);
      const rss = await rssAround(server, async () => {
        log(`${server.name}: XADD of ${sizes.entries} entries of five fields into one stream`);
        const errors = await pipelineLoad(server.port, sizes.entries, (i) => encode(entryXadd('bench:mem', i)), { batch: 1000 });
        if (errors !== 0) throw new Error(`${server.name}: ${errors} XADDs failed`);
      });
      const used = (await usedMemory(probe)) - usedBefore;
      const len = await firstReplyLine(server.port, ['XLEN', 'bench:mem']);
      if (len !== `:${sizes.entries}`) throw new Error(`${server.name}: XLEN answered ${len} after ${sizes.entries} XADDs`);
      log(`${server.name}: ${sizes.probes} XRANGEs of ${RANGE} entries`);
      const times = [];
      for (let i = 0; i < sizes.probes; i++) {
        const from = entryId(Math.floor(Math.random() * (sizes.entries - RANGE)));
        times.push(await probe.timed(['XRANGE', 'bench:mem', from, '+', 'COUNT', String(RANGE)]));
      }
      return {
        rss: rss === null ? null : { growth: rss.after - rss.before, perEntry: (rss.after - rss.before) / sizes.entries },
        used: { growth: used, perEntry: used / sizes.entries },
        range: { p50: percentile(times, 50), p99: percentile(times, 99) },
      };
    } finally {
      probe.close();
    }
  });
}

/**
 * bench/stream-memory.mjs in a child with --expose-gc, against a fresh Redis
 * when there is one: the heap the same entries take in a node process after
 * full GCs (Sluice's value built by its XADD directly, without a server's
 * garbage and heap slack), and Redis's used_memory growth. Null for a
 * figure it did not print.
 */
function heapAfterGc(sizes, log) {
  const run = (port) => new Promise((resolve, reject) => {
    log(`bench/stream-memory.mjs: ${sizes.entries} entries${port === undefined ? '' : ', and into a fresh redis-server'}`);
    const args = ['--expose-gc', path.join(ROOT, 'bench/stream-memory.mjs'), String(sizes.entries), ...(port === undefined ? [] : [String(port)])];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 180000);
    child.on('error', reject);
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (code !== 0) {
        reject(new Error(`bench/stream-memory.mjs exited ${code}: ${out.trim().split('\n').slice(-3).join(' | ')}`));
        return;
      }
      const figure = (re) => (re.exec(out) ? Number(re.exec(out)[1]) : null);
      resolve({ sluice: figure(/sluice: ([\d.]+) bytes per entry/), redis: figure(/redis-server: ([\d.]+) bytes per entry/) });
    });
  });
  return REDIS_SERVER === null ? run(undefined) : withServer('sluice-bench-streamheap-', startRedis, { cpu: SERVER_CPU }, (redis) => run(redis.port));
}

const fmtMs = (ms) => `${ms.toFixed(3)} ms`;
const sentence = (s) => `${s[0].toUpperCase()}${s.slice(1)}.`;

function groupTable(group, implemented, hasRedis) {
  const s = group.get('Sluice');
  const r = group.get('Redis');
  const row = (label, key, fmt, target, higherIsBetter) => {
    const ratio = s && r ? s[key] / r[key] : null;
    let verdict = '—';
    if (!implemented) verdict = 'not implemented';
    else if (ratio !== null && target !== undefined) verdict = (higherIsBetter ? ratio >= target : ratio <= target) ? 'met' : higherIsBetter ? 'below' : 'above';
    return [
      label,
      s ? fmt(s[key]) : implemented ? 'no result' : 'not implemented',
      r ? fmt(r[key]) : hasRedis ? 'no result' : 'not installed',
      ratio === null ? '—' : fmtRatio(ratio),
      target === undefined ? '—' : `${higherIsBetter ? '≥' : '≤'} ${target}×`,
      verdict,
    ];
  };
  const columns = [{ title: 'measure' }, { title: 'Sluice', right: true }, { title: 'Redis', right: true }, { title: 'Sluice/Redis', right: true }, { title: 'target', right: true }, { title: 'verdict' }];
  const rows = [
    row('messages/s', 'rate', fmtInt, GROUP_RATE_TARGET, true),
    row('p50 delivery latency', 'p50Ms', fmtMs, undefined, false),
    row('p99 delivery latency', 'p99Ms', fmtMs, GROUP_P99_TARGET, false),
  ];
  return { columns, rows };
}

export async function run({ quick, log }) {
  const sizes = quick ? SIZES.quick : SIZES.full;
  const hasRedis = REDIS_SERVER !== null;
  const text = [];
  const md = [];

  const { implemented, xadd, group } = await throughputAndGroup(sizes, log);
  if (xadd === null) {
    const note = 'redis-benchmark is not installed (apt-get install redis-tools): XADD throughput not measured.';
    text.push(note);
    md.push(note);
  } else {
    const columns = throughputColumns({ title: 'pipeline', right: true });
    const body = xadd.map(({ pipeline, sluice, redis }) => throughputRow({ label: 'XADD', setting: `-P ${pipeline}`, sluice, redis, implemented, hasRedis, target: XADD_TARGETS[pipeline] }));
    const what = `redis-benchmark -c ${CLIENTS} -q --csv ${XADD.join(' ')}; -n ${fmtInt(sizes.p1)} at -P 1, ${fmtInt(sizes.p16)} at -P 16; ${ROUNDS} rounds, the servers alternating; each server's best round`;
    text.push(`XADD (${what})`, renderText(columns, body));
    md.push(`### XADD\n\n\`${what}\`, requests per second. Targets: unpipelined ≥ ${XADD_TARGETS[1]}× Redis, -P 16 ≥ ${XADD_TARGETS[16]}×.`, renderMarkdown(columns, body));
  }

  const g = groupTable(group, implemented, hasRedis);
  const how = `one producer pipelining XADD of five-field entries (writes of up to ${BATCH}, at most ${WINDOW} sent and not yet delivered) to a group of ${CONSUMERS} consumers, each on its own connection looping on XREADGROUP … COUNT ${READ_COUNT} BLOCK 0 and XACKing what it got; ${fmtInt(sizes.messages)} messages after a ${fmtInt(sizes.warmMessages)}-message warm-up, ${GROUP_ROUNDS} rounds, the servers alternating, the load generated by a node process of its own each round (on the client core), each server's fastest round; rate from the first XADD to the last XACK reply, latency = XADD sent → XREADGROUP reply read (a timestamp in the entry's first field)`;
  text.push(`Consumer group (${how})`, renderText(g.columns, g.rows));
  md.push(`### Consumer group\n\n${sentence(how)} Targets: throughput ≥ ${GROUP_RATE_TARGET}× Redis with p99 latency ≤ ${GROUP_P99_TARGET}× Redis's.`, renderMarkdown(g.columns, g.rows));

  const fresh = { Sluice: await memoryAndRange((o) => startSluice({ ...o, extra: NO_AOF }), sizes, log) };
  if (hasRedis) fresh.Redis = await memoryAndRange(startRedis, sizes, log);
  const cellOf = (name, f) => (fresh[name] ? f(fresh[name]) : fresh[name] === null ? 'not implemented' : '—');

  const lColumns = [{ title: 'command' }, { title: 'Sluice p50', right: true }, { title: 'Sluice p99', right: true }, { title: 'Redis p50', right: true }, { title: 'Redis p99', right: true }];
  const lRows = [[
    `XRANGE … COUNT ${RANGE}`,
    cellOf('Sluice', (m) => fmtMs(m.range.p50)), cellOf('Sluice', (m) => fmtMs(m.range.p99)),
    cellOf('Redis', (m) => fmtMs(m.range.p50)), cellOf('Redis', (m) => fmtMs(m.range.p99)),
  ]];
  const lHow = `${fmtInt(sizes.probes)} calls of XRANGE <id> + COUNT ${RANGE}, one at a time, from random entries of a stream of ${fmtInt(sizes.entries)} entries (the one measured below); latency as the client sees it`;
  text.push(`XRANGE (${lHow})`, renderText(lColumns, lRows));
  md.push(`### XRANGE of ${RANGE} entries in a stream of ${fmtInt(sizes.entries)}\n\n${sentence(lHow)}`, renderMarkdown(lColumns, lRows));

  const perEntry = (m, k) => (m?.[k] ? m[k].perEntry : null);
  const ratio = perEntry(fresh.Sluice, 'rss') !== null && perEntry(fresh.Redis, 'rss') !== null ? perEntry(fresh.Sluice, 'rss') / perEntry(fresh.Redis, 'rss') : null;
  const usedRatio = perEntry(fresh.Sluice, 'used') !== null && perEntry(fresh.Redis, 'used') !== null ? perEntry(fresh.Sluice, 'used') / perEntry(fresh.Redis, 'used') : null;
  const mColumns = [
    { title: 'measure' }, { title: 'Sluice bytes/entry', right: true }, { title: 'Redis bytes/entry', right: true }, { title: 'Sluice/Redis', right: true },
    { title: 'target', right: true }, { title: 'verdict' }, { title: 'Sluice growth', right: true }, { title: 'Redis growth', right: true },
  ];
  const mRow = (label, k, r, target) => [
    label,
    cellOf('Sluice', (m) => (m[k] === null ? 'no /proc' : fmtInt(m[k].perEntry))),
    cellOf('Redis', (m) => (m[k] === null ? 'no /proc' : fmtInt(m[k].perEntry))),
    r === null ? '—' : fmtRatio(r),
    target === undefined ? '—' : `≤ ${target}×`,
    r === null || target === undefined ? '—' : r <= target ? 'met' : 'above',
    cellOf('Sluice', (m) => (m[k] === null ? '—' : fmtBytes(m[k].growth))),
    cellOf('Redis', (m) => (m[k] === null ? '—' : fmtBytes(m[k].growth))),
  ];
  const heap = await heapAfterGc(sizes, log);
  const heapRatio = heap.sluice !== null && heap.redis !== null ? heap.sluice / heap.redis : null;
  const mRows = [
    mRow('resident set (VmRSS)', 'rss', ratio, MEMORY_TARGET),
    mRow('used_memory (INFO)', 'used', usedRatio, undefined),
    [
      'heap after GC / used_memory (bench/stream-memory.mjs)',
      heap.sluice === null ? '—' : fmtInt(heap.sluice), heap.redis === null ? '—' : fmtInt(heap.redis),
      heapRatio === null ? '—' : fmtRatio(heapRatio), `≤ ${MEMORY_TARGET}×`, heapRatio === null ? '—' : heapRatio <= MEMORY_TARGET ? 'met' : 'above',
      heap.sluice === null ? '—' : fmtBytes(heap.sluice * sizes.entries), heap.redis === null ? '—' : fmtBytes(heap.redis * sizes.entries),
    ],
  ];
  const mHow = `${fmtInt(sizes.entries)} entries XADDed into one stream of a fresh server (pipelined, explicit IDs), five fields each as bench/stream-memory.mjs adds them (name job<n>, type email, ts <10 digits>, user u<n>, state queued); growth of the resident set and of INFO used_memory (Sluice: V8 heap plus external memory) divided by the number of entries; and bench/stream-memory.mjs, which builds the same stream with Sluice's XADD in a node process of its own (--expose-gc) and reads the heap's growth after full GCs, leaving out the server's garbage and the room V8 keeps for growth, against a fresh redis-server's used_memory growth for the same commands`;
  text.push(`Memory per stream entry (${mHow})`, renderText(mColumns, mRows));
  md.push(`### Memory per stream entry\n\n${sentence(mHow)} Target: at most ${MEMORY_TARGET}× Redis.`, renderMarkdown(mColumns, mRows));
  return { text: text.join('\n\n'), markdown: md.join('\n\n') };
}
