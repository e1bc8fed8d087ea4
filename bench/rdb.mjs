// The RDB section: SAVE and loading of 1,000,000 keys of mixed types, and
// GET/SET latency from 50 clients while BGSAVE runs (Redis forks and pays
// copy-on-write; Sluice writes in slices between requests). Sluice against
// redis-server in the same run, each on its own file.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { percentile, Probe } from './lib/probe.mjs';
import { MIXED_KEYS, mixedKeyCommand } from './lib/key-load.mjs';
import { firstReplyLine, pipelineLoad } from './lib/resp.mjs';
import { runRedisBenchmark } from './lib/redis-benchmark.mjs';
import { REDIS_BENCHMARK, REDIS_SERVER, scratchDir, startRedis, startSluice } from './lib/servers.mjs';
import { fmtInt, fmtRatio, renderMarkdown, renderText } from './lib/table.mjs';

export const id = 'rdb';
export const title = 'RDB snapshots: SAVE, loading, and latency during BGSAVE';

const SERVER_CPU = 0;
const CLIENT_CPU = 1;
const CLIENTS = 50;

const SIZES = {
  full: { keys: 1_000_000, requests: 400_000 },
  quick: { keys: 100_000, requests: 50_000 },
};

/** Save and load at ≥ 0.5× Redis's speed; p99 during BGSAVE ≤ 2× Redis's. */
const TARGETS = { speed: 0.5, p99: 2 };

async function populate(port, keys) {
  const errors = await pipelineLoad(port, keys, mixedKeyCommand, { batch: 5000 });
  if (errors !== 0) throw new Error(`${errors} errors while populating`);
}

/** Seconds the server logs for loading its dump.rdb (both print Redis's line). */
function loggedLoadSeconds(text) {
  const all = [...text.matchAll(/DB loaded from disk: ([\d.]+) seconds/g)];
  return all.length === 0 ? null : Number(all[all.length - 1][1]);
}

async function waitForBgsave(probe) {
  for (;;) {
    const info = (await probe.call(['INFO', 'persistence'])).toString('latin1');
    if (/rdb_bgsave_in_progress:0/.test(info)) return /rdb_last_bgsave_status:ok/.test(info);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * GET/SET from 50 clients (redis-benchmark) while BGSAVE runs back to back:
 * the next one starts as soon as the last one ends, so the whole run is
 * under a snapshot. Resolves to the p99 of each test and the saves made.
 */
async function latencyDuringBgsave(port, requests) {
  const control = await Probe.connect(port);
  try {
    let running = true;
    let saves = 0;
    const saver = (async () => {
      while (running) {
        const r = (await control.call(['BGSAVE'])).toString('latin1');
        if (!r.startsWith('+')) throw new Error(`BGSAVE: ${r.trim()}`);
        if (!(await waitForBgsave(control))) throw new Error('BGSAVE failed');
        saves++;
      }
    })();
    const rows = await runRedisBenchmark(port, {
      tests: ['set', 'get'], clients: CLIENTS, requests, cpu: CLIENT_CPU, extra: ['-r', '1000000'],
    }).finally(() => (running = false));
    await saver;
    const p99 = Object.fromEntries(rows.map((r) => [r.test.toLowerCase(), r.p99Ms]));
    return { p99, saves };
  } finally {
    control.close();
  }
}

/** Loads of each server's own file, the servers alternating: the median is reported (one load read anywhere from 0.7 to 1.4 s for Redis on this machine). */
const LOAD_ROUNDS = 3;

/** One server in its own directory: populate, then SAVE (timed); the directory is kept for the loads. */
async function populateAndSave(name, start, sizes, log) {
  const scratch = scratchDir(`sluice-bench-rdb-${name}-`);
  let server = null;
  try {
    server = await start({ dir: scratch.dir, cpu: SERVER_CPU });
    log(`${name}: ${fmtInt(sizes.keys)} keys`);
    await populate(server.port, sizes.keys);
    const probe = await Probe.connect(server.port);
    try {
      const t0 = performance.now();
      const r = (await probe.call(['SAVE'])).toString('latin1');
      const saveSecs = (performance.now() - t0) / 1000;
      if (!r.startsWith('+OK')) throw new Error(`SAVE: ${r.trim()}`);
      return { scratch, saveSecs };
    } finally {
      probe.close();
    }
  } catch (e) {
    scratch.remove();
    throw e;
  } finally {
    await server?.stop();
  }
}

/** Starts a server on the dump.rdb in `dir`; resolves, once it answers and holds every key, to the server and the load time its log gives. */
async function loadOnce(name, start, dir, keys) {
  const server = await start({ dir, cpu: SERVER_CPU });
  try {
    // Redis listens while it loads (answering -LOADING); both are ready once PING answers.
    for (let i = 0; i < 12_000 && (await firstReplyLine(server.port, ['PING'])) !== '+PONG'; i++) await new Promise((r) => setTimeout(r, 10));
    const size = await firstReplyLine(server.port, ['DBSIZE']);
    if (size !== `:${keys}`) throw new Error(`${name}: DBSIZE answered ${size} after loading, expected ${keys}`);
    const logFile = path.join(dir, `${server.name}.log`);
    // Each start appends to the same log: the last load logged is this one's.
    const loadSecs = existsSync(logFile) ? loggedLoadSeconds(readFileSync(logFile, 'utf8')) : null;
    return { server, loadSecs };
  } catch (e) {
    await server.stop();
    throw e;
  }
}

/**
 * Every server populated and saved, then LOAD_ROUNDS loads of each, the
 * servers alternating, and GET/SET under BGSAVE on each server's last load.
 */
async function measureAll(servers, sizes, log) {
  const results = {};
  try {
    for (const [name, start] of servers) results[name] = { ...(await populateAndSave(name, start, sizes, log)), loads: [], during: null };
    for (let round = 0; round < LOAD_ROUNDS; round++) {
      for (const [name, start] of servers) {
        log(`${name}: loading (${round + 1} of ${LOAD_ROUNDS})`);
        const res = results[name];
        const { server, loadSecs } = await loadOnce(name, start, res.scratch.dir, sizes.keys);
        try {
          res.loads.push(loadSecs);
          if (round === LOAD_ROUNDS - 1 && REDIS_BENCHMARK !== null) {
            log(`${name}: GET/SET during BGSAVE`);
            res.during = await latencyDuringBgsave(server.port, sizes.requests);
          }
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    for (const res of Object.values(results)) res.scratch.remove();
  }
  for (const res of Object.values(results)) res.loadSecs = res.loads.includes(null) ? null : percentile(res.loads, 50);
  return results;
}

const fmtSecs = (s) => (s === null || s === undefined ? '—' : `${s.toFixed(3)} s`);
const fmtMs = (ms) => (ms === undefined || ms === null ? '—' : `${ms.toFixed(3)} ms`);
const verdict = (ok) => (ok ? 'met' : 'below');

export async function run({ quick, log }) {
  const sizes = quick ? SIZES.quick : SIZES.full;
  const servers = [['sluice', startSluice]];
  if (REDIS_SERVER !== null) servers.push(['redis', startRedis]);
  const results = await measureAll(servers, sizes, log);
  const sluice = results.sluice;
  const redis = results.redis ?? null;
  const columns = [{ title: 'measure' }, { title: 'Sluice', right: true }, { title: 'Redis', right: true }, { title: 'Sluice/Redis', right: true }, { title: 'target' }];
  const speedRow = (label, s, r) => {
    const ratio = s !== null && r !== null ? r / s : null;
    return [label, fmtSecs(s), fmtSecs(r), ratio === null ? '—' : `${fmtRatio(ratio)} speed`, ratio === null ? '—' : `≥ ${TARGETS.speed}× ${verdict(ratio >= TARGETS.speed)}`];
  };
  const rows = [
    speedRow('SAVE', sluice.saveSecs, redis?.saveSecs ?? null),
    speedRow(`load at start (logged, median of ${LOAD_ROUNDS})`, sluice.loadSecs, redis?.loadSecs ?? null),
  ];
  for (const test of ['set', 'get']) {
    const s = sluice.during?.p99[test];
    const r = redis?.during?.p99[test];
    const ratio = s !== undefined && r !== undefined ? s / r : null;
    rows.push([`${test.toUpperCase()} p99 during BGSAVE`, fmtMs(s), fmtMs(r), ratio === null ? '—' : fmtRatio(ratio), ratio === null ? '—' : `≤ ${TARGETS.p99}× ${verdict(ratio <= TARGETS.p99)}`]);
  }
  const saves = `BGSAVEs during the latency run: Sluice ${sluice.during?.saves ?? '—'}, Redis ${redis?.during?.saves ?? '—'}`;
  const what = `${fmtInt(sizes.keys)} keys (${MIXED_KEYS}); redis-benchmark -c ${CLIENTS} -t set,get -r 1000000 -n ${fmtInt(sizes.requests)} with BGSAVE run back to back`;
  return {
    text: [`RDB (${what})`, renderText(columns, rows), saves].join('\n\n'),
    markdown: [
      `\`${what}\`. SAVE is timed by the client; loading is the time each server logs for its own dump.rdb at start ("DB loaded from disk"), the median of ${LOAD_ROUNDS} starts with the servers alternating (${results.sluice.loads.map((x) => fmtSecs(x)).join(', ')} for Sluice${redis ? `; ${redis.loads.map((x) => fmtSecs(x)).join(', ')} for Redis` : ''}); p99 latency of GET and SET while one BGSAVE after another runs (Redis: fork and copy-on-write in a child; Sluice: the walk in slices of about a millisecond in the event loop). Targets: save and load ≥ ${TARGETS.speed}× Redis's speed, p99 during BGSAVE ≤ ${TARGETS.p99}× Redis's.`,
      renderMarkdown(columns, rows),
      saves + '.',
    ].join('\n\n'),
  };
}
