// The persistence section: SET and LPUSH throughput with the AOF on
// (appendfsync always and everysec), and the time to load an AOF of
// 1,000,000 commands at start, Sluice against redis-server in the same run.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { firstReplyLine } from './lib/resp.mjs';
import { rpsByTest, runRedisBenchmark } from './lib/redis-benchmark.mjs';
import { REDIS_BENCHMARK, REDIS_SERVER, scratchDir, startRedis, startSluice, withServer } from './lib/servers.mjs';
import { fmtInt, fmtRatio, renderMarkdown, renderText, throughputColumns, throughputRow } from './lib/table.mjs';

export const id = 'persistence';
export const title = 'Persistence (AOF): appendfsync always / everysec, and loading';

const SERVER_CPU = 0;
const CLIENT_CPU = 1;
const CLIENTS = 50;
/** Each server is measured this many times, alternating with the other; the best run counts (the machine is shared). */
const ROUNDS = 3;

const SIZES = {
  full: { always: 50_000, everysec: 200_000, off: 200_000, warmup: 10_000, load: 1_000_000 },
  quick: { always: 10_000, everysec: 30_000, off: 30_000, warmup: 3_000, load: 100_000 },
};

const TESTS = [
  { id: 'set', label: 'SET', request: ['SET', 'probe', 'x'], ok: (r) => r === '+OK' },
  { id: 'lpush', label: 'LPUSH', request: ['LPUSH', 'probe:list', 'x'], ok: (r) => r.startsWith(':') },
];

/** Minimum Sluice/Redis ratio: throughput per policy, and loading speed. `off` is the reference without an AOF. */
const TARGETS = { always: 1.0, everysec: 0.9, load: 0.5 };
const POLICIES = ['always', 'everysec', 'off'];

const aofArgs = (policy) => (policy === 'off' ? ['--appendonly', 'no'] : ['--appendonly', 'yes', '--appendfsync', policy]);
const REDIS_AOF = ['--aof-use-rdb-preamble', 'no'];

/** One server, freshly started with the policy, through the tests it implements. */
function measure(start, policy, tests, requests, warmup) {
  return withServer('sluice-bench-aof-', start, { cpu: SERVER_CPU, policy }, async (server) => {
    const bench = (n) => runRedisBenchmark(server.port, { tests, clients: CLIENTS, requests: n, pipeline: 1, cpu: CLIENT_CPU });
    await bench(warmup);
    return rpsByTest(await bench(requests));
  });
}

const sluiceWith = ({ dir, cpu, policy }) => startSluice({ dir, cpu, extra: aofArgs(policy) });
const redisWith = ({ dir, cpu, policy }) => startRedis({ dir, cpu, extra: [...aofArgs(policy), ...REDIS_AOF] });

/** The tests Sluice answers correctly (a probe server without persistence). */
function workingTests() {
  return withServer('sluice-bench-aof-probe-', startSluice, { cpu: SERVER_CPU }, async (server) => {
    const ok = new Set();
    for (const t of TESTS) if (t.ok(await firstReplyLine(server.port, t.request))) ok.add(t.id);
    return ok;
  });
}

async function throughput(sizes, hasRedis, working, log) {
  const results = [];
  for (const policy of POLICIES) {
    const requests = sizes[policy];
    const best = { sluice: new Map(), redis: new Map() };
    const keepBest = (into, got) => {
      for (const [k, v] of got) into.set(k, Math.max(into.get(k) ?? 0, v));
    };
    const sluiceTests = TESTS.filter((t) => working.has(t.id)).map((t) => t.id);
    const runSluice = async (round) => {
      if (sluiceTests.length === 0) return;
      log(`${label(policy)}, round ${round}: Sluice, ${fmtInt(requests)} requests a test`);
      keepBest(best.sluice, await measure(sluiceWith, policy, sluiceTests, requests, sizes.warmup));
    };
    const runRedis = async (round) => {
      if (!hasRedis) return;
      log(`${label(policy)}, round ${round}: Redis, ${fmtInt(requests)} requests a test`);
      keepBest(best.redis, await measure(redisWith, policy, TESTS.map((t) => t.id), requests, sizes.warmup));
    };
    // Who goes first alternates from round to round, so a drifting machine favours neither.
    for (let round = 1; round <= ROUNDS; round++) {
      if (round % 2 === 1) {
        await runSluice(round);
        await runRedis(round);
      } else {
        await runRedis(round);
        await runSluice(round);
      }
    }
    for (const t of TESTS) {
      results.push({ test: t, policy, sluice: best.sluice.get(t.id) ?? null, redis: best.redis.get(t.id) ?? null, implemented: working.has(t.id) });
    }
  }
  return results;
}

/** Why `always` can fall short of its target, as measured when the fsync moved into the turn (kept with the figures). */
const ALWAYS_NOTE = `Why \`always\` can fall below its target: every reply waits for an fdatasync that covers it, and both servers now work alike: at the end of each event-loop turn the turn's effects are written and fdatasynced while the loop waits, then the turn's replies go out (src/persistence/fsync.ts; Sluice first reads once more, so that requests that arrived meanwhile share the fsync). On the machine these figures come from, an fdatasync costs CPU besides its wait (about 220 µs of kernel time each), so the cycle is bound by the server's core, and Sluice spends more of it per unpipelined request than Redis does (user time about 6.6 µs against 3.4 µs a request at -P 1 without an AOF, from /proc): the cycle is longer by that much for every request in it. The pipelined group commit Sluice used before, an fdatasync in the thread pool while the loop served on, measured slower (0.65-0.84× of Redis against 0.85-0.95× in alternating runs). \`everysec\` has no fsync wait: compare its rows with the no-AOF reference rows of the same run to see what writing the AOF itself costs each server.`;

const label = (policy) => (policy === 'off' ? 'no AOF (reference)' : `appendfsync ${policy}`);

function throughputTable(results, hasRedis) {
  const columns = throughputColumns({ title: 'persistence' });
  const rows = results.map(({ test, policy, sluice, redis, implemented }) =>
    throughputRow({ label: test.label, setting: label(policy), sluice, redis, implemented, hasRedis, target: TARGETS[policy] }),
  );
  return { columns, rows };
}

/**
 * An appendonlydir holding `count` commands in one incremental file: SETs
 * of distinct keys, INCRs, and (when lists work) RPUSHes to a thousand lists.
 */
function writeAof(dir, count, lists) {
  const aofDir = path.join(dir, 'appendonlydir');
  mkdirSync(aofDir, { recursive: true });
  writeFileSync(path.join(aofDir, 'appendonly.aof.manifest'), 'file appendonly.aof.1.base.aof seq 1 type b\nfile appendonly.aof.1.incr.aof seq 1 type i\n');
  writeFileSync(path.join(aofDir, 'appendonly.aof.1.base.aof'), '');
  const cmd = (...args) => `*${args.length}\r\n${args.map((a) => `$${a.length}\r\n${a}\r\n`).join('')}`;
  const parts = [cmd('SELECT', '0')];
  let keys = 0;
  for (let i = 0; i < count - 1; i++) {
    const kind = i % 10;
    const n = Math.floor(i / 10);
    if (kind === 8) {
      parts.push(cmd('INCR', `counter:${n % 5000}`));
    } else if (kind === 9 && lists) {
      parts.push(cmd('RPUSH', `list:${n % 1000}`, `item:${i}`));
    } else {
      parts.push(cmd('SET', `key:${i}`, `value:${i}`));
      keys++;
    }
  }
  writeFileSync(path.join(aofDir, 'appendonly.aof.1.incr.aof'), parts.join(''));
  return keys + 5000 + (lists ? 1000 : 0);
}

/** Seconds from the server's own log line, as both servers print it. */
function loggedLoadSeconds(logText) {
  const m = /DB loaded from append only file: ([\d.]+) seconds/.exec(logText);
  return m === null ? null : Number(m[1]);
}

async function loadTime(start, name, source, expectKeys, log) {
  const scratch = scratchDir('sluice-bench-load-');
  let server = null;
  try {
    const aof = path.join(scratch.dir, 'appendonlydir');
    mkdirSync(aof);
    for (const f of ['appendonly.aof.manifest', 'appendonly.aof.1.base.aof', 'appendonly.aof.1.incr.aof']) {
      writeFileSync(path.join(aof, f), readFileSync(path.join(source, 'appendonlydir', f)));
    }
    log(`${name}: loading`);
    const t0 = performance.now();
    server = await start({ dir: scratch.dir, cpu: SERVER_CPU, policy: 'everysec' });
    const logFile = path.join(scratch.dir, `${server.name}.log`);
    for (let i = 0; i < 12_000; i++) {
      if ((await firstReplyLine(server.port, ['PING'])) === '+PONG') break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const wall = (performance.now() - t0) / 1000;
    const size = await firstReplyLine(server.port, ['DBSIZE']);
    if (size !== `:${expectKeys}`) throw new Error(`${name}: DBSIZE answered ${size} after loading, expected ${expectKeys}`);
    const logged = existsSync(logFile) ? loggedLoadSeconds(readFileSync(logFile, 'utf8')) : null;
    return { wall, logged };
  } finally {
    await server?.stop();
    scratch.remove();
  }
}

export async function run({ quick, log }) {
  const sizes = quick ? SIZES.quick : SIZES.full;
  const hasRedis = REDIS_SERVER !== null;
  const parts = { text: [], md: [] };
  const working = await workingTests();

  if (REDIS_BENCHMARK === null) {
    const note = 'redis-benchmark is not installed (apt-get install redis-tools): AOF throughput not measured.';
    parts.text.push(note);
    parts.md.push(note);
  } else {
    const results = await throughput(sizes, hasRedis, working, log);
    const t = throughputTable(results, hasRedis);
    const what = `redis-benchmark -c ${CLIENTS} -P 1 -t set,lpush; ${fmtInt(sizes.always)} requests a test under always, ${fmtInt(sizes.everysec)} otherwise; best of ${ROUNDS} alternating runs per server`;
    parts.text.push(`AOF throughput (${what})`, renderText(t.columns, t.rows));
    parts.md.push(
      `### Throughput with the AOF on\n\n\`${what}\`, requests per second. Both servers write a fresh AOF in a scratch directory on the same disk (Redis with \`aof-use-rdb-preamble no\`). Targets: \`always\` ≥ ${TARGETS.always}× Redis, \`everysec\` ≥ ${TARGETS.everysec}× Redis; the rows without an AOF are the reference for what the AOF itself costs each server.`,
      renderMarkdown(t.columns, t.rows),
    );
    if (results.some((r) => r.policy === 'always' && r.sluice !== null && r.redis !== null && r.sluice / r.redis < TARGETS.always)) {
      parts.md.push(ALWAYS_NOTE);
    }
  }

  const source = scratchDir('sluice-bench-aof-src-');
  try {
    const keys = writeAof(source.dir, sizes.load, working.has('lpush'));
    const sluice = await loadTime(sluiceWith, 'Sluice', source.dir, keys, log);
    const redis = hasRedis ? await loadTime(redisWith, 'Redis', source.dir, keys, log) : null;
    const columns = [
      { title: 'server' },
      { title: 'load time (log)', right: true },
      { title: 'start to first PONG', right: true },
      { title: 'commands/s', right: true },
    ];
    const row = (name, m) => {
      if (m === null) return [name, '—', '—', 'not installed'];
      const secs = m.logged ?? m.wall;
      return [name, m.logged === null ? '—' : `${m.logged.toFixed(3)} s`, `${m.wall.toFixed(3)} s`, fmtInt(sizes.load / secs)];
    };
    const rows = [row('Sluice', sluice), row('Redis', redis)];
    let summary = `loading ${fmtInt(sizes.load)} commands: `;
    if (redis !== null) {
      const ratio = (redis.logged ?? redis.wall) / (sluice.logged ?? sluice.wall);
      summary += `Sluice/Redis speed ${fmtRatio(ratio)}, target ≥ ${TARGETS.load}× — ${ratio >= TARGETS.load ? 'met' : 'below'}`;
    } else {
      summary += 'no ratio (redis-server is not installed)';
    }
    parts.text.push(summary, renderText(columns, rows));
    parts.md.push(
      `### Loading an AOF of ${fmtInt(sizes.load)} commands\n\nOne incremental file (${working.has('lpush') ? '80% SET of distinct keys, 10% INCR, 10% RPUSH to a thousand lists' : '90% SET of distinct keys, 10% INCR'}), loaded at start; the time each server logs ("DB loaded from append only file"), and the time from starting the process to the first PONG. Target: Sluice loads at ≥ ${TARGETS.load}× Redis's speed.`,
      renderMarkdown(columns, rows),
      summary.replace(/^loading/, 'Result: loading'),
    );
  } finally {
    source.remove();
  }
  return { text: parts.text.join('\n\n'), markdown: parts.md.join('\n\n') };
}
