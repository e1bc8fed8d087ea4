// The TLS section: redis-benchmark --tls GET and SET throughput, Sluice
// against redis-server (Debian's is built with TLS) in the same run, each
// with a self-signed certificate made for the run by openssl.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { runRedisBenchmark } from './lib/redis-benchmark.mjs';
import { freePort, REDIS_BENCHMARK, REDIS_SERVER, scratchDir, startRedis, startSluice, which } from './lib/servers.mjs';
import { fmtInt, median, renderMarkdown, renderText, throughputColumns, throughputRow } from './lib/table.mjs';

export const id = 'tls';
export const title = 'TLS throughput (redis-benchmark --tls)';

const SERVER_CPU = 0;
const CLIENT_CPU = 1;
const CLIENTS = 50;
const ROUNDS = 3;
const TARGET = 0.8;
const TESTS = [{ id: 'set', label: 'SET' }, { id: 'get', label: 'GET' }];
const SIZES = { full: { requests: 200_000, warmup: 20_000 }, quick: { requests: 20_000, warmup: 5_000 } };

/** A self-signed certificate for 127.0.0.1 in `dir`: { cert, key }. */
function selfSigned(dir) {
  const cert = path.join(dir, 'server.crt');
  const key = path.join(dir, 'server.key');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1',
    '-subj', '/CN=localhost', '-addext', 'subjectAltName=IP:127.0.0.1'], { stdio: 'ignore' });
  return { cert, key };
}

export async function run({ quick, log }) {
  if (REDIS_BENCHMARK === null || which('openssl') === null) {
    const note = 'redis-benchmark or openssl is not installed: TLS throughput not measured.';
    return { text: note, markdown: note };
  }
  const sizes = quick ? SIZES.quick : SIZES.full;
  const scratch = scratchDir('sluice-bench-tls-');
  const servers = [];
  try {
    const { cert, key } = selfSigned(scratch.dir);
    const withTls = async (start) => {
      const tlsPort = await freePort();
      const extra = ['--tls-port', String(tlsPort), '--tls-cert-file', cert, '--tls-key-file', key, '--tls-auth-clients', 'no'];
      const server = await start({ dir: scratch.dir, cpu: SERVER_CPU, extra });
      servers.push(server);
      return { name: server.name, tlsPort };
    };
    const targets = [await withTls(startSluice)];
    if (REDIS_SERVER !== null) targets.push(await withTls(startRedis));
    const bench = (port, tests, requests) => runRedisBenchmark(port, {
      tests, clients: CLIENTS, requests, pipeline: 1, cpu: CLIENT_CPU, extra: ['--tls', '--cacert', cert],
    });
    log(`warming up (${sizes.warmup} requests a test)`);
    for (const t of targets) await bench(t.tlsPort, TESTS.map((x) => x.id), sizes.warmup);
    const runs = Object.fromEntries(TESTS.map((t) => [t.id, { sluice: [], redis: [] }]));
    for (let round = 0; round < ROUNDS; round++) {
      log(`round ${round + 1} of ${ROUNDS}, ${sizes.requests} requests a test`);
      for (const test of TESTS) {
        const order = round % 2 === 0 ? targets : [...targets].reverse();
        for (const t of order) {
          const [r] = await bench(t.tlsPort, [test.id], sizes.requests);
          if (r !== undefined) runs[test.id][t.name].push(r.rps);
        }
      }
    }
    const columns = throughputColumns({ title: 'pipeline', right: true });
    const rows = TESTS.map((test) => throughputRow({
      label: test.label, setting: '-P 1', sluice: median(runs[test.id].sluice), redis: median(runs[test.id].redis),
      implemented: true, hasRedis: REDIS_SERVER !== null, target: TARGET,
    }));
    const what = `redis-benchmark --tls -c ${CLIENTS} -n ${fmtInt(sizes.requests)} -P 1 -t set,get; TLS 1.3, self-signed certificate, no client certificates; ${ROUNDS} rounds, servers alternating, medians`;
    return {
      text: [what, renderText(columns, rows)].join('\n\n'),
      markdown: [`\`${what}\`. Target: ≥ ${TARGET}× Redis over TLS.`, renderMarkdown(columns, rows)].join('\n\n'),
    };
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    scratch.remove();
  }
}
