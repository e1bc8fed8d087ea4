// The client-side caching section: GET throughput of connections with
// CLIENT TRACKING on while a writer changes the keys they read (so
// invalidations flow), Sluice against redis-server in the same run.
import { runTrackingLoad } from './lib/tracking-load.mjs';
import { REDIS_SERVER, withBothServers } from './lib/servers.mjs';
import { fmtInt, fmtRatio, median, renderMarkdown, renderText } from './lib/table.mjs';

export const id = 'tracking';
export const title = 'Client-side caching: GET with tracking on and invalidations flowing';

const SERVER_CPU = 0;
const TARGET = 0.8;
const ROUNDS = 3;

const SIZES = {
  full: { readers: 20, keys: 10_000, pipeline: 16, warmupMs: 1000, measureMs: 5000 },
  quick: { readers: 10, keys: 10_000, pipeline: 16, warmupMs: 300, measureMs: 1500 },
};

export async function run({ quick, log }) {
  const size = quick ? SIZES.quick : SIZES.full;
  const runs = { sluice: [], redis: [] };
  await withBothServers('sluice-bench-tracking-', { cpu: SERVER_CPU }, async ({ sluice, redis }) => {
    for (let round = 0; round < ROUNDS; round++) {
      const order = round % 2 === 0 ? [sluice, redis] : [redis, sluice];
      for (const server of order) {
        if (server === null) continue;
        log(`${server.name}: round ${round + 1}, ${size.readers} tracking readers (-P ${size.pipeline}) and one writer`);
        runs[server.name].push(await runTrackingLoad(server.port, size));
      }
    }
  });
  const summary = (rs) => (rs.length === 0 ? null : {
    get: median(rs.map((r) => r.getRps)), set: median(rs.map((r) => r.setRps)), push: median(rs.map((r) => r.pushesPerSec)),
  });
  const s = summary(runs.sluice);
  const r = summary(runs.redis);
  const ratio = s && r ? s.get / r.get : null;
  const columns = [
    { title: 'server' }, { title: 'GET/s', right: true }, { title: 'SET/s (writer)', right: true }, { title: 'invalidations/s', right: true },
  ];
  const row = (name, x) => (x === null ? [name, 'not installed', '—', '—'] : [name, fmtInt(x.get), fmtInt(x.set), fmtInt(x.push)]);
  const rows = [row('Sluice', s), row('Redis', REDIS_SERVER ? r : null)];
  const verdict = ratio === null ? 'no ratio (redis-server missing)' : `GET Sluice/Redis ${fmtRatio(ratio)}, target ≥ ${TARGET}× — ${ratio >= TARGET ? 'met' : 'below'}`;
  const what = `${size.readers} RESP3 connections with CLIENT TRACKING ON, each GETting random keys of ${fmtInt(size.keys)} in batches of ${size.pipeline}; one connection SETting random keys of the same set in batches of ${size.pipeline}; ${ROUNDS} rounds, servers alternating, medians. The load generator is this Node process on the other core: its own speed caps both servers alike.`;
  return {
    text: [what, renderText(columns, rows), verdict].join('\n\n'),
    markdown: [`${what} Target: GET ≥ ${TARGET}× Redis.`, renderMarkdown(columns, rows), `Result: ${verdict}`].join('\n\n'),
  };
}
