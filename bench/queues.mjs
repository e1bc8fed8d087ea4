// The list-queue section: redis-benchmark's list tests (LPUSH, RPOP, LPOP,
// LRANGE_100, LRANGE_600; unpipelined and -P 16), the queue test (one
// producer pipelining LPUSH of 128-byte messages to 10 consumers looping on
// BRPOP), and memory per list element; Sluice against redis-server in one run.
import { markPhase } from './lib/gc-pauses.mjs';
import { firstReplyLine, encode, pipelineLoad } from './lib/resp.mjs';
import { runQueueLoad } from './lib/queue-load.mjs';
import { runRedisBenchmark } from './lib/redis-benchmark.mjs';
import { REDIS_BENCHMARK, REDIS_SERVER, rssAround, startRedis, startSluice, withBothServers, withServer } from './lib/servers.mjs';
import { fmtBytes, fmtInt, fmtRatio, renderMarkdown, renderText, throughputColumns, throughputRow } from './lib/table.mjs';

const LIST_NOTE = `Where a row is below its target: an unpipelined request costs Sluice what any one-command turn costs it (a read, Node's stream layers, a write), so these rows move with the core section's unpipelined rows and with the run-to-run spread described at the top; the list operations themselves are O(1) on the deque and do not show in profiles. At -P 16 the per-command path (framing, dispatch, reply) sets the pace, as in the core section.`;

export const id = 'queues';
export const title = 'List queues: list commands, the BRPOP queue test and memory per element';

const SERVER_CPU = 0;
const CLIENT_CPU = 1;
const CLIENTS = 50;
const CONSUMERS = 10;
const MESSAGE_SIZE = 128;
/** Messages the producer keeps sent but not yet delivered, and the most LPUSHes in one write. */
const WINDOW = 100;
const BATCH = 20;
/** Redis runs without persistence here; so does Sluice, whose command line turns the AOF on by default. */
const NO_AOF = ['--appendonly', 'no'];

const SIZES = {
  full: { p1: 200_000, p16: 1_000_000, warmup: 20_000, messages: 200_000, elements: 1_000_000 },
  quick: { p1: 20_000, p16: 100_000, warmup: 5_000, messages: 20_000, elements: 200_000 },
};

/** redis-benchmark's list tests, by the name its CSV gives them; the LPUSH that fills the list for LRANGE is not one. */
const TESTS = [
  { id: 'lpush', csv: 'LPUSH', label: 'LPUSH' },
  { id: 'rpop', csv: 'RPOP', label: 'RPOP' },
  { id: 'lpop', csv: 'LPOP', label: 'LPOP' },
  { id: 'lrange_100', csv: 'LRANGE_100 (first 100 elements)', label: 'LRANGE_100' },
  { id: 'lrange_600', csv: 'LRANGE_600 (first 600 elements)', label: 'LRANGE_600' },
];
const TARGETS = { 1: 0.9, 16: 0.6 };
const QUEUE_TARGET = 0.8;
/** Rounds of the redis-benchmark tests; each server keeps its best per test. */
const ROUNDS = 3;

/** Whether the server has lists at all: an unknown command would make redis-benchmark measure error replies. */
async function hasLists(port) {
  return (await firstReplyLine(port, ['LLEN', 'bench:probe'])) === ':0';
}

function byTest(rows) {
  const out = new Map();
  for (const t of TESTS) {
    const row = rows.find((r) => r.test === t.csv);
    if (row) out.set(t.id, row.rps);
  }
  return out;
}

/** The redis-benchmark rows and the queue test, on one Sluice and one Redis. */
function measure(sizes, log) {
  return withBothServers('sluice-bench-queues-', { cpu: SERVER_CPU, sluiceExtra: NO_AOF }, async ({ sluice, redis }) => {
    const implemented = await hasLists(sluice.port);
    const targets = [{ name: 'Sluice', server: sluice, on: implemented }, { name: 'Redis', server: redis, on: redis !== null }];

    const throughput = [];
    if (REDIS_BENCHMARK !== null) {
      const on = targets.filter((x) => x.on);
      const rpsOf = async (port, id, requests, pipeline) =>
        byTest(await runRedisBenchmark(port, { tests: [id], clients: CLIENTS, requests, pipeline, cpu: CLIENT_CPU })).get(id) ?? null;
      for (const t of on) {
        log(`${t.name}: warming up (${sizes.warmup} requests a test, unpipelined and -P 16)`);
        for (const pipeline of [1, 16]) {
          await runRedisBenchmark(t.server.port, { tests: TESTS.map((x) => x.id), clients: CLIENTS, requests: sizes.warmup, pipeline, cpu: CLIENT_CPU });
        }
      }
      // As in the core section: rounds over all the tests, the servers
      // alternating test by test, each keeping its best round per test.
      for (const pipeline of [1, 16]) {
        const requests = pipeline === 1 ? sizes.p1 : sizes.p16;
        log(`-P ${pipeline}: ${ROUNDS} rounds over all tests, servers alternating, ${requests} requests a test`);
        const best = { Sluice: new Map(), Redis: new Map() };
        for (let round = 0; round < ROUNDS; round++) {
          for (const test of TESTS) {
            for (const t of round % 2 === 0 ? on : [...on].reverse()) {
              markPhase(`${test.label} -P ${pipeline} on ${t.name}, round ${round + 1}`);
              const rps = await rpsOf(t.server.port, test.id, requests, pipeline);
              if (rps !== null) best[t.name].set(test.id, Math.max(best[t.name].get(test.id) ?? 0, rps));
            }
          }
        }
        for (const t of TESTS) {
          throughput.push({ test: t, pipeline, sluice: best.Sluice.get(t.id) ?? null, redis: best.Redis.get(t.id) ?? null });
        }
      }
    }

    const queue = {};
    for (const t of targets.filter((x) => x.on)) {
      log(`queue test: ${t.name}, ${sizes.messages} messages of ${MESSAGE_SIZE} bytes to ${CONSUMERS} BRPOP consumers`);
      const load = { size: MESSAGE_SIZE, consumers: CONSUMERS, window: WINDOW, batch: BATCH };
      await runQueueLoad(t.server.port, { ...load, messages: Math.min(5000, sizes.messages) });
      queue[t.name] = await runQueueLoad(t.server.port, { ...load, messages: sizes.messages });
    }
    return { implemented, throughput, queue };
  });
}

/**
 * Pushes `count` elements of `size` bytes into one list of a fresh server
 * (100 per RPUSH, pipelined) and reports the growth of its resident set per element.
 */
function memoryPerElement(start, count, size, log) {
  return withServer('sluice-bench-listmem-', start, { cpu: SERVER_CPU }, async (server) => {
    if (!(await hasLists(server.port))) return { implemented: false };
    const rss = await rssAround(server, async () => {
      log(`${server.name}: pushing ${count} elements of ${size} bytes`);
      const value = 'e'.repeat(size);
      const perCommand = 100;
      const args = ['RPUSH', 'bench:list', ...Array.from({ length: perCommand }, () => value)];
      const errors = await pipelineLoad(server.port, count / perCommand, () => encode(args), { batch: 500 });
      if (errors !== 0) throw new Error(`${server.name}: ${errors} RPUSHes failed`);
      const len = await firstReplyLine(server.port, ['LLEN', 'bench:list']);
      if (len !== `:${count}`) throw new Error(`${server.name}: LLEN answered ${len} after pushing ${count}`);
    });
    if (rss === null) return { implemented: true, unavailable: true };
    return { implemented: true, ...rss, perElement: (rss.after - rss.before) / count };
  });
}

const verdict = (ratio, target) => (ratio === null ? '—' : ratio >= target ? 'met' : 'below');

function throughputTable(rows, implemented, hasRedis) {
  const columns = throughputColumns({ title: 'pipeline', right: true });
  const body = rows.map(({ test, pipeline, sluice, redis }) =>
    throughputRow({ label: test.label, setting: `-P ${pipeline}`, sluice, redis, implemented, hasRedis, target: TARGETS[pipeline] }),
  );
  return { columns, rows: body };
}

function queueTable(queue) {
  const columns = [
    { title: 'server' }, { title: 'messages/s', right: true }, { title: 'p50 wait', right: true },
    { title: 'p99 wait', right: true }, { title: 'errors', right: true },
  ];
  const row = (name) => {
    const q = queue[name];
    if (q === undefined) return [name, '—', '—', '—', '—'];
    return [name, fmtInt(q.rate), `${q.p50Ms.toFixed(2)} ms`, `${q.p99Ms.toFixed(2)} ms`, String(q.errors)];
  };
  const rows = [row('Sluice'), row('Redis')];
  let summary = 'queue throughput: ';
  if (queue.Sluice && queue.Redis) {
    const ratio = queue.Sluice.rate / queue.Redis.rate;
    summary += `Sluice/Redis ${fmtRatio(ratio)}, target ≥ ${QUEUE_TARGET}× — ${verdict(ratio, QUEUE_TARGET)}`;
  } else {
    summary += 'no ratio (a server is missing or has no lists)';
  }
  return { columns, rows, summary };
}

function memoryTable(results) {
  const columns = [
    { title: 'element size' }, { title: 'Sluice bytes/element', right: true }, { title: 'Redis bytes/element', right: true },
    { title: 'Sluice/Redis', right: true }, { title: 'Sluice RSS growth', right: true }, { title: 'Redis RSS growth', right: true },
  ];
  const cell = (m) => (m === null ? 'not installed' : !m.implemented ? 'not implemented' : m.unavailable ? 'no /proc' : fmtInt(m.perElement));
  const growth = (m) => (m?.perElement === undefined ? '—' : fmtBytes(m.after - m.before));
  const rows = results.map(({ size, sluice, redis }) => [
    `${size} bytes`, cell(sluice), cell(redis),
    sluice?.perElement !== undefined && redis?.perElement !== undefined ? fmtRatio(sluice.perElement / redis.perElement) : '—',
    growth(sluice), growth(redis),
  ]);
  return { columns, rows };
}

export async function run({ quick, log }) {
  const sizes = quick ? SIZES.quick : SIZES.full;
  const hasRedis = REDIS_SERVER !== null;
  const { implemented, throughput, queue } = await measure(sizes, log);
  const text = [];
  const md = [];

  if (REDIS_BENCHMARK === null) {
    const note = 'redis-benchmark is not installed (apt-get install redis-tools): list command throughput not measured.';
    text.push(note);
    md.push(note);
  } else {
    const t = throughputTable(throughput, implemented, hasRedis);
    const what = `redis-benchmark -t lpush,rpop,lpop,lrange_100,lrange_600 -c ${CLIENTS} -q --csv; -n ${fmtInt(sizes.p1)} at -P 1, ${fmtInt(sizes.p16)} at -P 16; ${ROUNDS} rounds over all the tests, the servers alternating test by test; each server's best round per test`;
    text.push(`List commands (${what})`, renderText(t.columns, t.rows));
    md.push(
      `### List commands\n\n\`${what}\`, requests per second. redis-benchmark runs LPUSH, then LPOP and RPOP on the list it built (RPOP finds it emptied by LPOP), then fills a list for the LRANGE tests. Targets: unpipelined ≥ ${TARGETS[1]}× Redis, -P 16 ≥ ${TARGETS[16]}×.`,
      renderMarkdown(t.columns, t.rows),
      LIST_NOTE,
    );
  }

  const q = queueTable(queue);
  const how = `one producer pipelining LPUSH of ${MESSAGE_SIZE}-byte messages (writes of up to ${BATCH}, at most ${WINDOW} sent and not yet delivered) to ${CONSUMERS} consumers looping on BRPOP, ${fmtInt(sizes.messages)} messages after a 5,000-message warm-up; wait = LPUSH sent → BRPOP reply read`;
  text.push(`Queue test (${how})`, q.summary, renderText(q.columns, q.rows));
  md.push(`### Queue test\n\n${how[0].toUpperCase()}${how.slice(1)}. Target: throughput ≥ ${QUEUE_TARGET}× Redis.`, renderMarkdown(q.columns, q.rows), q.summary.replace(/^queue throughput/, 'Result'));

  const memory = [];
  for (const size of [16, MESSAGE_SIZE]) {
    const sluice = await memoryPerElement((o) => startSluice({ ...o, extra: NO_AOF }), sizes.elements, size, log);
    const redis = hasRedis ? await memoryPerElement(startRedis, sizes.elements, size, log) : null;
    memory.push({ size, sluice, redis });
  }
  const m = memoryTable(memory);
  text.push(`Memory per list element (${fmtInt(sizes.elements)} elements in one list)`, renderText(m.columns, m.rows));
  md.push(
    `### Memory per list element\n\n${fmtInt(sizes.elements)} elements pushed into one list of a fresh server (RPUSH of 100 at a time, pipelined); growth of the process's resident set (VmRSS) divided by the number of elements. No target: reported to compare Sluice's deque of JS strings with Redis's quicklist of listpacks.`,
    renderMarkdown(m.columns, m.rows),
  );
  return { text: text.join('\n\n'), markdown: md.join('\n\n') };
}
