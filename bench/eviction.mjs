// The eviction section: SET throughput under allkeys-lru once the dataset is
// at maxmemory (every SET of a new key evicts one), Sluice against
// redis-server in the same run, each limited to the same room above what it
// uses empty, by its own measure of used memory.
import { Probe } from './lib/probe.mjs';
import { runRedisBenchmark } from './lib/redis-benchmark.mjs';
import { REDIS_SERVER, startRedis, startSluice, withServer } from './lib/servers.mjs';
import { median, renderMarkdown, renderText, throughputColumns, throughputRow } from './lib/table.mjs';

export const id = 'eviction';
export const title = 'Eviction: SET under allkeys-lru at the memory limit';

const SERVER_CPU = 0;
const CLIENT_CPU = 1;
const CLIENTS = 50;
const VALUE_BYTES = 100;
/** Keys drawn from a range far larger than the limit holds: nearly every SET adds a key and evicts one. */
const KEY_RANGE = 100_000_000;
const TARGET = 0.8;
const ROUNDS = 3;

const SIZES = {
  full: { room: 64 * 1024 * 1024, fill: 1_000_000, p1: 200_000, p16: 1_000_000 },
  quick: { room: 16 * 1024 * 1024, fill: 200_000, p1: 20_000, p16: 100_000 },
};

async function info(port, section) {
  const probe = await Probe.connect(port);
  try {
    const text = (await probe.call(['INFO', section])).toString('latin1');
    return Object.fromEntries(text.split('\r\n').filter((l) => l.includes(':')).map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1)]));
  } finally {
    probe.close();
  }
}

async function configSet(port, ...args) {
  const probe = await Probe.connect(port);
  try {
    const reply = (await probe.call(['CONFIG', 'SET', ...args])).toString('latin1');
    if (!reply.startsWith('+OK')) throw new Error(`CONFIG SET ${args.join(' ')}: ${reply.trim()}`);
  } finally {
    probe.close();
  }
}

const setBench = (port, requests, pipeline) =>
  runRedisBenchmark(port, { tests: ['set'], clients: CLIENTS, requests, pipeline, cpu: CLIENT_CPU, extra: ['-r', String(KEY_RANGE), '-d', String(VALUE_BYTES)] });

/**
 * Starts a server, puts its limit `room` bytes above what it uses empty,
 * fills it past the limit, and runs `fn(port)`; checks that it kept
 * evicting throughout.
 */
function atLimit(start, sizes, log, fn) {
  return withServer('sluice-bench-evict-', start, { cpu: SERVER_CPU, extra: ['--maxmemory-policy', 'allkeys-lru'] }, async (server) => {
    // Sluice counts used memory only once a limit is set: a first, generous one turns the count on.
    await configSet(server.port, 'maxmemory', '4gb');
    const used = Number((await info(server.port, 'memory')).used_memory);
    await configSet(server.port, 'maxmemory', String(used + sizes.room));
    await setBench(server.port, sizes.fill, 16);
    const before = Number((await info(server.port, 'stats')).evicted_keys);
    if (before === 0) throw new Error(`${server.name} did not reach its limit while filling`);
    log(`${server.name}: at the limit after ${before} evictions`);
    const result = await fn(server.port);
    const evicted = Number((await info(server.port, 'stats')).evicted_keys) - before;
    log(`${server.name}: ${evicted} more evictions while measured`);
    return result;
  });
}

export async function run({ quick, log }) {
  const sizes = quick ? SIZES.quick : SIZES.full;
  const runs = { 1: { sluice: [], redis: [] }, 16: { sluice: [], redis: [] } };
  const measure = async (port, side) => {
    for (const pipeline of [1, 16]) {
      const [r] = await setBench(port, pipeline === 1 ? sizes.p1 : sizes.p16, pipeline);
      if (r !== undefined) runs[pipeline][side].push(r.rps);
    }
  };
  for (let round = 0; round < ROUNDS; round++) {
    log(`round ${round + 1} of ${ROUNDS}`);
    const sides = [['sluice', (o) => startSluice(o)], ...(REDIS_SERVER ? [['redis', (o) => startRedis(o)]] : [])];
    if (round % 2 === 1) sides.reverse();
    for (const [side, start] of sides) await atLimit(start, sizes, log, (port) => measure(port, side));
  }
  const columns = throughputColumns({ title: 'pipeline' });
  const rows = [1, 16].map((p) =>
    throughputRow({
      label: `SET, ${VALUE_BYTES}-byte values, allkeys-lru at maxmemory`,
      setting: `-P ${p}`,
      sluice: median(runs[p].sluice),
      redis: median(runs[p].redis),
      implemented: true,
      hasRedis: REDIS_SERVER !== null,
      target: TARGET,
    }),
  );
  const note =
    `Each server is limited to ${sizes.room / 1024 / 1024} MiB above what it uses empty, by its own measure, ` +
    `filled past it with ${sizes.fill} SETs, then measured with keys drawn from ${KEY_RANGE} (nearly every SET evicts a key); ` +
    `${CLIENTS} clients, medians of ${ROUNDS} rounds, a fresh server each round.`;
  return { text: `${renderText(columns, rows)}\n\n${note}`, markdown: `${renderMarkdown(columns, rows)}\n\n${note}` };
}
