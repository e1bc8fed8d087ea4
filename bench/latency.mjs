// The latency section: what big-value work costs the clients around it.
// SETRANGE and APPEND on a 64 MB string (each call's time, and GET's from
// other clients meanwhile), and single writes while BGREWRITEAOF rewrites a
// list of 3,000,000 elements. Sluice against redis-server in the same run.
import { encode, pipelineLoad } from './lib/resp.mjs';
import { percentile, Probe } from './lib/probe.mjs';
import { REDIS_SERVER, startRedis, startSluice, withServer } from './lib/servers.mjs';
import { renderMarkdown, renderText } from './lib/table.mjs';

export const id = 'latency';
export const title = 'Latency around big values: 64 MB strings, a rewrite of a 3,000,000-element list';

const SERVER_CPU = 0;
const BIG = 64 * 1024 * 1024;

const SIZES = {
  full: { calls: 200, listLength: 3_000_000, baselineMs: 1000 },
  quick: { calls: 30, listLength: 300_000, baselineMs: 300 },
};

/** What a write may gain during a rewrite. */
const TARGETS = { rewriteAddedMs: 2 };

const fmtMs = (ms) => (Number.isFinite(ms) ? `${ms.toFixed(2)} ms` : '—');

/** Runs `probe.timed(make())` back to back until `stop()` says so; resolves to the latencies. */
async function loop(probe, make, stop) {
  const out = [];
  while (!stop()) out.push(await probe.timed(make()));
  return out;
}

/** SETRANGE or APPEND `calls` times on a 64 MB value while another client GETs a small key. */
async function bigStringWork(port, command, calls) {
  const setup = await Probe.connect(port);
  const worker = await Probe.connect(port);
  const reader = await Probe.connect(port);
  try {
    await setup.call(['SET', 'small', 'v']);
    await setup.call(encode(['SET', 'big', 'x'.repeat(BIG)]));
    let done = false;
    const gets = loop(reader, () => ['GET', 'small'], () => done);
    const times = [];
    for (let i = 0; i < calls; i++) {
      const args = command === 'SETRANGE' ? ['SETRANGE', 'big', String(Math.floor(Math.random() * (BIG - 8))), 'abcdefgh'] : ['APPEND', 'big', 'abcdefgh'];
      times.push(await worker.timed(args));
    }
    done = true;
    const getTimes = await gets;
    return { mean: times.reduce((a, b) => a + b, 0) / times.length, p99: percentile(times, 99), getP99: percentile(getTimes, 99) };
  } finally {
    setup.close();
    worker.close();
    reader.close();
  }
}

/** LPUSH latency to a big list before and during BGREWRITEAOF, and GET latency from another client during it. */
async function writesDuringRewrite(port, listLength, baselineMs) {
  const perCommand = 1000;
  const element = 'e'.repeat(16);
  const push = encode(['RPUSH', 'biglist', ...Array(perCommand).fill(element)]);
  const errors = await pipelineLoad(port, Math.ceil(listLength / perCommand), () => push, { batch: 50 });
  if (errors !== 0) throw new Error(`${errors} RPUSH errors while loading the list`);
  const writer = await Probe.connect(port);
  const reader = await Probe.connect(port);
  const control = await Probe.connect(port);
  try {
    const until = performance.now() + baselineMs;
    const baseline = await loop(writer, () => ['LPUSH', 'biglist', 'x'], () => performance.now() > until);
    // Wait for the first write after the rewrite starts, so that every write measured ran during it.
    const started = await control.call(['BGREWRITEAOF']);
    if (started[0] === 0x2d) throw new Error(`BGREWRITEAOF: ${started.toString('latin1').trim()}`);
    let rewriting = true;
    const watch = (async () => {
      while (rewriting) {
        await new Promise((r) => setTimeout(r, 20));
        const info = (await control.call(['INFO', 'persistence'])).toString('latin1');
        rewriting = /aof_rewrite_in_progress:1/.test(info) || /aof_rewrite_scheduled:1/.test(info);
      }
    })();
    const [writes, gets] = await Promise.all([
      loop(writer, () => ['LPUSH', 'biglist', 'x'], () => !rewriting),
      loop(reader, () => ['GET', 'small'], () => !rewriting),
      watch,
    ]);
    return {
      baselineP50: percentile(baseline, 50),
      baselineMax: Math.max(...baseline),
      writeP99: percentile(writes, 99),
      writeMax: writes.length === 0 ? NaN : Math.max(...writes),
      writes: writes.length,
      getP99: percentile(gets, 99),
    };
  } finally {
    writer.close();
    reader.close();
    control.close();
  }
}

// No automatic rewrite: loading the list would start one, in the middle of the writes measured before BGREWRITEAOF.
const aofOn = ['--appendonly', 'yes', '--appendfsync', 'everysec', '--auto-aof-rewrite-percentage', '0'];
const sluiceAof = ({ dir, cpu }) => startSluice({ dir, cpu, extra: aofOn });
const redisAof = ({ dir, cpu }) => startRedis({ dir, cpu, extra: [...aofOn, '--aof-use-rdb-preamble', 'no'] });

export async function run({ quick, log }) {
  const sizes = quick ? SIZES.quick : SIZES.full;
  const servers = [['Sluice', startSluice, sluiceAof]];
  if (REDIS_SERVER !== null) servers.push(['Redis', startRedis, redisAof]);
  const strings = {};
  const rewrite = {};
  for (const [name, plain, withAof] of servers) {
    strings[name] = {};
    for (const command of ['SETRANGE', 'APPEND']) {
      log(`${name}: ${sizes.calls} × ${command} on a 64 MB value`);
      strings[name][command] = await withServer('sluice-bench-latency-', plain, { cpu: SERVER_CPU }, (s) => bigStringWork(s.port, command, sizes.calls));
    }
    log(`${name}: writes during a rewrite of a ${sizes.listLength.toLocaleString('en-US')}-element list`);
    rewrite[name] = await withServer('sluice-bench-latency-', withAof, { cpu: SERVER_CPU }, (s) => writesDuringRewrite(s.port, sizes.listLength, sizes.baselineMs));
  }

  // Each call's own cost is the strings section's; here, what the calls cost the other clients.
  const stringColumns = [
    { title: 'one client runs, on 64 MB' }, { title: 'Sluice GET p99', right: true }, { title: 'Redis GET p99', right: true },
    { title: 'Sluice per call', right: true }, { title: 'Redis per call', right: true },
  ];
  const stringRows = ['SETRANGE', 'APPEND'].map((command) => {
    const s = strings.Sluice[command];
    const r = strings.Redis?.[command];
    return [command, fmtMs(s.getP99), r ? fmtMs(r.getP99) : '—', fmtMs(s.mean), r ? fmtMs(r.mean) : '—'];
  });
  const rewriteColumns = [
    { title: 'server' }, { title: 'LPUSH p50 before', right: true }, { title: 'LPUSH max before', right: true }, { title: 'LPUSH p99 during', right: true },
    { title: 'LPUSH max during', right: true }, { title: 'writes during', right: true }, { title: 'GET p99 during', right: true },
    { title: 'added (max − p50 before)', right: true },
  ];
  const rewriteRows = Object.entries(rewrite).map(([name, x]) => {
    const added = x.writeMax - x.baselineP50;
    const verdict = name === 'Sluice' ? ` (${added <= TARGETS.rewriteAddedMs ? 'met' : 'above'} ≤ ${TARGETS.rewriteAddedMs} ms)` : '';
    return [name, fmtMs(x.baselineP50), fmtMs(x.baselineMax), fmtMs(x.writeP99), fmtMs(x.writeMax), String(x.writes), fmtMs(x.getP99), `${fmtMs(added)}${verdict}`];
  });
  const note = 'Latencies are measured by clients on the other core; the servers run pinned to core 0. GET p99 is over the GETs another client sent while the SETRANGE or APPEND calls ran. "Added" is the slowest single LPUSH to the big list while the rewrite ran, less the median LPUSH before it; "max before" is the slowest of the second of LPUSHes before the rewrite, for the machine\'s own hiccups (automatic rewrites are off, so none runs then).';
  return {
    text: [renderText(stringColumns, stringRows), renderText(rewriteColumns, rewriteRows), note].join('\n\n'),
    markdown: [renderMarkdown(stringColumns, stringRows), renderMarkdown(rewriteColumns, rewriteRows), note].join('\n\n'),
  };
}
