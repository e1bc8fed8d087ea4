import { FlowProducer, Queue, Worker, type Job } from 'bullmq';
import { afterEach, describe, expect, test } from 'vitest';
import { useSluiceAndRedis } from '../helpers/fixture.js';
import { redisServerPath } from '../helpers/servers.js';
import { dumpKeyspace } from './keyspace-dump.js';

/** What the clock decides: times in ms (13 digits, also inside delayed-set scores), stream IDs, a scheduler's offset (now modulo its period), UUIDs (flow job IDs). */
function maskClock(line: string): string {
  return line
    .replace(/\["offset","\d+"\]/g, '["offset","<now mod every>"]')
    .replace(/\b\d{13}-\d+\b/g, '<id>')
    .replace(/\b\d{13,}\b/g, '<time>')
    .replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/g, '<uuid>');
}

/** An error whose stack does not name this machine's paths. */
function failure(message: string): Error {
  const e = new Error(message);
  e.stack = `Error: ${message}`;
  return e;
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((x) => x.close()));
});

/**
 * A fixed sequence of BullMQ calls with no worker loop (jobs are taken with
 * getNextJob and finished by hand, each in a millisecond of its own), so the
 * only differences the two servers may show are the times the clock gives,
 * which the comparison masks.
 */
async function workload(port: number): Promise<void> {
  const connection = { host: '127.0.0.1', port, maxRetriesPerRequest: null };
  const q = new Queue('diff', { connection, defaultJobOptions: { removeOnComplete: 3 } });
  const flows = new FlowProducer({ connection });
  const w = new Worker('diff', null, { connection, autorun: false });
  open.push(w, q, flows);
  await q.addBulk([
    { name: 'plain', data: { s: 'héllo ✓ "quoted" \\ /', n: 1.5, big: 12345678901234, list: [1, [2, {}]] } },
    { name: 'prio', data: {}, opts: { priority: 3 } },
    { name: 'prio', data: {}, opts: { priority: 1 } },
    { name: 'later', data: {}, opts: { delay: 600_000 } },
    { name: 'retry', data: {}, opts: { attempts: 2, backoff: { type: 'fixed', delay: 600_000 } } },
    { name: 'lifo', data: {}, opts: { lifo: true, jobId: 'custom-id' } },
    { name: 'dedup', data: { v: 1 }, opts: { deduplication: { id: 'D' } } },
    { name: 'dedup', data: { v: 2 }, opts: { deduplication: { id: 'D' } } },
  ]);
  await q.add('removed', {}, { jobId: 'gone' });
  await (await q.getJob('gone'))!.remove();
  await flows.add({ name: 'parent', queueName: 'diff', opts: { jobId: 'P' }, children: [{ name: 'child', queueName: 'diff', data: { c: 1 }, opts: { jobId: 'C' } }] });
  const take = async (token: string): Promise<Job> => (await w.getNextJob(token, { block: false }))!;
  // Jobs finished in one millisecond tie in the completed set, which then orders them (and `clean` picks among them) by ID instead of by the order they finished.
  const nextMillisecond = async (): Promise<void> => {
    const now = Date.now();
    while (Date.now() === now) await new Promise((r) => setTimeout(r, 1));
  };
  for (let i = 0; i < 12; i++) {
    const token = `t${i}`;
    const job = await take(token);
    if (job === undefined) break;
    await job.updateProgress({ step: i });
    await job.log(`taken with ${token}`);
    if (job.name === 'retry') await job.moveToFailed(failure('first try fails'), token, false);
    else await job.moveToCompleted({ ok: job.name, i }, token, false);
    await nextMillisecond();
  }
  await q.upsertJobScheduler('sched', { every: 600_000 }, { name: 'tick', data: { t: 1 } });
  const delayed = await q.getJobs(['delayed']);
  for (const d of delayed.filter((j) => j.name === 'later')) await d.changeDelay(900_000);
  await q.clean(0, 1, 'completed');
}

describe.skipIf(redisServerPath === null)("BullMQ's data on Sluice and on redis-server (differential)", () => {
  const servers = useSluiceAndRedis();

  test('the same BullMQ calls leave the same keys, values, scores and events on both', async () => {
    await workload(servers.sluice.port);
    await workload(servers.redis.port);
    const [sluice, redis] = await Promise.all([dumpKeyspace(servers.sluice.port), dumpKeyspace(servers.redis.port)]);
    expect(sluice.length).toBeGreaterThan(10);
    expect(sluice.map(maskClock)).toEqual(redis.map(maskClock));
  });
});
