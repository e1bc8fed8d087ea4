// npm run bench:ab: an A/B of builds or node flags of Sluice, run as a user
// runs it: the server and its clients unpinned, beside each other. The
// method of docs/design/runtime.md: interleaved rounds, each variant on a
// fresh server, results as ratios to the first variant within a round.
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { runBullmqLoad } from './lib/bullmq-load.mjs';
import { cpuMicros } from './lib/cpu.mjs';
import { runRedisBenchmark } from './lib/redis-benchmark.mjs';
import { freePort, rssBytes, scratchDir, SLUICE_CLI } from './lib/servers.mjs';

const USAGE = `Usage: npm run bench:ab -- [--rounds N] [--out file.jsonl] <name>=<cli.js>[,<node flag>...] <name>=...

  name=cli.js[,flags]  a variant: the sluice-server to run (dist/cli.js of a build; "." for
                       this one's) and node flags to give it, comma-separated; the first is the baseline
  --rounds N           rounds (default 4); each runs every variant once, in an order that rotates
  --out file           also append each run's figures to file, one JSON object a line

Each run: a fresh server (--save "" --appendonly no), then redis-benchmark -c 50: SET and GET at -P 1
and -P 16, SET over 1,000,000 random keys, LPUSH and XADD at -P 16, SET of 16 KB values, then BullMQ
(addBulk of 20,000 jobs, a worker of concurrency 50, 2,000 single adds). Reported per load: the
median and range over the rounds of variant / baseline for the rate, p99, max, the server's CPU time,
and its collections' total and longest pause (--trace-gc, every collection, asked-for ones too).`;

/** The loads of a run, in order: [name, redis-benchmark arguments]; BullMQ follows them. */
const LOADS = [
  ['SET -P 1', { tests: ['set'], requests: 100_000 }],
  ['GET -P 1', { tests: ['get'], requests: 100_000 }],
  ['SET -P 16', { tests: ['set'], requests: 1_000_000, pipeline: 16 }],
  ['GET -P 16', { tests: ['get'], requests: 1_000_000, pipeline: 16 }],
  ['SET new keys -P 16', { tests: ['set'], requests: 1_000_000, pipeline: 16, extra: ['-r', '1000000'] }],
  ['LPUSH -P 16', { tests: ['lpush'], requests: 1_000_000, pipeline: 16 }],
  ['XADD -P 16', { tests: [], requests: 500_000, pipeline: 16, extra: ['XADD', 'stream', '*', 'field', 'value-0123456789'] }],
  ['SET 16 KB -P 1', { tests: ['set'], requests: 100_000, extra: ['-d', '16384', '-r', '10000'] }],
];

function parseArgs(argv) {
  const opts = { rounds: 4, out: null, variants: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--rounds' && i + 1 < argv.length) opts.rounds = Number(argv[++i]);
    else if (a === '--out' && i + 1 < argv.length) opts.out = path.resolve(argv[++i]);
    else if (/^[^-][^=]*=/.test(a)) {
      const [name, spec] = [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)];
      const [cli, ...flags] = spec.split(',');
      opts.variants.push({ name, cli: cli === '.' ? SLUICE_CLI : path.resolve(cli), flags });
    } else {
      console.log(USAGE);
      process.exit(a === '--help' || a === '-h' ? 0 : 2);
    }
  }
  if (opts.variants.length < 2 || !(opts.rounds >= 1)) {
    console.log(USAGE);
    process.exit(2);
  }
  return opts;
}

// "[pid:0x…]   103 ms: Scavenge 12.1 (14.6) -> 11.0 (15.6) MB, 0.85 / 0.00 ms": ms since the isolate started, then the pause.
const GC_LINE = /\s([0-9]+) ms: (?:Scavenge|Mark-Compact|Mark-sweep|Minor Mark-Compact)[^,]*, ([0-9.]+) \/ [0-9.]+ ms/;
const STEPS = /\(\+ ([0-9.]+) ms in [0-9]+ steps? since start of marking, biggest step ([0-9.]+) ms/;

/** Starts the variant's server and resolves once it answers, with its log and a stop(). */
async function startServer(variant, dir) {
  const port = await freePort();
  const args = ['--trace-gc', ...variant.flags, variant.cli, '--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const deadline = Date.now() + 30_000;
  while (!log.includes('Ready to accept')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${variant.name} did not start:\n${log.slice(-2000)}`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  return { port, pid: child.pid, spawnedAt, log: () => log, stop: async () => { child.kill('SIGTERM'); await exited; } };
}

/** One run of every load on a fresh server: { load: { rps, p99, max, cpuMs, gcMs, gcLongestMs } }. */
async function run(variant) {
  const scratch = scratchDir('sluice-ab-');
  const server = await startServer(variant, scratch.dir);
  const figures = {};
  const spans = [];
  try {
    const measure = async (name, load) => {
      const start = performance.now() - server.spawnedAt;
      const cpu = cpuMicros(server.pid);
      figures[name] = await load();
      figures[name].cpuMs = (cpuMicros(server.pid) - cpu) / 1000;
      figures[name].rssMb = rssBytes(server.pid) / 2 ** 20;
      spans.push({ name, start, end: performance.now() - server.spawnedAt });
    };
    for (const [name, options] of LOADS) {
      await measure(name, async () => {
        const [row] = await runRedisBenchmark(server.port, options);
        return { rps: row.rps, p99: row.p99Ms, max: row.maxMs };
      });
    }
    await measure('BullMQ', async () => {
      const t0 = performance.now();
      await runBullmqLoad(server.port, { bulk: 20_000, concurrency: 50, singles: 2_000 });
      return { rps: 24_000_000 / (performance.now() - t0) };
    });
  } finally {
    await server.stop();
    scratch.remove();
  }
  for (const f of Object.values(figures)) Object.assign(f, { gcMs: 0, gcLongestMs: 0 });
  for (const line of server.log().split('\n')) {
    const m = GC_LINE.exec(line);
    const span = m && spans.find((s) => Number(m[1]) >= s.start && Number(m[1]) < s.end);
    if (!span) continue;
    const f = figures[span.name];
    const steps = STEPS.exec(line);
    f.gcMs += Number(m[2]) + (steps ? Number(steps[1]) : 0);
    f.gcLongestMs = Math.max(f.gcLongestMs, Number(m[2]), steps ? Number(steps[2]) : 0);
  }
  return figures;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Per variant and load, variant / baseline of `key` within each round: "median [min-max]". */
function ratios(results, variant, load, key) {
  const rs = results.map((round) => round[variant][load][key] / round[results.base][load][key]).filter(Number.isFinite);
  return rs.length === 0 ? '-' : `${median(rs).toFixed(2)} [${Math.min(...rs).toFixed(2)}-${Math.max(...rs).toFixed(2)}]`;
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  for (const v of opts.variants) if (!existsSync(v.cli)) throw new Error(`${v.cli} is missing: build it first`);
  const rounds = [];
  rounds.base = opts.variants[0].name;
  for (let r = 0; r < opts.rounds; r++) {
    const order = opts.variants.map((_, i) => opts.variants[(i + r) % opts.variants.length]);
    if (r % 2 === 1) order.reverse();
    const round = {};
    for (const v of order) {
      round[v.name] = await run(v);
      const brief = Object.entries(round[v.name]).map(([load, f]) => `${load} ${Math.round(f.rps)}/s`).join(', ');
      console.log(`round ${r + 1}, ${v.name}: ${brief}`);
      if (opts.out !== null) appendFileSync(opts.out, `${JSON.stringify({ round: r, variant: v.name, figures: round[v.name] })}\n`);
    }
    rounds.push(round);
  }
  const loads = Object.keys(rounds[0][rounds.base]);
  for (const v of opts.variants.slice(1)) {
    console.log(`\n${v.name} / ${rounds.base}, median [range] over ${rounds.length} rounds`);
    console.log('| load | rate | p99 | max | CPU | GC time | longest pause |\n|---|---|---|---|---|---|---|');
    for (const load of loads) {
      const cells = ['rps', 'p99', 'max', 'cpuMs', 'gcMs', 'gcLongestMs'].map((k) => ratios(rounds, v.name, load, k));
      console.log(`| ${load} | ${cells.join(' | ')} |`);
    }
  }
}

main().catch((e) => {
  console.error(e.stack ?? e);
  process.exit(1);
});
