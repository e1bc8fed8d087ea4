// The scripting section: EVALSHA of a one-GET script and of a BullMQ-sized
// one (about 10 KB, ten redis.call's) under redis-benchmark, unpipelined and
// -P 16; then BullMQ itself: Queue.addBulk, a Worker draining the jobs, and
// single Queue.add calls, in jobs per second; and the first EVAL of each of
// BullMQ's scripts on fresh servers. Sluice against redis-server in one run.
import Redis from 'ioredis';
import { runBullmqLoad } from './lib/bullmq-load.mjs';
import { firstAddTimes } from './lib/first-add.mjs';
import { bullmqScripts, embeddedFirstCallTimes, firstCallTimes, summarize } from './lib/first-calls.mjs';
import { BULLMQ_SIZED_ARGS, BULLMQ_SIZED_SCRIPT } from './lib/bullmq-sized-script.mjs';
import { runRedisBenchmark } from './lib/redis-benchmark.mjs';
import { REDIS_BENCHMARK, REDIS_SERVER, scratchDir, startRedis, startSluice, withBothServers, withServer } from './lib/servers.mjs';
import { fmtBytes, fmtInt, median, pairedRatio, renderMarkdown, renderText, throughputColumns, throughputRow } from './lib/table.mjs';

export const id = 'scripting';
export const title = 'Scripting: EVALSHA and BullMQ';

const SERVER_CPU = 0;
const CLIENT_CPU = 1;
const CLIENTS = 50;
const NO_AOF = ['--appendonly', 'no'];
const ROUNDS = 5;
const BULLMQ_ROUNDS = 5;
const CONCURRENCY = 50;
/** Fresh servers of each kind for the first-call rows, and the bound on Sluice's worst first call. */
const FIRST_CALL_ROUNDS = { full: 3, quick: 1 };
const FIRST_CALL_TARGET_MS = 5;
const FIRST_ADD_ROUNDS = { full: 5, quick: 1 };
/** The first Queue.add on a fresh embedded server: within this many times Redis's. */
const FIRST_ADD_TARGET_RATIO = 3;

const SIZES = {
  full: { small: { 1: 200_000, 16: 1_000_000 }, big: { 1: 100_000, 16: 300_000 }, warmup: 20_000, bulk: 20_000, singles: 5_000, warmBulk: 20_000, warmSingles: 500 },
  quick: { small: { 1: 20_000, 16: 100_000 }, big: { 1: 10_000, 16: 30_000 }, warmup: 5_000, bulk: 2_000, singles: 500, warmBulk: 500, warmSingles: 100 },
};

const SMALL_SCRIPT = "return redis.call('GET', KEYS[1])";

/** The two scripts, loaded with SCRIPT LOAD on every server, and the EVALSHA arguments after the SHA. */
/** The targets, Sluice/Redis: BullMQ's job rates, and EVALSHA's per script and pipeline depth. */
const BULLMQ_TARGET = 1;

const SCRIPTS = [
  { id: 'small', label: 'EVALSHA, one GET', body: SMALL_SCRIPT, args: ['1', 'bench:k'], targets: { 1: 0.9 } },
  { id: 'big', label: `EVALSHA, ${fmtBytes(BULLMQ_SIZED_SCRIPT.length)} script, 10 calls`, body: BULLMQ_SIZED_SCRIPT, args: BULLMQ_SIZED_ARGS, targets: { 1: 1.0, 16: 1.0 } },
];

/** Loads the scripts and the small script's key; resolves to the SHA of each script by id, or null when the server has no scripting. */
async function prepare(port) {
  const c = new Redis({ port, host: '127.0.0.1', lazyConnect: true });
  try {
    await c.connect();
    await c.set('bench:k', 'v'.repeat(16));
    const shas = {};
    for (const s of SCRIPTS) shas[s.id] = await c.script('LOAD', s.body);
    return shas;
  } catch {
    return null;
  } finally {
    c.disconnect();
  }
}

/** Requests per second in each round, the servers alternating script by script (who goes first swapping each round). */
async function evalsha(servers, sizes, log) {
  const rows = [];
  const run = (s, script, requests, pipeline) =>
    runRedisBenchmark(s.server.port, { tests: ['evalsha'], clients: CLIENTS, requests, pipeline, cpu: CLIENT_CPU, extra: ['EVALSHA', s.shas[script.id], ...script.args] });
  for (const s of servers) {
    log(`${s.name}: warming up`);
    for (const script of SCRIPTS) for (const pipeline of [1, 16]) await run(s, script, sizes.warmup, pipeline);
  }
  for (const pipeline of [1, 16]) {
    const runs = new Map(servers.map((s) => [s.name, new Map(SCRIPTS.map((script) => [script.id, []]))]));
    for (let round = 0; round < ROUNDS; round++) {
      log(`-P ${pipeline}: round ${round + 1} of ${ROUNDS}`);
      for (const script of SCRIPTS) {
        for (const s of round % 2 === 0 ? servers : [...servers].reverse()) {
          const [row] = await run(s, script, sizes[script.id][pipeline], pipeline);
          runs.get(s.name).get(script.id)[round] = row?.rps ?? null;
        }
      }
    }
    for (const script of SCRIPTS) {
      rows.push({ script, pipeline, ...paired(runs.get('Sluice')?.get(script.id), runs.get('Redis')?.get(script.id)) });
    }
  }
  return rows;
}

/** Each server's median rate over its rounds, and the median of the rounds' Sluice/Redis ratios. */
function paired(sluiceRuns = [], redisRuns = []) {
  const rate = (xs) => median(xs.filter((x) => x != null));
  return { sluice: rate(sluiceRuns), redis: rate(redisRuns), pairRatio: pairedRatio(sluiceRuns, redisRuns) };
}

/**
 * Jobs per second in each round of the BullMQ load, the servers
 * alternating (who goes first swapping each round), after a warm-up round each as big as a round's bulk: Sluice
 * runs scripts as JavaScript that V8 optimises as it runs, and its first
 * 20,000-job addBulk measured 10,000 jobs/s against 18,300-20,800 for the
 * next three (Redis 13,500-16,300 throughout).
 */
async function bullmq(servers, sizes, log) {
  const runs = new Map(servers.map((s) => [s.name, { addBulk: [], drain: [], add: [] }]));
  for (const s of servers) {
    log(`${s.name}: BullMQ warm-up (${sizes.warmBulk} jobs)`);
    await runBullmqLoad(s.server.port, { bulk: sizes.warmBulk, concurrency: CONCURRENCY, singles: sizes.warmSingles });
  }
  for (let round = 0; round < BULLMQ_ROUNDS; round++) {
    for (const s of round % 2 === 0 ? servers : [...servers].reverse()) {
      log(`${s.name}: BullMQ round ${round + 1} of ${BULLMQ_ROUNDS} (${sizes.bulk} jobs in bulk, ${sizes.singles} single adds)`);
      const r = await runBullmqLoad(s.server.port, { bulk: sizes.bulk, concurrency: CONCURRENCY, singles: sizes.singles });
      const b = runs.get(s.name);
      for (const k of Object.keys(b)) b[k][round] = r[k];
    }
  }
  return runs;
}

/**
 * The first EVAL of each BullMQ script: on fresh server processes (rounds,
 * the kinds alternating; per script the median over rounds), Sluice's once
 * with an empty script store (compile-store.ts) each round, once with a
 * store an earlier process filled, and both servers once more unpinned
 * (Sluice with an empty store); then on Sluice servers embedded one
 * after the other in this process: the first, and as many more as there are
 * rounds (per script the median over them).
 */
async function firstCalls(rounds, log) {
  const scripts = bullmqScripts();
  const stored = scratchDir('sluice-bench-first-call-store-');
  try {
    const emptyStore = (o) => startSluice({ ...o, env: { SLUICE_SCRIPT_CACHE_DIR: `${o.dir}/scripts` } });
    const sharedStore = (o) => startSluice({ ...o, env: { SLUICE_SCRIPT_CACHE_DIR: stored.dir } });
    // The unpinned kinds run as users run servers: V8 compiles hot code on other threads, which pinned share the one core.
    const kinds = [
      ['Sluice', emptyStore, SERVER_CPU],
      ...(REDIS_SERVER === null ? [] : [['Redis', startRedis, SERVER_CPU]]),
      ['Sluice stored', sharedStore, SERVER_CPU],
      ['Sluice unpinned', emptyStore, null],
      ...(REDIS_SERVER === null ? [] : [['Redis unpinned', startRedis, null]]),
    ];
    log(`Sluice: a server process fills a script store with ${scripts.length} BullMQ scripts`);
    await withServer('sluice-bench-first-call-', sharedStore, { cpu: SERVER_CPU, extra: NO_AOF }, async (server) => {
      await firstCallTimes(server.port, scripts);
      await new Promise((r) => setTimeout(r, 500));
    });
    const times = new Map(kinds.map(([name]) => [name, []]));
    for (let round = 0; round < rounds; round++) {
      for (const [name, start, cpu] of round % 2 === 0 ? kinds : [...kinds].reverse()) {
        log(`${name}: first call of ${scripts.length} BullMQ scripts on a fresh server (round ${round + 1} of ${rounds})`);
        times.get(name).push(await withServer('sluice-bench-first-call-', start, { cpu, extra: NO_AOF }, (server) => firstCallTimes(server.port, scripts)));
      }
    }
    log(`Sluice: first calls on ${rounds + 1} servers embedded one after the other in this process`);
    const embedded = await embeddedFirstCallTimes(scripts, rounds);
    return {
      count: scripts.length,
      sluice: summarize(times.get('Sluice'), scripts),
      stored: summarize(times.get('Sluice stored'), scripts),
      redis: summarize(times.get('Redis') ?? [], scripts),
      unpinned: summarize(times.get('Sluice unpinned'), scripts),
      redisUnpinned: summarize(times.get('Redis unpinned') ?? [], scripts),
      embeddedFirst: summarize([embedded.first], scripts),
      embeddedNext: summarize(embedded.next, scripts),
    };
  } finally {
    stored.remove();
  }
}

function firstCallRows(f, hasRedis) {
  const ms = (x) => (x === null ? (hasRedis ? 'no result' : 'not installed') : `${x.worst.toFixed(1)} / ${x.median.toFixed(2)} (${x.worstScript})`);
  const verdict = (x) => (x.worst <= FIRST_CALL_TARGET_MS ? 'met' : 'above');
  const target = `worst ≤ ${FIRST_CALL_TARGET_MS} ms`;
  return [
    [`first EVAL of each of ${f.count} BullMQ scripts, fresh server process, empty script store`, ms(f.sluice), ms(f.redis), target, verdict(f.sluice)],
    ['the same, fresh server process, the scripts stored by an earlier process', ms(f.stored), ms(f.redis), target, verdict(f.stored)],
    ['the same, fresh server process not pinned to a core, empty script store', ms(f.unpinned), ms(f.redisUnpinned), target, verdict(f.unpinned)],
    ['the same, a server embedded in a process that has run no script, empty script store', ms(f.embeddedFirst), '—', target, verdict(f.embeddedFirst)],
    ['the same, the next servers embedded in that process', ms(f.embeddedNext), '—', target, verdict(f.embeddedNext)],
  ];
}

/** The rows of the first Queue.add: the first process with an empty store, and the next one, finding the store the first filled. */
function firstAddRows(f, hasRedis) {
  const ms = (x) => (x === null ? (hasRedis ? 'no result' : 'not installed') : `${x.median.toFixed(1)} (${x.min.toFixed(1)}-${x.max.toFixed(1)})`);
  const row = (label, sluice) => {
    const ratio = sluice !== null && f.redis !== null ? sluice.median / f.redis.median : null;
    const verdict = ratio === null ? '—' : ratio <= FIRST_ADD_TARGET_RATIO ? 'met' : 'above';
    return [label, ms(sluice), ms(f.redis), ratio === null ? '—' : `${ratio.toFixed(1)}×`, `≤ ${FIRST_ADD_TARGET_RATIO}× Redis's`, verdict];
  };
  return [row('first Queue.add of a fresh process, empty store', f.sluice), row('the same in the next process, the store filled by the first', f.sluiceStored)];
}

export async function run({ quick, log }) {
  const firsts = await firstCalls(quick ? FIRST_CALL_ROUNDS.quick : FIRST_CALL_ROUNDS.full, log);
  const firstAddRounds = quick ? FIRST_ADD_ROUNDS.quick : FIRST_ADD_ROUNDS.full;
  const firstAdd = await firstAddTimes(firstAddRounds, log);

  const sizes = quick ? SIZES.quick : SIZES.full;
  const hasRedis = REDIS_SERVER !== null;
  return withBothServers('sluice-bench-scripting-', { cpu: SERVER_CPU, sluiceExtra: NO_AOF }, async ({ sluice, redis }) => {
    const servers = [];
    for (const [name, server] of [['Sluice', sluice], ['Redis', redis]]) {
      if (server === null) continue;
      const shas = await prepare(server.port);
      if (shas !== null) servers.push({ name, server, shas });
    }
    const implemented = servers.some((s) => s.name === 'Sluice');
    const text = [];
    const md = [];

    if (REDIS_BENCHMARK === null) {
      const note = 'redis-benchmark is not installed (apt-get install redis-tools): EVALSHA throughput not measured.';
      text.push(note);
      md.push(note);
    } else {
      const rows = await evalsha(servers, sizes, log);
      const columns = throughputColumns({ title: 'pipeline', right: true });
      const body = rows.map(({ script, pipeline, sluice: s, redis: r, pairRatio }) => throughputRow({ label: script.label, setting: `-P ${pipeline}`, sluice: s, redis: r, pairRatio, implemented, hasRedis, target: script.targets[pipeline] }));
      const what = `redis-benchmark -c ${CLIENTS} -q --csv EVALSHA <sha> <keys and args>; the small script at -n ${fmtInt(sizes.small[1])} (-P 1) and ${fmtInt(sizes.small[16])} (-P 16), the BullMQ-sized one at ${fmtInt(sizes.big[1])} and ${fmtInt(sizes.big[16])}; ${ROUNDS} rounds, the servers alternating (who goes first swapping each round); each server's median rate, and Sluice/Redis the median of the rounds' ratios`;
      text.push(`EVALSHA (${what})`, renderText(columns, body));
      md.push(
        `### EVALSHA\n\n\`${what}\`, requests per second. The BullMQ-sized script is bench/lib/bullmq-sized-script.mjs: local helper functions defined on every call, as BullMQ's inlined includes are, and ten redis.call's (INCR, HSET, HINCRBY, ZADD, ZREMRANGEBYRANK, LPUSH, LTRIM, HGET, EXISTS, SET) on keys that stay small.`,
        renderMarkdown(columns, body),
      );
    }

    const firstColumns = [{ title: 'test' }, { title: 'Sluice worst / median ms', right: true }, { title: 'Redis worst / median ms', right: true }, { title: 'target' }, { title: 'verdict' }];
    const firstRows = firstCallRows(firsts, hasRedis);
    const firstHow = `a fresh server for each round and kind (${quick ? FIRST_CALL_ROUNDS.quick : FIRST_CALL_ROUNDS.full} rounds, the kinds alternating), one client sending, after 20 PINGs, the first EVAL of each script of bullmq/dist/cjs/scripts in BullMQ's order, one at a time, with its keys named and no arguments; time from sending to the reply, per script the median over rounds, then the worst and the median over the scripts`;
    text.push(`First calls (${firstHow})`, renderText(firstColumns, firstRows));
    md.push(
      `### A script's first call\n\n${firstHow[0].toUpperCase()}${firstHow.slice(1)}. Without arguments most scripts stop with an error at their first use of one, so the time is the compile and a short run. Sluice runs a script's first calls in a first form that generates each nested function when it is first called (docs/design/scripting.md), so these rows hold little of the helpers a real call generates; the first Queue.add below is such a call. The first script a server process runs also pays for the compiler's own first run (V8 runs it cold). Sluice keeps compiled scripts on disk for the next process (the user's script store, compile-store.ts): the first row gives each server an empty store, the second a store that one server process filled before the rounds, as a test suite's second server finds it; the third is the first without taskset, as users run servers, where V8's compiler threads (which optimise the compiler's own hot code while it runs) have another core than the server's main thread. The embedded rows start Sluice servers one after the other in the benchmark's process (on the client core): the first, then one per round, which find every script compiled (a process shares compiled scripts between its servers; per script the median over those servers).`,
      renderMarkdown(firstColumns, firstRows),
    );
    const addColumns = [{ title: 'test' }, { title: 'Sluice ms', right: true }, { title: 'Redis ms', right: true }, { title: 'Sluice/Redis', right: true }, { title: 'target' }, { title: 'verdict' }];
    const addRows = firstAddRows(firstAdd, hasRedis);
    const addHow = `${firstAddRounds} rounds, the two alternating, nothing pinned: a fresh Node process makes a BullMQ Queue and times its first add (from the call to the job's id; ioredis sends EVALSHA, then EVAL on NOSCRIPT), against Sluice started in that process with an empty script store and then in a second process with the store the first left (its compiled scripts and V8's code cache of Sluice's bundle), or against a fresh redis-server; the median over rounds, and the range`;
    text.push(`The first Queue.add (${addHow})`, renderText(addColumns, addRows));
    md.push(`### The first Queue.add

${addHow[0].toUpperCase()}${addHow.slice(1)}. What a test suite embedding Sluice waits for at its first job: the client's own first run is in both figures.`, renderMarkdown(addColumns, addRows));

    const runs = await bullmq(servers, sizes, log);
    const jobColumns = [...throughputColumns({ title: 'jobs', right: true })];
    jobColumns[2] = { title: 'Sluice jobs/s', right: true };
    jobColumns[3] = { title: 'Redis jobs/s', right: true };
    const jobRows = [
      ['Queue.addBulk (one call)', sizes.bulk, 'addBulk'],
      [`Worker, concurrency ${CONCURRENCY}, draining them`, sizes.bulk, 'drain'],
      ['Queue.add, one at a time', sizes.singles, 'add'],
    ].map(([label, n, k]) => throughputRow({ label, setting: fmtInt(n), ...paired(runs.get('Sluice')?.[k], runs.get('Redis')?.[k]), implemented, hasRedis, target: BULLMQ_TARGET }));
    const how = `bullmq from node_modules in the benchmark's own process (on the client core); jobs of about 90 bytes of data; ${BULLMQ_ROUNDS} rounds after a ${fmtInt(sizes.warmBulk)}-job warm-up, the servers alternating (who goes first swapping each round); each server's median rate per row, and Sluice/Redis the median of the rounds' ratios`;
    text.push(`BullMQ (${how})`, renderText(jobColumns, jobRows));
    md.push(`### BullMQ\n\n${how[0].toUpperCase()}${how.slice(1)}.`, renderMarkdown(jobColumns, jobRows));
    return { text: text.join('\n\n'), markdown: md.join('\n\n') };
  });
}
