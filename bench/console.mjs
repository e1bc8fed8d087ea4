// The console section: redis-benchmark SET and GET with the browser console
// open and refreshing against the same without it. Sluice serves the console
// on a port of its own from the same process (and the same event loop) as
// the RESP port, so an open console tab costs the RESP clients whatever its
// requests cost the server.
import { cpuMicros } from './lib/cpu.mjs';
import { markPhase } from './lib/gc-pauses.mjs';
import { encode, firstReplyLine, pipelineLoad } from './lib/resp.mjs';
import { runRedisBenchmark } from './lib/redis-benchmark.mjs';
import { freePort, REDIS_BENCHMARK, withServer, startSluice } from './lib/servers.mjs';
import { fmtInt, fmtRatio, median, renderMarkdown, renderText } from './lib/table.mjs';

export const id = 'console';
export const title = 'Throughput with the browser console open';

const SERVER_CPU = 0;
const CLIENT_CPU = 1;
const CLIENTS = 50;
const TARGET = 0.95;
/** Rounds per workload; each round runs it once without the console and once with it, the order alternating. */
const ROUNDS = 5;

const SIZES = {
  full: { p1: 400_000, p16: 6_000_000, warmupP1: 50_000, warmupP16: 500_000 },
  quick: { p1: 30_000, p16: 400_000, warmupP1: 10_000, warmupP16: 100_000 },
};

const WORKLOADS = [
  { test: 'set', label: 'SET', pipeline: 1 },
  { test: 'get', label: 'GET', pipeline: 1 },
  { test: 'set', label: 'SET', pipeline: 16 },
  { test: 'get', label: 'GET', pipeline: 16 },
];

/**
 * The page's own refresh interval: src/console/web/views/overview.ts (and
 * pubsub.ts) redraw with ctx.every(2000, …), app.ts's setInterval, which
 * skips a tick while the previous one is still waiting. The Keys, Streams
 * and BullMQ views have no timer of their own: they load when opened. Their
 * tabs here re-open their view at the same interval, as a user reloading
 * them every two seconds would: more than the page itself asks.
 */
const REFRESH_MS = 2000;

/** The dataset the views list: thousands of keys, a stream with a group and pending entries, a list, a BullMQ queue. */
const DATA = { strings: 5000, streamEntries: 2000, pendingRead: 100, listItems: 2000, bullJobs: 200 };

async function loadDataset(port) {
  const load = async (what, n, make) => {
    const errors = await pipelineLoad(port, n, make);
    if (errors !== 0) throw new Error(`${errors} errors loading ${what}`);
  };
  await load('strings', DATA.strings, (i) => encode(['SET', `data:${i}`, 'v'.repeat(32)]));
  await load('stream', DATA.streamEntries, (i) => encode(['XADD', 'events', '*', 'n', String(i), 'kind', 'click']));
  const ok = async (argv, want) => {
    const r = await firstReplyLine(port, argv);
    if (!want(r)) throw new Error(`${argv.join(' ')} answered ${r}`);
  };
  await ok(['XGROUP', 'CREATE', 'events', 'workers', '0'], (r) => r === '+OK');
  await ok(['XREADGROUP', 'GROUP', 'workers', 'w1', 'COUNT', String(DATA.pendingRead), 'STREAMS', 'events', '>'], (r) => r.startsWith('*'));
  await load('list', DATA.listItems, (i) => encode(['RPUSH', 'jobs:pending', `job-${i}`]));
  // A queue as BullMQ lays it out: the meta hash the BullMQ view finds it by, a wait list, a completed set, a hash per job.
  await ok(['HSET', 'bull:mail:meta', 'version', 'bullmq:5.12.0', 'opts.maxLenEvents', '10000'], (r) => r.startsWith(':'));
  const now = Date.now();
  await load('BullMQ jobs', DATA.bullJobs, (i) =>
    encode(['HSET', `bull:mail:${i + 1}`, 'name', 'send', 'data', '{"to":"a@example.com"}', 'timestamp', String(now - i * 1000), 'atm', '1', 'finishedOn', String(now - i * 900)]),
  );
  await load('BullMQ wait', DATA.bullJobs / 2, (i) => encode(['RPUSH', 'bull:mail:wait', String(i + 1)]));
  await load('BullMQ completed', DATA.bullJobs / 2, (i) => encode(['ZADD', 'bull:mail:completed', String(now - i), String(DATA.bullJobs / 2 + i + 1)]));
  const size = await firstReplyLine(port, ['DBSIZE']);
  return Number(size.slice(1));
}

/** Base64url without padding, as the page's queryBytes sends a key. */
const queryBytes = (s) => Buffer.from(s, 'latin1').toString('base64url');

/**
 * An emulated browser: one cookie jar shared by its tabs (as a browser's
 * tabs share the console's cookie, and so its session), and each tab's
 * requests as the page makes them.
 */
class Browser {
  constructor(port) {
    this.origin = `http://127.0.0.1:${port}`;
    this.cookie = null;
    this.csrf = null;
    this.stats = { requests: 0, errors: 0, ms: [] };
    this.measuring = false;
    /** Requests by endpoint, all of them (the first loads too). */
    this.byPath = new Map();
  }

  async request(path) {
    const endpoint = path.split('?')[0];
    this.byPath.set(endpoint, (this.byPath.get(endpoint) ?? 0) + 1);
    const t0 = performance.now();
    const headers = this.cookie === null ? {} : { cookie: this.cookie };
    const res = await fetch(`${this.origin}${path}`, { headers, cache: 'no-store' });
    const body = await res.text();
    const ms = performance.now() - t0;
    const setCookie = res.headers.get('set-cookie');
    if (setCookie !== null) this.cookie = setCookie.split(';')[0];
    if (this.measuring) {
      this.stats.requests++;
      this.stats.ms.push(ms);
      if (!res.ok) this.stats.errors++;
    }
    if (!res.ok) throw new Error(`${path}: ${res.status} ${body.slice(0, 200)}`);
    return path.startsWith('/api/') ? JSON.parse(body) : body;
  }

  /** What api.ts's get() sends: /api/<path>?<params>, undefined params left out. */
  get(path, params = {}) {
    const q = new URLSearchParams();
    for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
    const qs = q.toString();
    return this.request(`/api/${path}${qs === '' ? '' : `?${qs}`}`);
  }

  /** A page load: the HTML, then app.ts's start(): GET /api/session, which with no requirepass opens a session and sets its cookie. */
  async open() {
    await this.request('/');
    const s = await this.get('session');
    if (s.user === null) throw new Error('the console granted no session (is requirepass set?)');
    this.csrf = s.csrf;
  }
}

/** paged.ts's pagedTable: load(3), each page from the cursor the last answered, stopping at cursor 0. */
async function paged(browser, path, params) {
  let cursor = '0';
  let items = [];
  for (let i = 0; i < 3; i++) {
    const page = await browser.get(path, { ...params, cursor, db: 0 });
    items = items.concat(page.items);
    cursor = page.cursor;
    if (cursor === '0') break;
  }
  return items;
}

/** The tabs: each a first load when opened and what runs every REFRESH_MS. */
const TABS = [
  {
    name: 'Overview',
    // overview.ts: draw() at once, then ctx.every(2000, draw); draw is GET /api/overview.
    async load(b) {
      await b.get('overview');
    },
  },
  {
    name: 'Keys',
    // keys.ts: pagedTable('keys', { pattern: '', type: undefined }), then the first key's value as a click on it shows it.
    async load(b) {
      const items = await paged(b, 'keys', { pattern: '', type: undefined });
      const list = items.find((k) => k.type === 'list') ?? items[0];
      if (list !== undefined && typeof list.key === 'string') await b.get('key', { k: queryBytes(list.key), db: 0, offset: 0, cursor: '0' });
    },
  },
  {
    name: 'Streams and BullMQ',
    // streams.ts: the list, a click on the stream (GET stream, then readRange's stream/range count 20);
    // bullmq.ts: the queues list, and a click on a count (bullmq/jobs).
    async load(b) {
      const streams = await paged(b, 'streams', {});
      const s = streams.find((x) => x.key === 'events');
      if (s !== undefined) {
        await b.get('stream', { k: queryBytes('events'), db: 0 });
        await b.get('stream/range', { k: queryBytes('events'), start: '-', end: '+', count: '20', rev: 0, db: 0 });
      }
      const queues = await paged(b, 'bullmq', {});
      const q = queues.find((x) => x.base === 'bull:mail');
      if (q !== undefined) await b.get('bullmq/jobs', { queue: queryBytes('bull:mail'), state: 'completed', db: 0 });
    },
  },
];

/**
 * Opens the tabs (a page load each, then its view's first load) and starts
 * their timers, app.ts's every(): a tick is skipped while the last is still
 * waiting. Returns stop(), which ends the timers and waits for what is in
 * flight.
 */
async function openConsole(port) {
  const browser = new Browser(port);
  const inFlight = new Set();
  const timers = [];
  for (const tab of TABS) {
    await browser.open();
    await tab.load(browser);
  }
  browser.measuring = true;
  for (const tab of TABS) {
    let busy = false;
    timers.push(
      setInterval(() => {
        if (busy) return;
        busy = true;
        const p = tab.load(browser).catch((e) => {
          browser.stats.errors++;
          browser.lastError = `${tab.name}: ${e.message}`;
        });
        inFlight.add(p);
        p.finally(() => {
          busy = false;
          inFlight.delete(p);
        });
      }, REFRESH_MS),
    );
  }
  return {
    browser,
    async stop() {
      for (const t of timers) clearInterval(t);
      browser.measuring = false;
      await Promise.all([...inFlight]);
      return browser.stats;
    },
  };
}

export async function run({ quick, log }) {
  if (REDIS_BENCHMARK === null) {
    const note = 'redis-benchmark is not installed (apt-get install redis-tools): not measured.';
    return { text: note, markdown: note };
  }
  const sizes = quick ? SIZES.quick : SIZES.full;
  const consolePort = await freePort();
  return withServer('sluice-bench-console-', startSluice, { cpu: SERVER_CPU, extra: ['--console-port', String(consolePort)] }, async (server) => {
    log(`loading the dataset`);
    const dbsize = await loadDataset(server.port);
    log(`${fmtInt(dbsize)} keys; console on port ${consolePort}`);
    // A check that the console answers as the page expects before anything is measured.
    const probe = await openConsole(consolePort);
    await probe.stop();
    log(`the tabs' first loads: ${[...probe.browser.byPath].map(([p, n]) => `${p} ×${n}`).join(', ')}`);

    const bench = (w, requests) => runRedisBenchmark(server.port, { tests: [w.test], clients: CLIENTS, requests, pipeline: w.pipeline, cpu: CLIENT_CPU });
    /** One measured run, with the server's CPU time per request and the driver's (the poller's) CPU share of the run's wall time. */
    const measured = async (w, requests) => {
      const t0 = performance.now();
      const s0 = cpuMicros(server.pid);
      const d0 = process.cpuUsage();
      const [r] = await bench(w, requests);
      const d = process.cpuUsage(d0);
      const s1 = cpuMicros(server.pid);
      const wallUs = (performance.now() - t0) * 1000;
      return { ...r, serverUsPerReq: s0 === null || s1 === null ? null : (s1 - s0) / requests, driverShare: (d.user + d.system) / wallUs };
    };
    const requestsOf = (w) => (w.pipeline === 1 ? sizes.p1 : sizes.p16);
    log('warming up');
    for (const w of WORKLOADS) await bench(w, w.pipeline === 1 ? sizes.warmupP1 : sizes.warmupP16);

    const rows = WORKLOADS.map((w) => ({ w, off: [], on: [], ratios: [], console: { requests: 0, errors: 0, ms: [] } }));
    let lastError = null;
    for (let round = 0; round < ROUNDS; round++) {
      log(`round ${round + 1} of ${ROUNDS} (${round % 2 === 0 ? 'without the console first' : 'with the console first'})`);
      for (const row of rows) {
        const name = `${row.w.label} -P ${row.w.pipeline}`;
        const off = async () => {
          markPhase(`${name} without the console, round ${round + 1}`);
          return measured(row.w, requestsOf(row.w));
        };
        const on = async () => {
          markPhase(`${name} with the console open, round ${round + 1}`);
          const c = await openConsole(consolePort);
          let r;
          try {
            r = await measured(row.w, requestsOf(row.w));
          } finally {
            const stats = await c.stop();
            row.console.requests += stats.requests;
            row.console.errors += stats.errors;
            row.console.ms.push(...stats.ms);
            if (c.browser.lastError !== undefined) lastError = c.browser.lastError;
          }
          return r;
        };
        let a;
        let b;
        if (round % 2 === 0) {
          a = await off();
          b = await on();
        } else {
          b = await on();
          a = await off();
        }
        row.off.push(a);
        row.on.push(b);
        row.ratios.push(b.rps / a.rps);
        log(`${name}: ${fmtInt(a.rps)} without, ${fmtInt(b.rps)} with (${fmtRatio(b.rps / a.rps)})`);
      }
    }
    return report(rows, sizes, dbsize, lastError);
  });
}

/** The server's CPU time per request, the median of the rounds, without and with the console (from /proc; 10 ms ticks). */
function cpuPair(row) {
  const of = (runs) => (runs.some((r) => r.serverUsPerReq === null) ? null : median(runs.map((r) => r.serverUsPerReq)));
  const off = of(row.off);
  const on = of(row.on);
  return off === null || on === null ? '—' : `${off.toFixed(2)} / ${on.toFixed(2)}`;
}

function report(rows, sizes, dbsize, lastError) {
  const columns = [
    { title: 'test' },
    { title: 'pipeline', right: true },
    { title: 'rps without', right: true },
    { title: 'rps with console', right: true },
    { title: 'with/without', right: true },
    { title: 'ratio by round', right: true },
    { title: 'target', right: true },
    { title: 'p99 ms without / with', right: true },
    { title: 'server CPU µs/request without / with', right: true },
    { title: 'driver CPU with', right: true },
    { title: 'console requests (errors)', right: true },
    { title: 'console p50 / max ms', right: true },
    { title: 'verdict' },
  ];
  const all = [];
  const cells = rows.map((row) => {
    const ratio = median(row.ratios);
    all.push(...row.ratios);
    const ms = row.console.ms;
    return [
      row.w.label,
      `-P ${row.w.pipeline}`,
      fmtInt(median(row.off.map((r) => r.rps))),
      fmtInt(median(row.on.map((r) => r.rps))),
      fmtRatio(ratio),
      row.ratios.map((x) => x.toFixed(2)).join(' / '),
      `≥ ${TARGET}×`,
      `${median(row.off.map((r) => r.p99Ms)).toFixed(3)} / ${median(row.on.map((r) => r.p99Ms)).toFixed(3)}`,
      cpuPair(row),
      `${Math.round(median(row.on.map((r) => r.driverShare)) * 100)}%`,
      `${fmtInt(row.console.requests)} (${row.console.errors})`,
      ms.length === 0 ? '—' : `${median(ms).toFixed(1)} / ${Math.max(...ms).toFixed(1)}`,
      ratio >= TARGET ? 'met' : 'below',
    ];
  });
  const overall = median(all);
  const lowest = Math.min(...rows.map((r) => median(r.ratios)));
  const summary =
    `Overall: median of all ${all.length} paired rounds ${fmtRatio(overall)} (target ≥ ${TARGET}×: ${overall >= TARGET ? 'met' : 'below'}); ` +
    `lowest workload median ${fmtRatio(lowest)} (${lowest >= TARGET ? 'met' : 'below'}).` +
    (lastError === null ? '' : ` Last console error: ${lastError}.`);
  const what =
    `redis-benchmark -c ${CLIENTS} -q --csv; -n ${fmtInt(sizes.p1)} at -P 1, ${fmtInt(sizes.p16)} at -P 16; one Sluice with --console-port, ` +
    `${fmtInt(dbsize)} keys (${fmtInt(DATA.strings)} strings, a stream of ${fmtInt(DATA.streamEntries)} entries with a group and ${DATA.pendingRead} pending, ` +
    `a list of ${fmtInt(DATA.listItems)}, a BullMQ queue of ${DATA.bullJobs} jobs); ${ROUNDS} rounds, each running every workload once without and once with the console open, the order alternating round by round; ` +
    `"with/without" the median of the rounds' ratios, the rates the medians of the rounds`;
  const how =
    'The console: one emulated browser (one cookie jar, so one session, as a browser\'s tabs share it) that loads the page and gets its session ' +
    'as app.ts does (GET /, GET /api/session: with no requirepass the session is granted without a password), with three tabs: ' +
    `Overview (GET /api/overview every ${REFRESH_MS} ms, the page's own refresh, skipping a tick while one is in flight as app.ts does); ` +
    `Keys (three pages of GET /api/keys as paged.ts loads them, and a click on the list's key, GET /api/key); ` +
    'Streams and BullMQ (three pages of GET /api/streams, the stream\'s detail and 20 entries, three pages of GET /api/bullmq, a queue\'s completed jobs). ' +
    `The Keys, Streams and BullMQ views have no timer of their own (they load when opened); their tabs re-open them every ${REFRESH_MS} ms, which asks more of the server than the page does. ` +
    'The console listens in both halves of a round (its history sampler runs either way); "without" is no tab open. The tabs open before redis-benchmark starts and stop after it ends; ' +
    '"console requests" counts their requests during the runs with the console, "console p50 / max" their response times. ' +
    '"server CPU µs/request" is Sluice\'s CPU time (/proc) over the run divided by redis-benchmark\'s requests, the console\'s work included. ' +
    'The poller runs in the driver, on the load generators\' core with redis-benchmark: "driver CPU with" is the driver\'s CPU time as a share of the run\'s wall time, taken from that core.';
  return {
    text: [`Console open (${what})`, renderText(columns, cells), summary, how].join('\n\n'),
    markdown: [`\`${what}\`.`, renderMarkdown(columns, cells), summary, how].join('\n\n'),
  };
}
