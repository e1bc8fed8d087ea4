// BullMQ as its users drive it, timed from the client: one Queue.addBulk,
// a Worker draining what it added, then Queue.add one job at a time.
import { Queue, Worker } from 'bullmq';

/** Rejects with `what` when `promise` has not settled within `ms`. */
function bounded(promise, ms, what) {
  let timer;
  const limit = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, limit]).finally(() => clearTimeout(timer));
}

const perSecond = (count, ms) => (count * 1000) / ms;

/**
 * On the server at `port`, in a queue of its own: addBulk of `bulk` jobs (one
 * call), a Worker of `concurrency` processing all of them (from its start to
 * the last 'completed'), then `singles` awaited Queue.add calls. Resolves to
 * jobs per second for each; the queue is obliterated afterwards.
 */
export async function runBullmqLoad(port, { bulk, concurrency, singles, timeoutMs = 300_000 }) {
  const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
  const name = `bench-${process.pid}-${Date.now()}`;
  const queue = new Queue(name, { connection });
  let worker = null;
  try {
    await queue.waitUntilReady();
    const payload = 'p'.repeat(64);

    let t0 = performance.now();
    await bounded(queue.addBulk(Array.from({ length: bulk }, (_, i) => ({ name: 'bulk', data: { i, payload } }))), timeoutMs, 'addBulk');
    const addBulk = perSecond(bulk, performance.now() - t0);

    let completed = 0;
    worker = new Worker(name, async (job) => job.data.i, { connection, concurrency, autorun: false });
    const drained = new Promise((resolve) => worker.on('completed', () => ++completed === bulk && resolve()));
    t0 = performance.now();
    void worker.run();
    await bounded(drained, timeoutMs, `the worker (${completed} of ${bulk} done)`);
    const drain = perSecond(bulk, performance.now() - t0);
    await worker.close();
    worker = null;

    t0 = performance.now();
    const adds = (async () => {
      for (let i = 0; i < singles; i++) await queue.add('single', { i, payload });
    })();
    await bounded(adds, timeoutMs, 'the single adds');
    const add = perSecond(singles, performance.now() - t0);

    await queue.obliterate({ force: true });
    return { addBulk, drain, add };
  } finally {
    await worker?.close(true);
    await queue.close();
  }
}
