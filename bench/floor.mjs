// The floor section: how much of a request's CPU Node itself takes. Redis,
// Sluice and a Node server that only reads requests and writes a fixed
// reply (bench/lib/node-floor.mjs) take the same redis-benchmark SET load,
// and each server's CPU time per request is read from /proc.
import { cpuTimes } from './lib/cpu.mjs';
import { runRedisBenchmark } from './lib/redis-benchmark.mjs';
import { REDIS_BENCHMARK, REDIS_SERVER, scratchDir, startNodeFloor, startRedis, startSluice } from './lib/servers.mjs';
import { fmtInt, median, renderMarkdown, renderText } from './lib/table.mjs';

export const id = 'floor';
export const title = "Node's floor: the CPU a request costs below Sluice";

const SERVER_CPU = 0;
const CLIENT_CPU = 1;
const CLIENTS = 50;
/** Rounds, each running the three servers in turn, the order rotating from one round to the next. */
const ROUNDS = 3;

const SIZES = {
  full: { 1: 300_000, 16: 1_000_000, warmup: 20_000 },
  quick: { 1: 30_000, 16: 100_000, warmup: 5_000 },
};

/** One redis-benchmark SET run on `server`: its rate and the server's CPU per request (µs, null without /proc). */
async function measure(server, requests, pipeline) {
  const before = cpuTimes(server.pid);
  const [r] = await runRedisBenchmark(server.port, { tests: ['set'], clients: CLIENTS, requests, pipeline, cpu: CLIENT_CPU });
  const after = cpuTimes(server.pid);
  if (r === undefined) throw new Error(`${server.name}: redis-benchmark gave no result`);
  const per = (k) => (before === null || after === null ? null : (after[k] - before[k]) / requests);
  return { rps: r.rps, user: per('user'), system: per('system') };
}

const fmtMicros = (x) => (x === null ? 'no /proc' : x.toFixed(2));

export async function run({ quick, log }) {
  if (REDIS_BENCHMARK === null) {
    const note = 'redis-benchmark is not installed (apt-get install redis-tools): nothing measured.';
    return { text: note, markdown: note };
  }
  const sizes = quick ? SIZES.quick : SIZES.full;
  const scratch = scratchDir('sluice-bench-floor-');
  const servers = [];
  try {
    servers.push(await startSluice({ dir: scratch.dir, cpu: SERVER_CPU }));
    servers.push(await startNodeFloor({ dir: scratch.dir, cpu: SERVER_CPU }));
    if (REDIS_SERVER !== null) servers.push(await startRedis({ dir: scratch.dir, cpu: SERVER_CPU }));
    const names = { sluice: 'Sluice', 'node-floor': 'Node floor', redis: 'Redis' };
    const rows = [];
    for (const pipeline of [1, 16]) {
      log(`-P ${pipeline}: warming up, then ${ROUNDS} rounds of ${sizes[pipeline]} SETs a server`);
      for (const s of servers) await runRedisBenchmark(s.port, { tests: ['set'], clients: CLIENTS, requests: sizes.warmup, pipeline, cpu: CLIENT_CPU });
      const runs = new Map(servers.map((s) => [s, []]));
      for (let round = 0; round < ROUNDS; round++) {
        for (let i = 0; i < servers.length; i++) {
          const s = servers[(i + round) % servers.length];
          runs.get(s).push(await measure(s, sizes[pipeline], pipeline));
        }
      }
      for (const s of servers) {
        const m = runs.get(s);
        const mid = (k) => (m.some((x) => x[k] === null) ? null : median(m.map((x) => x[k])));
        rows.push([String(pipeline), names[s.name], fmtInt(mid('rps')), fmtMicros(mid('user')), fmtMicros(mid('system'))]);
      }
    }
    const columns = [
      { title: 'pipeline' }, { title: 'server' }, { title: 'requests/s', right: true },
      { title: 'user µs a request', right: true }, { title: 'system µs a request', right: true },
    ];
    const what = `redis-benchmark -c ${CLIENTS} -t set, ${fmtInt(sizes[1])} requests unpipelined and ${fmtInt(sizes[16])} at -P 16; ${ROUNDS} rounds, the servers taking turns; medians`;
    return {
      text: [`Node's floor (${what})`, renderText(columns, rows)].join('\n\n'),
      markdown: [
        `### CPU a SET costs each server\n\n\`${what}\`. The server's CPU time (user and system, from /proc in 10 ms ticks) divided by the requests of the run; no target. "Node floor" is bench/lib/node-floor.mjs: Sluice's own read path (every connection read into one shared buffer) and handle writer, with the requests framed only far enough to count them and each answered with a fixed +OK: what a Node server pays per request before it runs any command. Sluice's user time above the floor is Sluice's own work (parsing, dispatch, the command, the reply, statistics); the floor's above Redis's is Node's (its event loop, its call into JavaScript for every read, its write path, V8). System time is the kernel's share of reading and writing, about the same for all three. Unpipelined, the rates are set by redis-benchmark's one core rather than by the servers.`,
        renderMarkdown(columns, rows),
      ].join('\n\n'),
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    scratch.remove();
  }
}
