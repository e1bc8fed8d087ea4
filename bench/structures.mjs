// The structures section: bitmaps, HyperLogLogs and geo indexes under
// load, unpipelined and -P 16, Sluice against redis-server in one run.
// SETBIT at random offsets of a 2^27-bit bitmap and BITCOUNT of all of it;
// PFADD of 10 elements and PFCOUNT of 3 keys; GEOADD and GEOSEARCH
// BYRADIUS over 1,000,000 points. Both servers are loaded with the same
// data first.
import { encode, firstReplyLine, pipelineLoad } from './lib/resp.mjs';
import { buildRandomLoad, runRandomLoad } from './lib/random-load.mjs';
import { runRedisBenchmark } from './lib/redis-benchmark.mjs';
import { REDIS_BENCHMARK, REDIS_SERVER, withBothServers } from './lib/servers.mjs';
import { fmtInt, renderMarkdown, renderText, throughputColumns, throughputRow } from './lib/table.mjs';

export const id = 'structures';
export const title = 'Bitmaps, HyperLogLogs and geo: throughput';

const SERVER_CPU = 0;
const CLIENT_CPU = 1;
const CLIENTS = 50;
const NO_AOF = ['--appendonly', 'no'];
const ROUNDS = 3;
/** The targets, Sluice/Redis, by pipeline depth; BITCOUNT of the whole bitmap has its own. */
const TARGETS = { 1: 0.9, 16: 0.7 };
const BITCOUNT_TARGET = 0.5;

const BITMAP = 'bench:bitmap';
const BITMAP_BITS = 2 ** 27;
const HLLS = ['bench:hll:0', 'bench:hll:1', 'bench:hll:2'];
const GEO = 'bench:geo';
/** GEOSEARCH's radius: about 63 of the points around a random centre, at their density. */
const RADIUS_M = 500;

const SIZES = {
  full: {
    points: 1_000_000,
    hllElements: 100_000,
    warmup: 5_000,
    requests: {
      setbit: { 1: 60_000, 16: 400_000 },
      bitcount: { 1: 200, 16: 200 },
      pfadd: { 1: 60_000, 16: 300_000 },
      pfcount: { 1: 8_000, 16: 10_000 },
      geoadd: { 1: 60_000, 16: 200_000 },
      geosearch: { 1: 10_000, 16: 15_000 },
    },
  },
  quick: {
    points: 100_000,
    hllElements: 20_000,
    warmup: 1_000,
    requests: {
      setbit: { 1: 10_000, 16: 40_000 },
      bitcount: { 1: 50, 16: 50 },
      pfadd: { 1: 10_000, 16: 40_000 },
      pfcount: { 1: 1_000, 16: 2_000 },
      geoadd: { 1: 10_000, 16: 40_000 },
      geosearch: { 1: 2_000, 16: 4_000 },
    },
  },
};

/**
 * The points lie in the square of longitudes and latitudes [0, 1) degrees.
 * redis-benchmark's __rand_int__ (twelve digits, below -r, a power of ten)
 * followed by e-<that power> is a float in [0, 1): a coordinate inside it.
 */
const randCoord = (rand) => `__rand_int__e-${Math.round(Math.log10(rand))}`;
/** GEOSEARCH's -r: centres on a grid of a millionth of a degree. */
const SEARCH_RAND = 1_000_000;
/** Members as redis-benchmark's `m:__rand_int__` spells them, so GEOADD with -r 1,000,000 moves loaded points. */
const member = (i) => `m:${String(i).padStart(12, '0')}`;

/**
 * Each test: a label, the family probe that tells whether the server has
 * it, and either `argv` (redis-benchmark's command, with `rand` its -r) or
 * `random` (random-load.c's command and bound).
 */
function tests(sizes) {
  return [
    { id: 'setbit', label: 'SETBIT, random offset in 2^27 bits', family: 'bitmap', random: { max: BITMAP_BITS, argv: ['SETBIT', BITMAP, '__rand__', '1'] } },
    { id: 'bitcount', label: 'BITCOUNT, whole 16 MiB bitmap', family: 'bitmap', argv: ['BITCOUNT', BITMAP], targets: { 1: BITCOUNT_TARGET, 16: BITCOUNT_TARGET } },
    { id: 'pfadd', label: 'PFADD, 10 elements', family: 'hll', argv: ['PFADD', HLLS[0], ...Array(10).fill('e:__rand_int__')], rand: 100_000_000 },
    { id: 'pfcount', label: 'PFCOUNT, 3 keys', family: 'hll', argv: ['PFCOUNT', ...HLLS] },
    { id: 'geoadd', label: `GEOADD, 1 of ${fmtInt(sizes.points)} points moved`, family: 'geo', argv: ['GEOADD', GEO, randCoord(sizes.points), randCoord(sizes.points), 'm:__rand_int__'], rand: sizes.points },
    {
      id: 'geosearch', label: `GEOSEARCH BYRADIUS ${RADIUS_M} m ASC`, family: 'geo',
      argv: ['GEOSEARCH', GEO, 'FROMLONLAT', randCoord(SEARCH_RAND), randCoord(SEARCH_RAND), 'BYRADIUS', String(RADIUS_M), 'm', 'ASC'], rand: SEARCH_RAND,
    },
  ];
}

/** A command per family that answers 0 on an empty key where the family exists. */
const PROBES = { bitmap: ['BITCOUNT', 'bench:probe'], hll: ['PFCOUNT', 'bench:probe'], geo: ['GEOADD', 'bench:probe', 'XX', '0', '0', 'm'] };

/** A small seeded generator, so that both servers get the same data. */
function random(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The bitmap (random bytes, 64 KiB a SETRANGE), the three HyperLogLogs and the points, 100 an insert. */
async function load(name, port, sizes, log) {
  const fail = (what, errors) => {
    if (errors !== 0) throw new Error(`${name}: ${errors} commands failed loading ${what}`);
  };
  const CHUNK = 64 * 1024;
  log(`${name}: loading a ${BITMAP_BITS / 8 / 1024 / 1024} MiB bitmap, ${HLLS.length} HyperLogLogs of ${fmtInt(sizes.hllElements)}, ${fmtInt(sizes.points)} points`);
  const bytes = random(1);
  const chunk = Buffer.alloc(CHUNK);
  fail('the bitmap', await pipelineLoad(port, BITMAP_BITS / 8 / CHUNK, (i) => {
    for (let k = 0; k < CHUNK; k += 4) chunk.writeUInt32LE(Math.floor(bytes() * 2 ** 32), k);
    return encode(['SETRANGE', BITMAP, String(i * CHUNK), chunk.toString('latin1')]);
  }, { batch: 16 }));
  const per = 100;
  const hllCommands = sizes.hllElements / per;
  fail('the HyperLogLogs', await pipelineLoad(port, HLLS.length * hllCommands, (i) => {
    const key = HLLS[Math.floor(i / hllCommands)];
    return encode(['PFADD', key, ...Array.from({ length: per }, (_, j) => `${key}:${(i % hllCommands) * per + j}`)]);
  }, { batch: 200 }));
  const coords = random(2);
  fail('the points', await pipelineLoad(port, sizes.points / per, (i) => {
    const argv = ['GEOADD', GEO];
    for (let j = 0; j < per; j++) argv.push(coords().toFixed(6), coords().toFixed(6), member(i * per + j));
    return encode(argv);
  }, { batch: 200 }));
}

function measure(driver, server, test, requests, pipeline) {
  if (test.random !== undefined) return runRandomLoad(driver, server.port, { clients: CLIENTS, requests, pipeline, cpu: CLIENT_CPU, ...test.random });
  const extra = [...(test.rand === undefined ? [] : ['-r', String(test.rand)]), ...test.argv];
  return runRedisBenchmark(server.port, { tests: [test.id], clients: CLIENTS, requests, pipeline, cpu: CLIENT_CPU, extra }).then(([row]) => row?.rps ?? null);
}

/** Seconds since `start`, for the progress log. */
const since = (start) => `${((performance.now() - start) / 1000).toFixed(1)} s`;

export async function run({ quick, log }) {
  const sizes = quick ? SIZES.quick : SIZES.full;
  const hasRedis = REDIS_SERVER !== null;
  if (REDIS_BENCHMARK === null) {
    const note = 'redis-benchmark is not installed (apt-get install redis-tools): not measured.';
    return { text: note, markdown: note };
  }
  const driver = buildRandomLoad();
  const begun = performance.now();
  try {
    return await withBothServers('sluice-bench-structures-', { cpu: SERVER_CPU, sluiceExtra: NO_AOF }, async ({ sluice, redis }) => {
      const all = tests(sizes);
      const families = new Map();
      for (const [family, probe] of Object.entries(PROBES)) families.set(family, (await firstReplyLine(sluice.port, probe)) === ':0');
      const runnable = all.filter((t) => families.get(t.family) && (t.random === undefined || driver !== null));
      const servers = [{ name: 'Sluice', server: sluice }];
      if (redis !== null) servers.push({ name: 'Redis', server: redis });
      for (const s of servers) {
        await load(s.name, s.server.port, sizes, log);
        log(`${s.name}: loaded at ${since(begun)}; warming up`);
        for (const t of runnable) for (const pipeline of [1, 16]) await measure(driver, s.server, t, Math.min(sizes.warmup, sizes.requests[t.id][pipeline]), pipeline);
      }
      const rows = [];
      for (const pipeline of [1, 16]) {
        const best = new Map(servers.map((s) => [s.name, new Map()]));
        for (let round = 0; round < ROUNDS; round++) {
          log(`-P ${pipeline}: round ${round + 1} of ${ROUNDS} at ${since(begun)}`);
          for (const t of runnable) {
            for (const s of round % 2 === 0 ? servers : [...servers].reverse()) {
              const rps = await measure(driver, s.server, t, sizes.requests[t.id][pipeline], pipeline);
              if (rps !== null) best.get(s.name).set(t.id, Math.max(best.get(s.name).get(t.id) ?? 0, rps));
            }
          }
        }
        for (const t of all) {
          rows.push(throughputRow({
            label: t.label, setting: `-P ${pipeline}`, sluice: best.get('Sluice').get(t.id) ?? null, redis: best.get('Redis')?.get(t.id) ?? null,
            implemented: families.get(t.family), hasRedis, target: (t.targets ?? TARGETS)[pipeline],
          }));
        }
      }
      log(`done at ${since(begun)}`);
      return report(sizes, rows, driver !== null);
    });
  } finally {
    driver?.remove();
  }
}

function report(sizes, rows, hasDriver) {
  const columns = throughputColumns({ title: 'pipeline', right: true });
  const n = (id) => `${fmtInt(sizes.requests[id][1])}/${fmtInt(sizes.requests[id][16])}`;
  const what = `-c ${CLIENTS}; -n (at -P 1/-P 16) SETBIT ${n('setbit')}, BITCOUNT ${n('bitcount')}, PFADD ${n('pfadd')}, PFCOUNT ${n('pfcount')}, GEOADD ${n('geoadd')}, GEOSEARCH ${n('geosearch')}; ${ROUNDS} rounds, the servers alternating test by test; each server's best round per test`;
  const inRange = Math.round((sizes.points / (111.2 * 111.2)) * Math.PI * (RADIUS_M / 1000) ** 2);
  const how = [
    `Both servers hold the same data first: a bitmap of 2^27 random bits (16 MiB, SETRANGE 64 KiB at a time), ${HLLS.length} dense HyperLogLogs of ${fmtInt(sizes.hllElements)} elements, and ${fmtInt(sizes.points)} geo points spread evenly over the square of longitudes and latitudes [0°, 1°).`,
    `All tests but SETBIT run under redis-benchmark -q --csv, with -r where a command has a random part: PFADD adds 10 of 100,000,000 elements to one of the HyperLogLogs; GEOADD moves one of the loaded members (\`m:__rand_int__\`, -r ${fmtInt(sizes.points)}) to a random place in the square (\`${randCoord(sizes.points)}\` for each coordinate); GEOSEARCH … FROMLONLAT searches ${RADIUS_M} m around a random place in it (about ${inRange} points in range, nearest first).`,
    `SETBIT 1 at a random offset below 2^27 runs under bench/lib/random-load.c, the same closed loop as redis-benchmark (as many connections, each with as many requests in flight, pinned to the client core): redis-benchmark's __rand_int__ is always twelve zero-padded digits, which SETBIT refuses as an offset, as Redis does.${hasDriver ? '' : ' This run had no C compiler (cc), so no SETBIT figures.'}`,
  ].join(' ');
  const text = `Throughput (${what})\n\n${renderText(columns, rows)}`;
  const markdown = [
    `### Throughput\n\n\`${what}\`, requests per second. Targets: unpipelined ≥ ${TARGETS[1]}× Redis, -P 16 ≥ ${TARGETS[16]}×, BITCOUNT of the whole bitmap ≥ ${BITCOUNT_TARGET}× at either depth.`,
    how,
    renderMarkdown(columns, rows),
  ].join('\n\n');
  return { text, markdown };
}
