// A BullMQ job queue on Sluice: BullMQ keeps its jobs in hashes, lists and
// sorted sets and moves them with Lua scripts (EVALSHA). A producer adds
// thumbnail jobs in bulk, one with a priority (taken after the plain ones)
// and one delayed job; a worker running four at a time takes them, reports
// progress and returns results; one job fails once and is retried with
// exponential backoff; a flow's parent job waits for its children and sums
// their results. Progress arrives through QueueEvents (a stream read with
// XREAD), as does the flow's result.
//
//   npm start, then: node examples/bullmq-queue.mjs      (Sluice on port 6379)
//   node examples/bullmq-queue.mjs --port 6380           (any other server, Sluice or Redis)
import net from 'node:net';
import { FlowProducer, Queue, QueueEvents, Worker } from 'bullmq';

const i = process.argv.indexOf('--port');
const port = i === -1 ? 6379 : Number(process.argv[i + 1]);
const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
const QUEUE = 'example-thumbnails';
const IMAGES = ['beach', 'city', 'forest', 'harbour', 'mountain', 'river', 'snow', 'sunset'];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// BullMQ's connections retry forever: say plainly when there is no server at all.
await new Promise((resolve) => {
  const probe = net.connect({ port, host: '127.0.0.1' }, () => probe.end(resolve));
  probe.on('error', (e) => {
    console.error(`no server on port ${port} (${e.code}): start one with \`npm start\`, or pass --port`);
    process.exit(1);
  });
});

const queue = new Queue(QUEUE, { connection });
const events = new QueueEvents(QUEUE, { connection });
const flows = new FlowProducer({ connection });
await Promise.all([queue.waitUntilReady(), events.waitUntilReady()]);
// Leftovers of an earlier run would be counted below.
await queue.obliterate({ force: true });

events.on('progress', ({ jobId, data }) => console.log(`  job ${jobId}: ${data}% done`));

let failedOnce = false;
const worker = new Worker(
  QUEUE,
  async (job) => {
    if (job.name === 'report') {
      // Runs once every child has completed; their return values are keyed by the child job's key.
      const sizes = Object.values(await job.getChildrenValues());
      return { images: sizes.length, totalBytes: sizes.reduce((a, b) => a + b.bytes, 0) };
    }
    await sleep(20);
    await job.updateProgress(50);
    if (job.data.image === 'harbour' && !failedOnce) {
      failedOnce = true;
      throw new Error('decoder busy, try again');
    }
    await sleep(20);
    return { image: job.data.image, bytes: 1000 + 37 * job.data.image.length };
  },
  { connection, concurrency: 4 },
);
worker.on('failed', (job, err) => console.log(`job ${job.id} failed (attempt ${job.attemptsMade}): ${err.message}`));
worker.on('completed', (job, result) => console.log(`completed ${job.name} ${job.id} (attempt ${job.attemptsMade}): ${JSON.stringify(result)}`));

await queue.addBulk(IMAGES.map((image) => ({ name: 'thumbnail', data: { image }, opts: { attempts: 3, backoff: { type: 'exponential', delay: 100 } } })));
// Jobs with a priority come after those without one, the lowest number first.
await queue.add('thumbnail', { image: 'archive-preview' }, { priority: 10 });
const late = await queue.add('thumbnail', { image: 'scheduled-banner' }, { delay: 500 });
console.log(`added ${IMAGES.length + 2} thumbnail jobs; job ${late.id} is ${await late.getState()} for 500 ms`);

const flow = await flows.add({
  name: 'report',
  queueName: QUEUE,
  children: ['icon-a', 'icon-b', 'icon-c'].map((image) => ({ name: 'thumbnail', queueName: QUEUE, data: { image } })),
});
console.log(`flow: report job ${flow.job.id} is ${await flow.job.getState()} until its 3 children finish`);

const report = await flow.job.waitUntilFinished(events, 30_000);
const total = IMAGES.length + 6;
// The retried job may still be waiting out its backoff: poll the counts (for 30 s at most).
let counts;
for (let tries = 0; tries < 300; tries++) {
  counts = await queue.getJobCounts('completed', 'failed', 'wait', 'delayed', 'active');
  if (counts.completed + counts.failed === total) break;
  await sleep(100);
}
console.log(`report: ${report.images} thumbnails, ${report.totalBytes} bytes`);
console.log(`${counts.completed} of ${total} jobs completed, ${counts.failed} failed, ${counts.wait + counts.delayed + counts.active} left; one failed once and was retried: ${failedOnce}`);

await worker.close();
await queue.obliterate({ force: true });
await Promise.all([events.close(), flows.close(), queue.close()]);
