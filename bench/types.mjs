// The structure-engine section: redis-benchmark's hash, set and sorted-set
// tests (unpipelined and -P 16), rank and range latency in a sorted set of
// 1,000,000 members, and memory per element of small and large hashes,
// sets, sorted sets and lists; Sluice against redis-server in one run.
import { encode, firstReplyLine, pipelineLoad } from './lib/resp.mjs';
import { percentile, Probe } from './lib/probe.mjs';
import { runRedisBenchmark } from './lib/redis-benchmark.mjs';
import { REDIS_BENCHMARK, REDIS_SERVER, rssAround, startRedis, startSluice, withBothServers, withServer } from './lib/servers.mjs';
import { fmtBytes, fmtInt, fmtRatio, median, pairedRatio, renderMarkdown, renderText, throughputColumns, throughputRow } from './lib/table.mjs';

export const id = 'types';
export const title = 'Hashes, sets and sorted sets: throughput, rank and range latency, memory per element';

const SERVER_CPU = 0;
const CLIENT_CPU = 1;
const CLIENTS = 50;
const NO_AOF = ['--appendonly', 'no'];
const ROUNDS = 5;
/** Minimum Sluice/Redis per pipeline depth; the hash, set and sorted-set writes pipelined are held to issue 66's 0.95×. */
const TARGETS = { 1: 0.9, 16: 0.8 };
const P16_WRITE_TARGET = 0.95;
const targetFor = (testId, pipeline) => (pipeline === 16 && ['hset', 'sadd', 'zadd'].includes(testId) ? P16_WRITE_TARGET : TARGETS[pipeline]);
/** Memory per element may be at most this many times Redis's. */
const MEMORY_TARGET = 1.5;

const SIZES = {
  full: { p1: 200_000, p16: 1_000_000, warmup: 20_000, zsetMembers: 1_000_000, probes: 20_000, large: 1_000_000, smallKeys: 10_000 },
  quick: { p1: 20_000, p16: 100_000, warmup: 5_000, zsetMembers: 100_000, probes: 2_000, large: 100_000, smallKeys: 1_000 },
};

/** redis-benchmark's tests for these types, with the command that tells whether a server has the type. */
const TESTS = [
  { id: 'hset', csv: 'HSET', label: 'HSET', probe: ['HLEN', 'bench:probe'] },
  { id: 'sadd', csv: 'SADD', label: 'SADD', probe: ['SCARD', 'bench:probe'] },
  { id: 'zadd', csv: 'ZADD', label: 'ZADD', probe: ['ZCARD', 'bench:probe'] },
  { id: 'spop', csv: 'SPOP', label: 'SPOP', probe: ['SCARD', 'bench:probe'] },
  { id: 'zpopmin', csv: 'ZPOPMIN', label: 'ZPOPMIN', probe: ['ZCARD', 'bench:probe'] },
  // A lookup deep in a listpack hash whose fields differ only in their middle, as generated names do.
  {
    id: 'hget100', label: 'HGET, the 91st of 100 fields', probe: ['HLEN', 'bench:probe'],
    setup: ['HSET', 'bench:h100', ...Array.from({ length: 100 }, (_, i) => [`field:${String(i).padStart(4, '0')}:x`, `v${i}`]).flat()],
    command: ['HGET', 'bench:h100', 'field:0090:x'],
  },
];

/** One redis-benchmark run of test `t`: a test of its own (-t) or a command given in full; its requests per second. */
async function benchRate(port, t, options) {
  const out = t.command === undefined
    ? await runRedisBenchmark(port, { ...options, tests: [t.id] })
    : await runRedisBenchmark(port, { ...options, tests: [], extra: t.command });
  return (t.command === undefined ? out.find((r) => r.test === t.csv) : out[0])?.rps ?? null;
}

/** Whether `probe` answers 0 rather than an unknown-command error. */
async function has(port, probe) {
  return (await firstReplyLine(port, probe)) === ':0';
}

/** A distinct 16-byte string per index. */
const name16 = (prefix, i) => `${prefix}${String(i).padStart(16 - prefix.length, '0')}`;

/** Per type: the command that adds `n` elements from index `from` to `key`. */
const FILL = {
  hash: (key, from, n) => ['HSET', key, ...Array.from({ length: n }, (_, j) => [name16('f', from + j), name16('v', from + j)]).flat()],
  set: (key, from, n) => ['SADD', key, ...Array.from({ length: n }, (_, j) => name16('m', from + j))],
  zset: (key, from, n) => ['ZADD', key, ...Array.from({ length: n }, (_, j) => [String(from + j), name16('m', from + j)]).flat()],
  list: (key, from, n) => ['RPUSH', key, ...Array.from({ length: n }, (_, j) => name16('e', from + j))],
};
const PROBE = { hash: ['HLEN', 'bench:probe'], set: ['SCARD', 'bench:probe'], zset: ['ZCARD', 'bench:probe'], list: ['LLEN', 'bench:probe'] };

async function throughput(sizes, log) {
  return withBothServers('sluice-bench-types-', { cpu: SERVER_CPU, sluiceExtra: NO_AOF }, async ({ sluice, redis }) => {
    const servers = [{ name: 'Sluice', server: sluice }];
    if (redis !== null) servers.push({ name: 'Redis', server: redis });
    const implemented = new Map();
    for (const t of TESTS) implemented.set(t.id, await has(sluice.port, t.probe));
    const tests = TESTS.filter((t) => implemented.get(t.id));
    const rows = [];
    if (REDIS_BENCHMARK === null || tests.length === 0) return { implemented, rows };
    for (const s of servers) {
      log(`${s.name}: warming up`);
      for (const t of tests) if (t.setup !== undefined) await firstReplyLine(s.server.port, t.setup);
      for (const pipeline of [1, 16]) {
        for (const t of tests) await benchRate(s.server.port, t, { clients: CLIENTS, requests: sizes.warmup, pipeline, cpu: CLIENT_CPU });
      }
    }
    for (const pipeline of [1, 16]) {
      const requests = pipeline === 1 ? sizes.p1 : sizes.p16;
      log(`-P ${pipeline}: ${ROUNDS} rounds, servers alternating, ${requests} requests a test`);
      const runs = { Sluice: new Map(), Redis: new Map() };
      for (let round = 0; round < ROUNDS; round++) {
        for (const t of tests) {
          for (const s of round % 2 === 0 ? servers : [...servers].reverse()) {
            const rps = await benchRate(s.server.port, t, { clients: CLIENTS, requests, pipeline, cpu: CLIENT_CPU });
            const list = runs[s.name].get(t.id) ?? [];
            list[round] = rps;
            runs[s.name].set(t.id, list);
          }
        }
      }
      for (const t of TESTS) {
        const sluiceRuns = runs.Sluice.get(t.id) ?? [];
        const redisRuns = runs.Redis.get(t.id) ?? [];
        const rates = (xs) => median(xs.filter((x) => x != null));
        rows.push({ test: t, pipeline, sluice: rates(sluiceRuns), redis: rates(redisRuns), pairRatio: pairedRatio(sluiceRuns, redisRuns) });
      }
    }
    return { implemented, rows };
  });
}

/** ZADD of `members` into one sorted set, then one client timing ZRANK and ZRANGEBYSCORE … LIMIT calls at random places. */
function rankAndRange(start, sizes, log) {
  return withServer('sluice-bench-zrank-', start, { cpu: SERVER_CPU }, async (server) => {
    if (!(await has(server.port, PROBE.zset))) return null;
    log(`${server.name}: ZADD of ${sizes.zsetMembers} members into one sorted set`);
    const perCommand = 100;
    const errors = await pipelineLoad(server.port, sizes.zsetMembers / perCommand, (i) => encode(FILL.zset('bench:z', i * perCommand, perCommand)), { batch: 200 });
    if (errors !== 0) throw new Error(`${server.name}: ${errors} ZADDs failed`);
    const probe = await Probe.connect(server.port);
    try {
      const pick = () => Math.floor(Math.random() * sizes.zsetMembers);
      const time = async (make) => {
        const out = [];
        for (let i = 0; i < sizes.probes; i++) out.push(await probe.timed(make()));
        return { p50: percentile(out, 50), p99: percentile(out, 99) };
      };
      return {
        zrank: await time(() => ['ZRANK', 'bench:z', name16('m', pick())]),
        zrange: await time(() => ['ZRANGEBYSCORE', 'bench:z', String(pick()), '+inf', 'LIMIT', '0', '10']),
      };
    } finally {
      probe.close();
    }
  });
}

/**
 * INFO used_memory after MEMORY PURGE: for Sluice started with --expose-gc,
 * the V8 heap (and external memory) still live after a full collection; for
 * Redis, what its allocator has handed out.
 */
async function liveBytes(port) {
  const probe = await Probe.connect(port);
  try {
    await probe.call(['MEMORY', 'PURGE']);
    const text = (await probe.call(['INFO', 'memory'])).toString('latin1');
    return Number(/used_memory:(\d+)/.exec(text)[1]);
  } finally {
    probe.close();
  }
}

/**
 * Growth per element when `keys` collections of `perKey` elements each
 * (16-byte elements; hashes have 16-byte values too) are added to a fresh
 * server, 100 elements per command, pipelined: of the resident set, and of
 * the live data (liveBytes).
 */
function memoryPerElement(start, type, keys, perKey, log) {
  return withServer('sluice-bench-typemem-', start, { cpu: SERVER_CPU }, async (server) => {
    if (!(await has(server.port, PROBE[type]))) return { implemented: false };
    const perCommand = Math.min(100, perKey);
    const commandsPerKey = perKey / perCommand;
    const elements = keys * perKey;
    const liveBefore = await liveBytes(server.port);
    const rss = await rssAround(server, async () => {
      log(`${server.name}: ${keys} × ${type} of ${perKey} elements`);
      const make = (i) => encode(FILL[type](`bench:${type}:${Math.floor(i / commandsPerKey)}`, (i % commandsPerKey) * perCommand, perCommand));
      const errors = await pipelineLoad(server.port, keys * commandsPerKey, make, { batch: 200 });
      if (errors !== 0) throw new Error(`${server.name}: ${errors} commands failed filling ${type}`);
    });
    const live = (await liveBytes(server.port)) - liveBefore;
    if (rss === null) return { implemented: true, unavailable: true, livePerElement: live / elements };
    return { implemented: true, ...rss, perElement: (rss.after - rss.before) / elements, livePerElement: live / elements };
  });
}

const fmtMs = (ms) => `${ms.toFixed(3)} ms`;

export async function run({ quick, log }) {
  const sizes = quick ? SIZES.quick : SIZES.full;
  const hasRedis = REDIS_SERVER !== null;
  const text = [];
  const md = [];

  const { implemented, rows } = await throughput(sizes, log);
  if (REDIS_BENCHMARK === null) {
    const note = 'redis-benchmark is not installed (apt-get install redis-tools): throughput not measured.';
    text.push(note);
    md.push(note);
  } else {
    const columns = throughputColumns({ title: 'pipeline', right: true });
    const body = rows.map(({ test, pipeline, sluice, redis, pairRatio }) =>
      throughputRow({ label: test.label, setting: `-P ${pipeline}`, sluice, redis, pairRatio, implemented: implemented.get(test.id), hasRedis, target: targetFor(test.id, pipeline) }),
    );
    const what = `redis-benchmark -t hset,sadd,zadd,spop,zpopmin, and HGET of the 91st field of a 100-field hash whose fields read field:0000:x to field:0099:x, -c ${CLIENTS} -q --csv; -n ${fmtInt(sizes.p1)} at -P 1, ${fmtInt(sizes.p16)} at -P 16; ${ROUNDS} rounds, the servers alternating test by test (who goes first swapping each round); each server's median rate, and Sluice/Redis the median of the rounds' ratios`;
    text.push(`Throughput (${what})`, renderText(columns, body));
    md.push(`### Throughput\n\n\`${what}\`, requests per second. Targets: unpipelined ≥ ${TARGETS[1]}× Redis; -P 16 ≥ ${P16_WRITE_TARGET}× for HSET, SADD and ZADD, ≥ ${TARGETS[16]}× for the pops.`, renderMarkdown(columns, body));
  }

  const latency = { Sluice: await rankAndRange((o) => startSluice({ ...o, extra: NO_AOF }), sizes, log) };
  if (hasRedis) latency.Redis = await rankAndRange(startRedis, sizes, log);
  const lColumns = [{ title: 'command' }, { title: 'Sluice p50', right: true }, { title: 'Sluice p99', right: true }, { title: 'Redis p50', right: true }, { title: 'Redis p99', right: true }];
  const cellOf = (name, cmd, p) => (latency[name] ? fmtMs(latency[name][cmd][p]) : latency[name] === null ? 'not implemented' : '—');
  const lRows = [['ZRANK', 'zrank'], ['ZRANGEBYSCORE … LIMIT 0 10', 'zrange']].map(([label, cmd]) => [
    label, cellOf('Sluice', cmd, 'p50'), cellOf('Sluice', cmd, 'p99'), cellOf('Redis', cmd, 'p50'), cellOf('Redis', cmd, 'p99'),
  ]);
  const lHow = `${fmtInt(sizes.zsetMembers)} members ZADDed into one sorted set (100 a command, pipelined), then ${fmtInt(sizes.probes)} calls of each, one at a time, at random members or scores; latency as the client sees it`;
  text.push(`Rank and range (${lHow})`, renderText(lColumns, lRows));
  md.push(`### Rank and range in a sorted set of ${fmtInt(sizes.zsetMembers)}\n\n${lHow[0].toUpperCase()}${lHow.slice(1)}.`, renderMarkdown(lColumns, lRows));

  const mRows = [];
  const lRowsLive = [];
  for (const type of ['hash', 'set', 'zset', 'list']) {
    for (const [shape, keys, perKey] of [['small', sizes.smallKeys, 100], ['large', 1, sizes.large]]) {
      const s = await memoryPerElement((o) => startSluice({ ...o, extra: NO_AOF, nodeFlags: ['--expose-gc'] }), type, keys, perKey, log);
      const r = hasRedis ? await memoryPerElement(startRedis, type, keys, perKey, log) : null;
      const cell = (m) => (m === null ? 'not installed' : !m.implemented ? 'not implemented' : m.unavailable ? 'no /proc' : fmtInt(m.perElement));
      const ratio = s.perElement !== undefined && r?.perElement !== undefined ? s.perElement / r.perElement : null;
      const verdict = ratio === null ? '—' : ratio <= MEMORY_TARGET ? 'met' : 'above';
      const growth = (m) => (m?.perElement === undefined ? '—' : fmtBytes(m.after - m.before));
      const shapeCell = shape === 'small' ? `${fmtInt(keys)} × 100` : `1 × ${fmtInt(perKey)}`;
      mRows.push([type, shapeCell, cell(s), cell(r), ratio === null ? '—' : fmtRatio(ratio), `≤ ${MEMORY_TARGET}×`, verdict, growth(s), growth(r)]);
      const liveCell = (m) => (m === null ? 'not installed' : !m.implemented ? 'not implemented' : fmtInt(m.livePerElement));
      const liveRatio = s.livePerElement !== undefined && r?.livePerElement !== undefined ? s.livePerElement / r.livePerElement : null;
      const liveVerdict = liveRatio === null ? '—' : liveRatio <= MEMORY_TARGET ? 'met' : 'above';
      lRowsLive.push([type, shapeCell, liveCell(s), liveCell(r), liveRatio === null ? '—' : fmtRatio(liveRatio), `≤ ${MEMORY_TARGET}×`, liveVerdict]);
    }
  }
  const mColumns = [
    { title: 'type' }, { title: 'keys × elements' }, { title: 'Sluice bytes/element', right: true }, { title: 'Redis bytes/element', right: true },
    { title: 'Sluice/Redis', right: true }, { title: 'target', right: true }, { title: 'verdict' }, { title: 'Sluice RSS growth', right: true }, { title: 'Redis RSS growth', right: true },
  ];
  const mHow = 'elements of 16 bytes (hash fields with 16-byte values, sorted-set members with integer scores), 100 a command, pipelined, into a fresh server; growth of the resident set (VmRSS) divided by the number of elements';
  text.push(`Memory per element (${mHow})`, renderText(mColumns, mRows));
  md.push(`### Memory per element\n\n${mHow[0].toUpperCase()}${mHow.slice(1)}. Target: at most ${MEMORY_TARGET}× Redis for every type and size.`, renderMarkdown(mColumns, mRows));
  const lvColumns = mColumns.slice(0, 7);
  const lvHow = 'the same loads, measured by INFO used_memory after MEMORY PURGE before and after each: for Sluice (started with --expose-gc, so that MEMORY PURGE runs a full collection) the heap and external memory still live, without the garbage and the room V8 keeps for its young generation and growth that the resident set includes; for Redis what its allocator has handed out';
  text.push(`Live data per element (${lvHow})`, renderText(lvColumns, lRowsLive));
  md.push(`### Live data per element\n\n${lvHow[0].toUpperCase()}${lvHow.slice(1)}.`, renderMarkdown(lvColumns, lRowsLive));
  return { text: text.join('\n\n'), markdown: md.join('\n\n') };
}
