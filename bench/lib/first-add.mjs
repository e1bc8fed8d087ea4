// The first Queue.add of a process on a server that has run no script: what
// a test suite embedding Sluice waits for at its first job. Each time is
// taken in a fresh Node process, this file run as a script:
//   node first-add.mjs <port>                  the add, against the server at <port>
//   node first-add.mjs embedded <port> <dir>   Sluice started in this process first
// It prints the add's milliseconds, from the call to its job id.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { median } from './table.mjs';
import { freePort, REDIS_SERVER, ROOT, scratchDir, startRedis } from './servers.mjs';

const HERE = fileURLToPath(import.meta.url);

/** In the child: start Sluice when asked, then time one Queue.add through a new Queue. */
async function child(argv) {
  const embedded = argv[0] === 'embedded';
  const port = Number(embedded ? argv[1] : argv[0]);
  let server = null;
  if (embedded) {
    const { startServer } = await import(path.join(ROOT, 'dist/index.js'));
    server = await startServer({ port, bind: '127.0.0.1', config: { dir: argv[2], appendonly: 'no' }, logTo: { write: () => true } });
  }
  const { Queue } = createRequire(import.meta.url)('bullmq');
  const queue = new Queue('bench-first-add', { connection: { host: '127.0.0.1', port } });
  try {
    await queue.waitUntilReady();
    const t0 = performance.now();
    const job = await queue.add('job', { n: 1 });
    const ms = performance.now() - t0;
    if (job.id === undefined) throw new Error('the add gave no job id');
    process.stdout.write(`${ms}\n`);
  } finally {
    await queue.close();
    await server?.close();
  }
}

/** Runs this file in a fresh Node process with `args` and `env`; resolves to the milliseconds it printed. */
function timeInChild(args, env) {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [HERE, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    p.stdout.on('data', (d) => (out += d));
    p.on('error', reject);
    p.on('exit', (code) => {
      const ms = Number(out.trim());
      if (code === 0 && Number.isFinite(ms)) resolve(ms);
      else reject(new Error(`first-add child exited ${code}: ${out}`));
    });
  });
}

/**
 * The first Queue.add, `rounds` times each, the two alternating, nothing
 * pinned (as a test suite runs): on Sluice embedded in the adding process,
 * with an empty script store (sluice) and then in a next process with the
 * store the first left (sluiceStored), and on a fresh redis-server. Medians
 * and ranges in ms; redis null when it is not installed.
 */
export async function firstAddTimes(rounds, log) {
  const times = { sluice: [], sluiceStored: [], redis: [] };
  for (let round = 0; round < rounds; round++) {
    const order = round % 2 === 0 ? ['sluice', 'redis'] : ['redis', 'sluice'];
    for (const kind of order) {
      if (kind === 'redis' && REDIS_SERVER === null) continue;
      log(`${kind === 'sluice' ? 'Sluice embedded' : 'Redis'}: the first Queue.add of a fresh process (round ${round + 1} of ${rounds})`);
      const scratch = scratchDir('sluice-bench-first-add-');
      try {
        if (kind === 'sluice') {
          const store = { SLUICE_SCRIPT_CACHE_DIR: path.join(scratch.dir, 'scripts') };
          times.sluice.push(await timeInChild(['embedded', String(await freePort()), scratch.dir], store));
          // The next process finds what the first left in the store: its compiled scripts and V8's code cache of Sluice.
          times.sluiceStored.push(await timeInChild(['embedded', String(await freePort()), scratch.dir], store));
        } else {
          const redis = await startRedis({ dir: scratch.dir, cpu: null });
          try {
            times.redis.push(await timeInChild([String(redis.port)], {}));
          } finally {
            await redis.stop();
          }
        }
      } finally {
        scratch.remove();
      }
    }
  }
  const summary = (t) => (t.length === 0 ? null : { median: median(t), min: Math.min(...t), max: Math.max(...t) });
  return { sluice: summary(times.sluice), sluiceStored: summary(times.sluiceStored), redis: summary(times.redis) };
}

if (process.argv[1] === HERE) await child(process.argv.slice(2));
