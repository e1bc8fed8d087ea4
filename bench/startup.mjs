// The start-up section: how long a fresh server takes to answer, as a user
// starts it (`npm start`, `npx sluice-server`) and as a test suite embeds it.
// sluice-server and redis-server are spawned on the servers' core and
// polled with PING every 2 ms from spawn to the first PONG; node running an
// empty script is the floor any Node server starts from. Sluice is timed
// twice a round: with an empty store (the first process after an install
// or an upgrade, which has the code cache the build shipped) and again with
// the store that first process left (its own code cache, written at exit).
import { spawn } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort, pinned, REDIS_SERVER, ROOT, scratchDir, SLUICE_CLI } from './lib/servers.mjs';
import { median, renderMarkdown, renderText } from './lib/table.mjs';

export const id = 'startup';
export const title = 'Start-up: a fresh server to its first reply';

const SERVER_CPU = 0;
const ROUNDS = { full: 9, quick: 3 };
const EMBEDDED = fileURLToPath(new URL('./lib/embedded-start.mjs', import.meta.url));

/** Resolves when a PING to `port` is answered; false when nothing listens yet. */
function pong(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => s.write('PING\r\n'));
    s.once('data', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

/** Spawns `file args` on the servers' core and times it to its first PONG; then stops it with SIGTERM (Sluice writes its code cache at exit). */
async function timeToPong(file, args, port, env) {
  const [cmd, argv] = pinned(SERVER_CPU, file, args);
  const t0 = performance.now();
  const child = spawn(cmd, argv, { stdio: 'ignore', env: { ...process.env, ...env } });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let ms = null;
  for (let tries = 0; tries < 5000 && child.exitCode === null; tries++) {
    if (await pong(port)) {
      ms = performance.now() - t0;
      break;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  child.kill('SIGTERM');
  await exited;
  if (ms === null) throw new Error(`${path.basename(file)} never answered on port ${port}`);
  return ms;
}

/** node with `args`, on the servers' core, from spawn to exit; resolves to [ms, its stdout]. */
function timeNode(args, env) {
  const [cmd, argv] = pinned(SERVER_CPU, process.execPath, args);
  const t0 = performance.now();
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, ...env } });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => (code === 0 ? resolve([performance.now() - t0, out]) : reject(new Error(`node ${args.join(' ')} exited ${code}`))));
  });
}

const fmt = (xs) => (xs.length === 0 ? '—' : `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}-${Math.max(...xs).toFixed(0)})`);

export async function run({ quick, log }) {
  const rounds = quick ? ROUNDS.quick : ROUNDS.full;
  const t = { floor: [], cold: [], cached: [], redis: [], embeddedCold: [], embeddedCached: [] };
  for (let round = 0; round < rounds; round++) {
    log(`round ${round + 1} of ${rounds}`);
    const scratch = scratchDir('sluice-bench-startup-');
    try {
      const store = { SLUICE_SCRIPT_CACHE_DIR: path.join(scratch.dir, 'store') };
      const sluiceArgs = async () => {
        const port = await freePort();
        return [port, [SLUICE_CLI, '--port', String(port), '--bind', '127.0.0.1', '--dir', scratch.dir, '--save', '', '--appendonly', 'no']];
      };
      const steps = [
        async () => t.floor.push((await timeNode(['-e', '0'], {}))[0]),
        async () => {
          // The same store for both: the second process finds the first's code cache.
          for (const into of [t.cold, t.cached]) {
            const [port, args] = await sluiceArgs();
            into.push(await timeToPong(process.execPath, args, port, store));
          }
        },
        async () => {
          if (REDIS_SERVER === null) return;
          const port = await freePort();
          t.redis.push(await timeToPong(REDIS_SERVER, ['--port', String(port), '--bind', '127.0.0.1', '--dir', scratch.dir, '--save', '', '--appendonly', 'no'], port, {}));
        },
        async () => {
          const embeddedStore = { SLUICE_SCRIPT_CACHE_DIR: path.join(scratch.dir, 'embedded-store') };
          for (const into of [t.embeddedCold, t.embeddedCached]) {
            const [, out] = await timeNode([EMBEDDED, path.join(ROOT, 'dist/index.js')], embeddedStore);
            into.push(Number(out.trim()));
          }
        },
      ];
      // The order rotates from one round to the next.
      for (let i = 0; i < steps.length; i++) await steps[(i + round) % steps.length]();
    } finally {
      scratch.remove();
    }
  }

  const redisMedian = t.redis.length === 0 ? null : median(t.redis);
  const ratio = (xs) => (redisMedian === null || xs.length === 0 ? '—' : `${(median(xs) / redisMedian).toFixed(1)}×`);
  const columns = [{ title: 'what starts' }, { title: 'ms: median (range)', right: true }, { title: 'against redis-server', right: true }];
  const rows = [
    ['redis-server, spawn to first PONG', fmt(t.redis), redisMedian === null ? 'not installed' : '1.0×'],
    ['node -e 0, spawn to exit (Node\'s own start)', fmt(t.floor), ratio(t.floor)],
    ['sluice-server, spawn to first PONG, empty store (the first process)', fmt(t.cold), ratio(t.cold)],
    ['sluice-server, spawn to first PONG, the store the first left', fmt(t.cached), ratio(t.cached)],
    ['embedded: import of sluice and startServer(), in a fresh node, empty store', fmt(t.embeddedCold), '—'],
    ['embedded: the same, the store the first left', fmt(t.embeddedCached), '—'],
  ];
  const how = `${rounds} rounds, the order of the kinds rotating; servers spawned on core ${SERVER_CPU} (taskset) and sent PING every 2 ms from the spawn until one is answered, then stopped with SIGTERM; each round a new store (SLUICE_SCRIPT_CACHE_DIR) that the two Sluice processes share; the embedded rows time, inside a fresh node, the import of dist/index.js and startServer() until it resolves (bench/lib/embedded-start.mjs)`;
  return {
    text: [`Start-up (${how})`, renderText(columns, rows)].join('\n'),
    markdown: [`${how[0].toUpperCase()}${how.slice(1)}. No target of its own; a user meets this before any other figure of this page.`, renderMarkdown(columns, rows)].join('\n\n'),
  };
}
