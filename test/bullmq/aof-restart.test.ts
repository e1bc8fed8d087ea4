import { FlowProducer, Queue, Worker } from 'bullmq';
import { expect, test } from 'vitest';
import { perTest } from '../helpers/fixture.js';
import { waitFor } from './harness.js';
import { dumpKeyspace } from './keyspace-dump.js';

const t = perTest();

test("BullMQ's data after a restart from the AOF equals what the scripts left before it", async () => {
  const dir = t.tmp();
  const first = await t.sluice({ config: { dir } });
  const connection = { host: '127.0.0.1', port: first.port, maxRetriesPerRequest: null };
  const q = new Queue('aof', { connection, streams: { events: { maxLen: 50 } }, defaultJobOptions: { removeOnComplete: 20, attempts: 2 } });
  const flows = new FlowProducer({ connection });
  const w = new Worker(
    'aof',
    async (job) => {
      await job.updateProgress(50);
      await job.log('working');
      if (job.data.i % 5 === 0) throw new Error('every fifth fails');
      return job.data.i;
    },
    { connection, concurrency: 10, autorun: false },
  );
  try {
    await q.addBulk(Array.from({ length: 100 }, (_, i) => ({ name: 'x', data: { i }, opts: { priority: i % 3, delay: i % 7 === 0 ? 60_000 : 0 } })));
    await q.upsertJobScheduler('ticker', { every: 60_000 }, { name: 'tick' });
    await flows.add({ name: 'parent', queueName: 'aof', children: [{ name: 'child', queueName: 'aof-children' }] });
    void w.run();
    // 85 jobs are due now (15 are delayed a minute), 17 of them fail twice; plus the scheduler's first job and the child.
    const unfinished = async () => Object.values(await q.getJobCounts('wait', 'active', 'prioritized')).reduce((a, b) => a + b, 0);
    await waitFor('every due job finished', async () => (await unfinished()) === 0 && (await q.getFailedCount()) === 17);
  } finally {
    await w.close();
    await Promise.all([q.close(), flows.close()]);
  }
  const before = await dumpKeyspace(first.port);
  expect(before.length).toBeGreaterThan(50);
  await first.close();
  const second = await t.sluice({ config: { dir } });
  expect(await dumpKeyspace(second.port)).toEqual(before);
});
