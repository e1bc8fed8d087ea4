import { FlowProducer, Queue, QueueEvents, Worker, type Job } from 'bullmq';
import { Redis } from 'ioredis';
import { createClient } from 'redis';
import { expect, test } from 'vitest';
import { bullHarness, events, nextEvent, waitFor } from './harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A promise and the function that resolves it. */
function gate(): { opened: Promise<void>; open: () => void } {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { opened, open };
}

/**
 * BullMQ's everyday features end to end, each its own test, against the
 * server `port()` names (Sluice in bullmq.test.ts, redis-server in the
 * control file, with the same assertions). Waits are bounded by generous
 * timeouts; the few time comparisons are lower bounds BullMQ guarantees.
 */
export function bullmqScenarios(port: () => number): void {
  const h = bullHarness(port);
  const queue = (name: string, opts: Record<string, unknown> = {}) => h.track(new Queue(name, { connection: h.connection(), ...opts }));
  const worker = (name: string, fn: ((job: Job) => Promise<unknown>) | null, opts: Record<string, unknown> = {}) =>
    h.track(new Worker(name, fn, { connection: h.connection(), ...opts }));

  test('a worker processes every job and stores its return value', async () => {
    const name = h.queueName();
    const q = queue(name);
    const ids: string[] = [];
    for (let i = 0; i < 10; i++) ids.push((await q.add('double', { x: i })).id!);
    const w = worker(name, async (job) => ({ doubled: job.data.x * 2 }), { autorun: false });
    const done = events(w, 'completed', 10);
    void w.run();
    await done;
    for (let i = 0; i < 10; i++) {
      const job = await q.getJob(ids[i]);
      expect(job?.returnvalue).toEqual({ doubled: i * 2 });
      expect(job?.finishedOn).toBeGreaterThanOrEqual(job!.processedOn!);
      expect(await job?.getState()).toBe('completed');
    }
    expect(await q.getJobCounts('completed', 'wait', 'active')).toEqual({ completed: 10, wait: 0, active: 0 });
  });

  test('addBulk of 200 jobs is drained by a worker running at most 5 at once, and 5 at once when it can', async () => {
    const name = h.queueName();
    const q = queue(name);
    const jobs = await q.addBulk(Array.from({ length: 200 }, (_, i) => ({ name: 'bulk', data: { i } })));
    expect(jobs.map((j) => j.data.i)).toEqual(Array.from({ length: 200 }, (_, i) => i));
    expect(await q.getWaitingCount()).toBe(200);
    let running = 0;
    let most = 0;
    const five = gate();
    // Should five never run together, the jobs go on after 10 s (the timer does not hold the process).
    const giveUp = new Promise<void>((r) => setTimeout(r, 10_000).unref());
    const w = worker(
      name,
      async (job) => {
        most = Math.max(most, ++running);
        if (running === 5) five.open();
        // The first jobs hold on until five run together, so the peak does not depend on timing.
        await Promise.race([five.opened, giveUp]);
        running--;
        return job.data.i;
      },
      { concurrency: 5, autorun: false },
    );
    const done = events(w, 'completed', 200, 60_000);
    void w.run();
    await done;
    expect(most).toBe(5);
    const completed = await q.getJobs(['completed'], 0, -1);
    expect(completed.map((j) => j.returnvalue).sort((a, b) => a - b)).toEqual(Array.from({ length: 200 }, (_, i) => i));
  }, 70_000);

  test('a delayed job waits in the delayed set and runs no earlier than its delay', async () => {
    const name = h.queueName();
    const q = queue(name);
    const job = await q.add('later', { v: 1 }, { delay: 600 });
    expect(await job.getState()).toBe('delayed');
    expect(await q.getDelayedCount()).toBe(1);
    const w = worker(name, async () => 'ran');
    const [done] = await nextEvent<[Job]>(w, 'completed');
    expect(done.id).toBe(job.id);
    expect(done.processedOn! - done.timestamp).toBeGreaterThanOrEqual(600);
    expect(await q.getDelayedCount()).toBe(0);
  });

  test('jobs run in priority order (lower first), equal priorities in insertion order, unprioritised jobs before all', async () => {
    const name = h.queueName();
    const q = queue(name);
    const added: [string, number | undefined][] = [['p5', 5], ['p1a', 1], ['p3', 3], ['none', undefined], ['p1b', 1], ['p2', 2]];
    for (const [label, priority] of added) await q.add(label, {}, priority === undefined ? {} : { priority });
    expect(await q.getPrioritizedCount()).toBe(5);
    expect(await q.getCountsPerPriority([1, 2, 3, 5])).toEqual({ 1: 2, 2: 1, 3: 1, 5: 1 });
    const order: string[] = [];
    const w = worker(name, async (job) => void order.push(job.name), { concurrency: 1, autorun: false });
    const done = events(w, 'completed', added.length);
    void w.run();
    await done;
    expect(order).toEqual(['none', 'p1a', 'p1b', 'p2', 'p3', 'p5']);
  });

  test('a failing job is retried with exponential backoff, then fails for good with attemptsMade and failedReason', async () => {
    const name = h.queueName();
    const q = queue(name);
    const job = await q.add('flaky', {}, { attempts: 3, backoff: { type: 'exponential', delay: 200 } });
    const starts: number[] = [];
    const w = worker(name, async (j) => {
      starts.push(Date.now());
      throw new Error(`attempt ${j.attemptsMade + 1} failed`);
    });
    const [failed] = await nextEvent<[Job, Error]>(w, 'failed', (j) => j.attemptsMade >= 3);
    expect(failed.id).toBe(job.id);
    const stored = (await q.getJob(job.id!))!;
    expect(await stored.getState()).toBe('failed');
    expect(stored.attemptsMade).toBe(3);
    expect(stored.failedReason).toBe('attempt 3 failed');
    expect(stored.stacktrace).toHaveLength(3);
    expect(starts).toHaveLength(3);
    // Backoff 200 ms, then 400 ms: lower bounds the delayed set enforces.
    expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(190);
    expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(390);
    expect(await q.getFailedCount()).toBe(1);
  });

  test('QueueEvents receives progress, completed (with the return value) and failed (with the reason) events', async () => {
    const name = h.queueName();
    const q = queue(name);
    const qe = h.track(new QueueEvents(name, { connection: h.connection() }));
    await qe.waitUntilReady();
    const seen: string[] = [];
    qe.on('progress', ({ jobId, data }) => seen.push(`progress ${jobId} ${JSON.stringify(data)}`));
    qe.on('completed', ({ jobId, returnvalue }) => seen.push(`completed ${jobId} ${JSON.stringify(returnvalue)}`));
    qe.on('failed', ({ jobId, failedReason }) => seen.push(`failed ${jobId} ${failedReason}`));
    // Both listeners from the start: one XREAD reply may carry both events.
    const finished = Promise.all([events(qe, 'completed', 1), events(qe, 'failed', 1)]);
    const ok = await q.add('ok', { fail: false });
    const bad = await q.add('bad', { fail: true });
    worker(
      name,
      async (job) => {
        await job.updateProgress({ pct: 50 });
        if (job.data.fail) throw new Error('no good');
        return { answer: 42 };
      },
      { concurrency: 1 },
    );
    await finished;
    await waitFor("both jobs' events", () => seen.length === 4);
    expect(seen).toEqual([
      `progress ${ok.id} {"pct":50}`,
      `completed ${ok.id} {"answer":42}`,
      `progress ${bad.id} {"pct":50}`,
      `failed ${bad.id} no good`,
    ]);
    // waitUntilFinished rides on the same events.
    const again = await q.add('ok', { fail: false });
    expect(await again.waitUntilFinished(qe, 15_000)).toEqual({ answer: 42 });
  });

  test('a job scheduler (upsertJobScheduler, every 150 ms) produces jobs from its template until removed', async () => {
    const name = h.queueName();
    const q = queue(name);
    await q.upsertJobScheduler('ticker', { every: 150 }, { name: 'tick', data: { from: 'scheduler' } });
    const schedulers = await q.getJobSchedulers();
    expect(schedulers.map((s) => [s.key, s.name, s.every])).toEqual([['ticker', 'tick', 150]]);
    const seen: Job[] = [];
    const w = worker(name, async (job) => void seen.push(job));
    await waitFor('three scheduled jobs', () => seen.length >= 3);
    await w.close();
    expect(seen.slice(0, 3).every((j) => j.name === 'tick' && j.data.from === 'scheduler' && j.repeatJobKey === 'ticker')).toBe(true);
    expect(new Set(seen.map((j) => j.id)).size).toBe(seen.length);
    expect(await q.removeJobScheduler('ticker')).toBe(true);
    expect(await q.getJobSchedulersCount()).toBe(0);
  });

  test('a job scheduler with a limit produces exactly that many jobs', async () => {
    const name = h.queueName();
    const q = queue(name);
    await q.upsertJobScheduler('limited', { every: 100, limit: 3 }, { name: 'rep', data: { n: 1 } });
    const seen: Job[] = [];
    worker(name, async (job) => void seen.push(job));
    await waitFor('three jobs and nothing more scheduled', async () => seen.length >= 3 && (await q.getJobCounts('delayed', 'wait', 'active')).delayed === 0);
    expect(await q.getJobCounts('delayed', 'wait', 'active')).toEqual({ delayed: 0, wait: 0, active: 0 });
    expect(seen.map((j) => [j.name, j.data.n])).toEqual([['rep', 1], ['rep', 1], ['rep', 1]]);
    const [scheduler] = await q.getJobSchedulers();
    expect(scheduler).toMatchObject({ key: 'limited', limit: 3, iterationCount: 3 });
  });

  test('a flow parent waits for its children and reads their results with getChildrenValues', async () => {
    const name = h.queueName();
    const other = h.queueName();
    const flows = h.track(new FlowProducer({ connection: h.connection() }));
    const tree = await flows.add({
      name: 'sum',
      queueName: name,
      children: [
        { name: 'part', queueName: name, data: { v: 2 } },
        { name: 'part', queueName: other, data: { v: 40 } },
      ],
    });
    expect(await tree.job.getState()).toBe('waiting-children');
    const deps = await tree.job.getDependenciesCount();
    expect(deps.unprocessed).toBe(2);
    let parentSawChildren: Record<string, number> = {};
    const parentWorker = worker(name, async (job) => {
      if (job.name !== 'sum') return job.data.v;
      parentSawChildren = await job.getChildrenValues();
      return Object.values(parentSawChildren).reduce((a, b) => a + b, 0);
    });
    worker(other, async (job) => job.data.v);
    const [parent, result] = await nextEvent<[Job, number]>(parentWorker, 'completed', (job) => job.name === 'sum');
    expect(parent.id).toBe(tree.job.id);
    expect(result).toBe(42);
    const childKeys = tree.children!.map((c) => `bull:${c.job.queueName}:${c.job.id}`).sort();
    expect(Object.keys(parentSawChildren).sort()).toEqual(childKeys);
    expect(await tree.job.getState()).toBe('completed');
  });

  test('a paused queue keeps its jobs waiting; resume lets the worker take them', async () => {
    const name = h.queueName();
    const q = queue(name);
    await q.pause();
    expect(await q.isPaused()).toBe(true);
    await q.addBulk([1, 2, 3].map((i) => ({ name: 'p', data: { i } })));
    const took: number[] = [];
    const w = worker(name, async (job) => void took.push(job.data.i));
    await w.waitUntilReady();
    // Nothing may run while paused; the wait only gives a wrong implementation the chance to.
    await sleep(500);
    expect(took).toEqual([]);
    expect(await q.getJobCounts('wait', 'active', 'completed')).toEqual({ wait: 3, active: 0, completed: 0 });
    const done = events(w, 'completed', 3);
    await q.resume();
    expect(await q.isPaused()).toBe(false);
    await done;
    expect(took.sort()).toEqual([1, 2, 3]);
  });

  test('clean removes finished jobs older than the grace period, and only those', async () => {
    const name = h.queueName();
    const q = queue(name);
    await q.addBulk(Array.from({ length: 8 }, (_, i) => ({ name: 'c', data: { fail: i >= 5 } })));
    const w = worker(name, async (job) => {
      if (job.data.fail) throw new Error('failing on purpose');
      return 'ok';
    });
    await waitFor('8 finished jobs', async () => (await q.getCompletedCount()) === 5 && (await q.getFailedCount()) === 3);
    await w.close();
    expect(await q.clean(60_000, 100, 'completed')).toEqual([]);
    const completedIds = (await q.getJobs(['completed'])).map((j) => j.id!);
    const cleaned = await q.clean(0, 100, 'completed');
    expect([...cleaned].sort()).toEqual([...completedIds].sort());
    expect(await q.getJobCounts('completed', 'failed')).toEqual({ completed: 0, failed: 3 });
    for (const id of cleaned) expect(await q.getJob(id)).toBeUndefined();
    expect(await q.clean(0, 2, 'failed')).toHaveLength(2);
    expect(await q.getFailedCount()).toBe(1);
  });

  test('obliterate refuses a queue with active jobs unless forced, and then leaves no key of the queue', async () => {
    const name = h.queueName();
    const q = queue(name);
    await q.add('delayed', {}, { delay: 60_000 });
    await q.add('prio', {}, { priority: 3 });
    await q.addBulk(Array.from({ length: 50 }, (_, i) => ({ name: 'w', data: { i } })));
    const started = gate();
    const w = worker(name, async () => {
      started.open();
      await new Promise(() => {});
    });
    await started.opened;
    await expect(q.obliterate()).rejects.toThrow('Cannot obliterate queue with active jobs');
    await w.close(true);
    await q.obliterate({ force: true });
    const raw = new Redis(port(), '127.0.0.1');
    try {
      expect(await raw.keys(`bull:${name}:*`)).toEqual([]);
    } finally {
      raw.disconnect();
    }
  });

  test('getJobCounts and getJobs report every state', async () => {
    const name = h.queueName();
    const q = queue(name);
    const done = await q.add('done', {});
    const failed = await q.add('failed', {});
    const w = worker(name, async (job) => {
      if (job.name === 'failed') throw new Error('x');
    });
    await waitFor('two finished jobs', async () => (await q.getCompletedCount()) === 1 && (await q.getFailedCount()) === 1);
    await w.close();
    const waiting = [await q.add('w1', {}), await q.add('w2', {})];
    const delayed = await q.add('d', {}, { delay: 60_000 });
    const prio = await q.add('p', {}, { priority: 7 });
    expect(await q.getJobCounts()).toEqual({
      active: 0,
      completed: 1,
      delayed: 1,
      failed: 1,
      prioritized: 1,
      waiting: 2,
      'waiting-children': 0,
    });
    expect(await q.count()).toBe(4);
    const ids = async (types: Parameters<Queue['getJobs']>[0], asc = false) => (await q.getJobs(types, 0, -1, asc)).map((j) => j.id);
    expect(await ids(['waiting'], true)).toEqual(waiting.map((j) => j.id));
    expect(await ids(['completed'])).toEqual([done.id]);
    expect(await ids(['failed'])).toEqual([failed.id]);
    expect(await ids(['delayed'])).toEqual([delayed.id]);
    expect(await ids(['prioritized'])).toEqual([prio.id]);
    expect((await ids(['waiting', 'delayed', 'prioritized'])).sort()).toEqual([...waiting, delayed, prio].map((j) => j.id).sort());
    expect(await q.getJobState(delayed.id!)).toBe('delayed');
  });

  test('a rate-limited worker takes at most 2 jobs per 500 ms window', async () => {
    const name = h.queueName();
    const q = queue(name);
    await q.addBulk(Array.from({ length: 6 }, (_, i) => ({ name: 'r', data: { i } })));
    const w = worker(name, async () => 'ok', { concurrency: 6, limiter: { max: 2, duration: 500 }, autorun: false });
    const done = events(w, 'completed', 6);
    void w.run();
    await done;
    const started = (await q.getJobs(['completed'])).map((j) => j.processedOn!).sort((a, b) => a - b);
    expect(started).toHaveLength(6);
    // Six jobs at two a window need three windows: the last starts at least two windows after the first.
    expect(started[5] - started[0]).toBeGreaterThanOrEqual(950);
  });

  test('a job whose worker died is found stalled and completed by another worker', async () => {
    const name = h.queueName();
    const q = queue(name);
    const job = await q.add('stuck', {});
    const settings = { lockDuration: 600, stalledInterval: 300 };
    const dying = worker(name, () => new Promise(() => {}), settings);
    await nextEvent(dying, 'active');
    // Forced close: the processor never settles and nobody renews the lock any more.
    await dying.close(true);
    const rescuer = worker(name, async () => 'rescued', settings);
    const stalled = nextEvent<[string]>(rescuer, 'stalled');
    const [done, value] = await nextEvent<[Job, string]>(rescuer, 'completed');
    expect((await stalled)[0]).toBe(job.id);
    expect(done.id).toBe(job.id);
    expect(value).toBe('rescued');
    expect(done.stalledCounter).toBe(1);
    expect(done.attemptsStarted).toBe(2);
  });

  test('through node-redis clients speaking RESP3, jobs are added, processed and reported as with ioredis', async () => {
    const name = h.queueName();
    const client = () => {
      const c = createClient({ socket: { host: '127.0.0.1', port: port() }, RESP: 3 });
      h.track({ close: () => c.quit().then(() => undefined, () => undefined) });
      return c;
    };
    const q = h.track(new Queue(name, { connection: client() }));
    const qe = h.track(new QueueEvents(name, { connection: client() }));
    await qe.waitUntilReady();
    const results = new Map<string, unknown>();
    qe.on('completed', ({ jobId, returnvalue }) => results.set(jobId, returnvalue));
    const jobs = await q.addBulk(Array.from({ length: 20 }, (_, i) => ({ name: 'r3', data: { i } })));
    await q.add('late', { i: 100 }, { delay: 200, priority: 2 });
    h.track(new Worker(name, async (job) => ({ twice: job.data.i * 2 }), { connection: client(), concurrency: 5 }));
    await waitFor('21 completed events', () => results.size === 21);
    for (const job of jobs) expect(results.get(job.id!)).toEqual({ twice: job.data.i * 2 });
    expect(await q.getJobCounts('completed', 'wait', 'delayed', 'prioritized')).toEqual({ completed: 21, wait: 0, delayed: 0, prioritized: 0 });
  });

  test('BullMQ printed no warning (its server version and eviction policy checks passed)', () => {
    expect(h.warnings).toEqual([]);
  });
}
