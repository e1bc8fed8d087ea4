// A reliable work queue on lists. Workers take a job with BLMOVE, which moves
// it atomically from `jobs` to `processing`, so a job is never only in a
// worker's memory; they acknowledge it with LREM once done. A job whose
// worker died stays in `processing`: a reaper puts it back on `jobs` when its
// lease (a key with a TTL the worker sets) has expired.
//
//   npm run build && node examples/work-queue.mjs              (embedded Sluice)
//   node examples/work-queue.mjs --port 6379                   (a running server)
import Redis from 'ioredis';

const JOBS = 'wq:jobs';
const PROCESSING = 'wq:processing';
const DONE = 'wq:done';
const lease = (id) => `wq:lease:${id}`;
const LEASE_MS = 300;
const JOB_COUNT = 20;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function server() {
  const i = process.argv.indexOf('--port');
  if (i !== -1) return { port: Number(process.argv[i + 1]), close: async () => {} };
  const { startServer } = await import('../dist/index.js');
  return startServer({ port: 0, bind: '127.0.0.1' });
}

/**
 * Takes jobs until told to stop. The worker named `flaky` abandons its first
 * job, as a worker that crashed would: no acknowledgement, and its lease runs out.
 */
async function worker(port, name, state) {
  const redis = new Redis(port);
  let crashOnNext = name === 'flaky';
  while (!state.stop) {
    // Wait at most a second, so the loop sees `stop`.
    const raw = await redis.blmove(JOBS, PROCESSING, 'RIGHT', 'LEFT', 1);
    if (raw === null) continue;
    const job = JSON.parse(raw);
    await redis.set(lease(job.id), name, 'PX', LEASE_MS);
    if (crashOnNext) {
      crashOnNext = false;
      console.log(`${name}: took job ${job.id} and crashed (no ack)`);
      continue;
    }
    await sleep(10 + Math.random() * 20);
    // Acknowledge: remove exactly this job from `processing`. 0 means the reaper re-queued it meanwhile.
    const [[, removed]] = await redis.multi().lrem(PROCESSING, 1, raw).del(lease(job.id)).exec();
    if (removed === 1) {
      await redis.rpush(DONE, String(job.id));
      console.log(`${name}: done job ${job.id}${job.attempt > 1 ? ` (attempt ${job.attempt})` : ''}`);
    }
  }
  redis.disconnect();
}

/**
 * Re-queues jobs whose lease is gone. A job is only reclaimed when it was
 * already lease-less at the previous scan, so one just moved by a worker that
 * has not set its lease yet is left alone.
 */
async function reaper(port, state) {
  const redis = new Redis(port);
  let suspects = new Set();
  while (!state.stop) {
    await sleep(LEASE_MS / 2);
    const next = new Set();
    for (const raw of await redis.lrange(PROCESSING, 0, -1)) {
      const job = JSON.parse(raw);
      if ((await redis.exists(lease(job.id))) === 1) continue;
      if (!suspects.has(raw)) {
        next.add(raw);
        continue;
      }
      const retry = JSON.stringify({ ...job, attempt: job.attempt + 1 });
      // Only the side whose LREM removes the job owns it: the reaper, or a late acknowledgement.
      const [[, removed]] = await redis.multi().lrem(PROCESSING, 1, raw).exec();
      if (removed === 1) {
        await redis.lpush(JOBS, retry);
        console.log(`reaper: job ${job.id} lost its lease, re-queued`);
      }
    }
    suspects = next;
  }
  redis.disconnect();
}

async function main() {
  const srv = await server();
  const redis = new Redis(srv.port);
  await redis.del(JOBS, PROCESSING, DONE);
  for (let id = 1; id <= JOB_COUNT; id++) await redis.lpush(JOBS, JSON.stringify({ id, attempt: 1 }));
  const state = { stop: false };
  const running = [worker(srv.port, 'worker-1', state), worker(srv.port, 'worker-2', state), worker(srv.port, 'flaky', state), reaper(srv.port, state)];
  const deadline = Date.now() + 30_000;
  while ((await redis.llen(DONE)) < JOB_COUNT && Date.now() < deadline) await sleep(50);
  state.stop = true;
  await Promise.all(running);
  const done = new Set(await redis.lrange(DONE, 0, -1));
  console.log(`${done.size} of ${JOB_COUNT} jobs done; ${await redis.llen(JOBS)} waiting, ${await redis.llen(PROCESSING)} in flight`);
  redis.disconnect();
  await srv.close();
  process.exit(done.size === JOB_COUNT ? 0 : 1);
}

main();
