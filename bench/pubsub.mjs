// The pub/sub section: fan-out deliveries per second and publish-to-receive
// latency, Sluice against redis-server in the same run, each server on
// core 0 and this process (the load generator) on core 1.
import { markPhase } from './lib/gc-pauses.mjs';
import { PAYLOAD_BYTES, runFanout } from './lib/fanout.mjs';
import { REDIS_SERVER, withBothServers } from './lib/servers.mjs';
import { fmtInt, fmtRatio, median, renderMarkdown, renderText } from './lib/table.mjs';

export const id = 'pubsub';
export const title = 'Pub/sub fan-out';

const SERVER_CPU = 0;
/** Messages published but not yet received by every subscriber, and how many go per write. */
const WINDOW = 500;
const BATCH = 25;
/** Rounds over all the cases, as the core section runs them: one 5-second run of a case can read a quarter off on this machine. */
const ROUNDS = 3;
const DELIVERY_TARGET = 1.0;
const LATENCY_TARGET = 1.5;

const DURATIONS = {
  full: { warmupMs: 1000, measureMs: 5000 },
  quick: { warmupMs: 300, measureMs: 1500 },
};

const CHANNEL = 'bench.fanout.x';
const PATTERN_CHANNEL = 'bench.fanout.x';

/**
 * The cases. The pattern case registers 1,000 patterns: each of 100
 * subscribers holds one distinct pattern that matches the channel
 * (`bench.fanout.[a-z<i>]`), and an idle connection holds 900 that do not
 * (`bench.other<j>.*`), so every publish reaches 100 subscribers while most
 * patterns cannot match.
 */
const CASES = [
  { label: '1 subscriber, one channel', channel: CHANNEL, subscriptions: channelSubs(1) },
  { label: '10 subscribers, one channel', channel: CHANNEL, subscriptions: channelSubs(10) },
  { label: '100 subscribers, one channel', channel: CHANNEL, subscriptions: channelSubs(100) },
  {
    label: '100 subscribers, distinct patterns (1,000 registered)',
    channel: PATTERN_CHANNEL,
    subscriptions: Array.from({ length: 100 }, (_, i) => ({ pattern: `bench.fanout.[a-z${i}]` })),
    idlePatterns: Array.from({ length: 900 }, (_, j) => `bench.other${j}.*`),
  },
];

function channelSubs(n) {
  return Array.from({ length: n }, () => ({ channel: CHANNEL }));
}

async function measure(server, c, durations, log) {
  markPhase(`${server.name}: ${c.label}`);
  const m = await runFanout(server.port, {
    channel: c.channel,
    subscriptions: c.subscriptions,
    idlePatterns: c.idlePatterns,
    window: WINDOW,
    batch: BATCH,
    ...durations,
  });
  log(`${server.name}: ${c.label}: ${fmtInt(m.deliveriesPerSec)} deliveries/s, p99 ${m.p99Ms.toFixed(2)} ms`);
  markPhase('between cases');
  return m;
}

/** A server's rounds of one case: each figure the median of the rounds'. */
function medianRun(rounds) {
  const of = (key) => median(rounds.map((r) => r[key]));
  return { deliveriesPerSec: of('deliveriesPerSec'), p50Ms: of('p50Ms'), p99Ms: of('p99Ms'), generatorCpu: of('generatorCpu') };
}

function table(rows, hasRedis) {
  const columns = [
    { title: 'case' },
    { title: 'Sluice deliveries/s', right: true },
    { title: 'Redis deliveries/s', right: true },
    { title: 'ratio', right: true },
    { title: 'Sluice p50 / p99 ms', right: true },
    { title: 'Redis p50 / p99 ms', right: true },
    { title: 'p99 ratio', right: true },
    { title: 'generator CPU', right: true },
    { title: 'verdict' },
  ];
  const lat = (r) => `${r.p50Ms.toFixed(2)} / ${r.p99Ms.toFixed(2)}`;
  const cells = rows.map(({ c, sluice, redis }) => {
    const ratio = redis ? sluice.deliveriesPerSec / redis.deliveriesPerSec : null;
    const p99Ratio = redis ? sluice.p99Ms / redis.p99Ms : null;
    let verdict = '—';
    if (ratio !== null) {
      const misses = [];
      if (ratio < DELIVERY_TARGET) misses.push('deliveries');
      if (p99Ratio > LATENCY_TARGET) misses.push('p99');
      verdict = misses.length === 0 ? 'met' : `below (${misses.join(', ')})`;
    }
    const cpu = (r) => `${Math.round(r.generatorCpu * 100)}%`;
    return [
      c.label,
      fmtInt(sluice.deliveriesPerSec),
      hasRedis ? fmtInt(redis.deliveriesPerSec) : 'not installed',
      ratio === null ? '—' : fmtRatio(ratio),
      lat(sluice),
      hasRedis ? lat(redis) : '—',
      p99Ratio === null ? '—' : fmtRatio(p99Ratio),
      hasRedis ? `${cpu(sluice)} / ${cpu(redis)}` : cpu(sluice),
      verdict,
    ];
  });
  return { columns, rows: cells };
}

export async function run({ quick, log }) {
  const durations = quick ? DURATIONS.quick : DURATIONS.full;
  const hasRedis = REDIS_SERVER !== null;
  const runs = CASES.map(() => ({ sluice: [], redis: [] }));
  for (let round = 0; round < ROUNDS; round++) {
    // Fresh servers each round: Redis never shrinks its table of patterns, and walks all of it on every
    // PUBLISH, so after the pattern case its one-subscriber rate fell to a third (1.44 to 0.51 M/s).
    await withBothServers('sluice-bench-pubsub-', { cpu: SERVER_CPU }, async ({ sluice, redis }) => {
      // Alternating servers case by case keeps drift on a shared machine out of the ratios.
      for (const [i, c] of CASES.entries()) {
        runs[i].sluice.push(await measure(sluice, c, durations, log));
        if (redis) runs[i].redis.push(await measure(redis, c, durations, log));
      }
    });
  }
  const rows = CASES.map((c, i) => ({ c, sluice: medianRun(runs[i].sluice), redis: hasRedis ? medianRun(runs[i].redis) : null }));
  const t = table(rows, hasRedis);
  const what =
    `one publisher pipelining PUBLISH of ${PAYLOAD_BYTES}-byte messages, at most ${fmtInt(WINDOW)} not yet received by every subscriber ` +
    `(written ${BATCH} at a time); ${durations.warmupMs} ms warm-up, ${durations.measureMs} ms measured; latency from a timestamp in the payload to its arrival, sampled; ` +
    `${ROUNDS} rounds over all the cases, each on fresh servers, alternating case by case; each figure the median of a server's rounds`;
  const targets =
    `Targets: deliveries/s ≥ ${DELIVERY_TARGET}× Redis and p99 ≤ ${LATENCY_TARGET}× Redis in every case. ` +
    '"generator CPU" is the load generator\'s own use of its core (Sluice run / Redis run): well under 100% means the servers, not the generator, set the pace. ' +
    'With one subscriber each delivery is a whole PUBLISH request, so that case measures the per-command path (framing, dispatch, reply) more than fan-out; ' +
    "the core section's pipelined rows show the same path's ratio. Latency is mostly the window's queueing: at most " +
    `${WINDOW} messages wait, so it falls as throughput rises.`;
  return {
    text: [`Fan-out (${what})`, renderText(t.columns, t.rows), targets].join('\n\n'),
    markdown: [`${what}.`, renderMarkdown(t.columns, t.rows), targets].join('\n\n'),
  };
}
