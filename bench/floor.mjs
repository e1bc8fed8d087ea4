// The floor section: how much of a request's CPU Node itself takes, and
// what latency Node reaches at Sluice's CPU a request. Redis, Sluice and a
// Node server that only reads requests and writes a fixed reply
// (bench/lib/node-floor.mjs) take the same redis-benchmark SET load, and
// each server's CPU time per request is read from /proc; the same floor
// server spinning for Sluice's own work a request joins them, so that
// Sluice's latency can be set beside a Node server's with the same cost.
// Then the collector's floor: a million distinct keys arrive at Sluice and
// at the floor server keeping every key and value, on V8's heap and off it,
// each with its collections logged.
import { cpuTimes } from './lib/cpu.mjs';
import { loadDistinctKeys } from './lib/key-load.mjs';
import { runRedisBenchmark } from './lib/redis-benchmark.mjs';
import { REDIS_BENCHMARK, REDIS_SERVER, scratchDir, startNodeFloor, startRedis, startSluice, withServer } from './lib/servers.mjs';
import { fmtInt, fmtRatio, median, renderMarkdown, renderText } from './lib/table.mjs';

export const id = 'floor';
export const title = "Node's floor: the CPU a request costs below Sluice, and the latency at Sluice's cost";

const SERVER_CPU = 0;
const CLIENT_CPU = 1;
const CLIENTS = 50;
/** Rounds, each running every server in turn, the order rotating from one round to the next. */
const ROUNDS = 5;

const SIZES = {
  full: { 1: 300_000, 16: 1_000_000, warmup: 20_000, keys: 1_000_000 },
  quick: { 1: 30_000, 16: 100_000, warmup: 5_000, keys: 100_000 },
};
/** Rounds of the keeping load, each server fresh in each, the order rotating. */
const KEEP_ROUNDS = 3;

/** The section's load: one redis-benchmark SET run on `server`, resolving to its parsed rows. */
const setLoad = (server, requests, pipeline) => runRedisBenchmark(server.port, { tests: ['set'], clients: CLIENTS, requests, pipeline, cpu: CLIENT_CPU });

/** One redis-benchmark SET run on `server`: its rate, p50 and p99, and the server's CPU per request (µs, null without /proc). */
async function measure(server, requests, pipeline) {
  const before = cpuTimes(server.pid);
  const [r] = await setLoad(server, requests, pipeline);
  const after = cpuTimes(server.pid);
  if (r === undefined) throw new Error(`${server.name}: redis-benchmark gave no result`);
  const per = (k) => (before === null || after === null ? null : (after[k] - before[k]) / requests);
  return { rps: r.rps, p50: r.p50Ms, p99: r.p99Ms, user: per('user'), system: per('system') };
}

const fmtMicros = (x) => (x === null ? 'no /proc' : x.toFixed(2));

/** Runs of each of Sluice and the floor, taking turns, from which Sluice's own work a request is sized. */
const SIZING_RUNS = 2;

/**
 * The µs of work a request Sluice does above the floor: the difference of
 * their mean user time a request over SIZING_RUNS full-size runs each,
 * taking turns. Null without /proc.
 */
async function sluiceWork(sluice, floor, requests, pipeline) {
  let difference = 0;
  for (let i = 0; i < SIZING_RUNS; i++) {
    const s = await measure(sluice, requests, pipeline);
    const f = await measure(floor, requests, pipeline);
    if (s.user === null || f.user === null) return null;
    difference += s.user - f.user;
  }
  return Math.max(0, difference / SIZING_RUNS);
}

export async function run({ quick, log }) {
  if (REDIS_BENCHMARK === null) {
    const note = 'redis-benchmark is not installed (apt-get install redis-tools): nothing measured.';
    return { text: note, markdown: note };
  }
  const sizes = quick ? SIZES.quick : SIZES.full;
  const scratch = scratchDir('sluice-bench-floor-');
  const servers = [];
  let setPart;
  try {
    const sluice = await startSluice({ dir: scratch.dir, cpu: SERVER_CPU });
    servers.push(sluice);
    const floor = await startNodeFloor({ dir: scratch.dir, cpu: SERVER_CPU });
    servers.push(floor);
    const redis = REDIS_SERVER !== null ? await startRedis({ dir: scratch.dir, cpu: SERVER_CPU }) : null;
    if (redis !== null) servers.push(redis);
    const rows = [];
    for (const pipeline of [1, 16]) {
      const requests = sizes[pipeline];
      log(`-P ${pipeline}: warming up, then ${SIZING_RUNS} runs of ${requests} SETs each on Sluice and on the floor to size Sluice's own work`);
      for (const s of servers) await setLoad(s, sizes.warmup, pipeline);
      const work = await sluiceWork(sluice, floor, requests, pipeline);
      const measured = [...servers];
      let worked = null;
      if (work !== null && work > 0) {
        worked = await startNodeFloor({ dir: scratch.dir, cpu: SERVER_CPU, workMicros: work });
        await setLoad(worked, sizes.warmup, pipeline);
        measured.splice(2, 0, worked);
      }
      try {
        log(`-P ${pipeline}: ${ROUNDS} rounds of ${requests} SETs a server${worked ? `, the floor with ${work.toFixed(2)} µs of work a request among them` : ''}`);
        const runs = new Map(measured.map((s) => [s, []]));
        for (let round = 0; round < ROUNDS; round++) {
          for (let i = 0; i < measured.length; i++) {
            const s = measured[(i + round) % measured.length];
            runs.get(s).push(await measure(s, requests, pipeline));
          }
        }
        const mid = (s, k) => {
          const m = runs.get(s);
          return m.some((x) => x[k] === null) ? null : median(m.map((x) => x[k]));
        };
        const redisP99 = redis === null ? null : mid(redis, 'p99');
        const label = (s) =>
          s === sluice ? 'Sluice' : s === floor ? 'Node floor' : s === worked ? `Node floor + ${work.toFixed(2)} µs a request` : 'Redis';
        for (const s of measured) {
          const p99 = mid(s, 'p99');
          rows.push([
            String(pipeline), label(s), fmtInt(mid(s, 'rps')), mid(s, 'p50').toFixed(3), p99.toFixed(3),
            redisP99 === null ? '—' : fmtRatio(p99 / redisP99), fmtMicros(mid(s, 'user')), fmtMicros(mid(s, 'system')),
          ]);
        }
      } finally {
        await worked?.stop();
      }
    }
    const columns = [
      { title: 'pipeline' }, { title: 'server' }, { title: 'requests/s', right: true },
      { title: 'p50 ms', right: true }, { title: 'p99 ms', right: true }, { title: 'p99 / Redis', right: true },
      { title: 'user µs a request', right: true }, { title: 'system µs a request', right: true },
    ];
    const what = `redis-benchmark -c ${CLIENTS} -t set, ${fmtInt(sizes[1])} requests unpipelined and ${fmtInt(sizes[16])} at -P 16; ${ROUNDS} rounds, the servers taking turns; medians`;
    setPart = {
      text: [`Node's floor (${what})`, renderText(columns, rows)].join('\n\n'),
      markdown: [
        `### CPU and latency of a SET on each server\n\n\`${what}\`. The server's CPU time (user and system, from /proc in 10 ms ticks) divided by the requests of the run, and redis-benchmark's p50 and p99; no target. "Node floor" is bench/lib/node-floor.mjs: Sluice's own read path (every connection read into one shared buffer) and handle writer, with the requests framed only far enough to count them and each answered with a fixed +OK at the end of the event loop's turn, as Sluice writes its replies (since 2026-11-26, evening; it answered each read at once before): what a Node server pays per request before it runs any command. Sluice's user time above the floor is Sluice's own work (parsing, dispatch, the command, the reply, statistics); the floor's above Redis's is Node's (its event loop, its call into JavaScript for every read, its write path, V8). System time is the kernel's share of reading and writing, about the same for all three. "Node floor + n µs a request" is the same server busy for n µs on every request (a count of integer operations it sizes at start, so no clock is read), n being Sluice's user time a request above the floor's in runs just before the rounds (the user column shows how closely it matched): a Node server with Sluice's CPU a request, spent evenly and leaving no garbage, so its latency is what Node itself reaches at Sluice's cost. Unpipelined, the rates are set by redis-benchmark's one core rather than by the servers.`,
        renderMarkdown(columns, rows),
      ].join('\n\n'),
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    scratch.remove();
  }
  const keepPart = await keepingTable(sizes.keys, log);
  return { text: [setPart.text, keepPart.text].join('\n\n'), markdown: [setPart.markdown, keepPart.markdown].join('\n\n') };
}

/**
 * One keeping load on a fresh server from `start`: its wall time in
 * seconds and, for a Node server, the collections it logged (null for
 * Redis).
 */
function keepingRun(start, keys) {
  return withServer('sluice-bench-floor-keep-', start, { cpu: SERVER_CPU }, async (server) => {
    const before = cpuTimes(server.pid);
    const began = performance.now();
    await loadDistinctKeys(server, keys);
    const seconds = (performance.now() - began) / 1000;
    const after = cpuTimes(server.pid);
    // Stopped here, while its log is still there to read; withServer's own stop then has nothing to do.
    await server.stop();
    const faults = before === null || after === null ? null : after.minorFaults - before.minorFaults;
    return { seconds, faults, gc: server.name === 'redis' ? null : server.gcPauses() };
  });
}

/**
 * The collector's floor: `keys` distinct keys loaded into Sluice, into the
 * floor server keeping each key and value (as strings in a Map, and as bytes
 * off V8's heap), and into Redis, fresh servers in every one of KEEP_ROUNDS
 * rounds.
 */
async function keepingTable(keys, log) {
  const starters = [
    ['Sluice', startSluice],
    ['Node floor keeping keys', (options) => startNodeFloor({ ...options, keep: 'strings' })],
    ['Node floor keeping bytes', (options) => startNodeFloor({ ...options, keep: 'bytes' })],
  ];
  if (REDIS_SERVER !== null) starters.push(['Redis', startRedis]);
  const runs = new Map(starters.map(([label]) => [label, []]));
  log(`${KEEP_ROUNDS} rounds of ${fmtInt(keys)} distinct keys into a fresh server each`);
  for (let round = 0; round < KEEP_ROUNDS; round++) {
    for (let i = 0; i < starters.length; i++) {
      const [label, start] = starters[(i + round) % starters.length];
      runs.get(label).push(await keepingRun(start, keys));
    }
  }
  const rows = starters.map(([label]) => {
    const r = runs.get(label);
    const seconds = median(r.map((x) => x.seconds));
    const faults = r.some((x) => x.faults === null) ? 'no /proc' : fmtInt(median(r.map((x) => x.faults)));
    if (r[0].gc === null) return [label, seconds.toFixed(2), fmtInt(keys / seconds), faults, '—', '—', '—'];
    const longest = r.reduce((a, x) => (x.gc.longestMs > a.gc.longestMs ? x : a)).gc;
    return [
      label, seconds.toFixed(2), fmtInt(keys / seconds), faults, fmtInt(median(r.map((x) => x.gc.count))),
      longest.count === 0 ? '—' : `${longest.longestMs.toFixed(2)} (${longest.kind})`, median(r.map((x) => x.gc.totalMs)).toFixed(0),
    ];
  });
  const columns = [
    { title: 'server' }, { title: 'load s', right: true }, { title: 'keys/s', right: true }, { title: 'page faults', right: true },
    { title: 'collections', right: true }, { title: 'longest pause ms', right: true }, { title: 'all pauses ms', right: true },
  ];
  const what = `${fmtInt(keys)} distinct keys (SET key:<i> <32 bytes>, pipelined in batches of 10,000 over one connection) into a fresh server; ${KEEP_ROUNDS} rounds, the servers taking turns; medians, and the longest pause of any round`;
  return {
    text: [`The collector's floor (${what})`, renderText(columns, rows)].join('\n\n'),
    markdown: [
      `### Collections while a million keys arrive

\`${what}\`. The core section's memory-per-key load, where every byte written stays: the pauses V8 logged (--trace-gc, start-up left out) on Sluice and on "Node floor keeping keys", the floor server above keeping each request's key and value as byte strings in a Map, run with Sluice's node flags. That is the least a Node server keeping its data on V8's heap holds, so its pauses are what V8 makes any such server pay under this load. "Node floor keeping bytes" keeps the same keys and values as bytes in one buffer outside V8's heap, found through a table of offsets in a typed array (bench/lib/byte-table.mjs): what a keyspace kept there would leave to the collector. No target of their own (the section's ≤ 5 ms applies to Sluice). "page faults" are the server's minor faults during the load (/proc): first touches of memory, which every server growing by the same data takes; a Node server takes many of them inside collections, where what survives is copied into pages the heap has just grown by.`,
      renderMarkdown(columns, rows),
    ].join('\n\n'),
  };
}
