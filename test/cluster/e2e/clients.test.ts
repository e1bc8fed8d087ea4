import { FlowProducer, Queue, Worker, type Job } from 'bullmq';
import { Redis, type Cluster } from 'ioredis';
import { createCluster } from 'redis';
import { afterEach, describe, expect, it } from 'vitest';
import { call, infoField, redisCli, sluiceNode, until, type ClusterTestNode } from './cluster-harness.js';

/**
 * The cluster clients Node shops use, on three Sluice masters: keys
 * spread over every node, a transaction on one hash slot, PUBLISH heard on
 * every node, SSUBSCRIBE answered by the channel's shard; and BullMQ
 * through ioredis' Cluster, as BullMQ's own CI runs it on a cluster: a
 * `{b}` prefix puts every key of a queue in one slot, so each script's keys
 * are on one node.
 */

let nodes: ClusterTestNode[] = [];
const closers: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close().catch(() => {});
  await Promise.all(nodes.map((n) => n.stop()));
  nodes = [];
});

async function threeMasters(): Promise<void> {
  nodes = [await sluiceNode(), await sluiceNode(), await sluiceNode()];
  await redisCli(['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-yes'], 90_000);
  for (const n of nodes) await until(`cluster_state:ok on ${n.port}`, async () => infoField(await call(n.port, 'CLUSTER', 'INFO'), 'cluster_state') === 'ok');
}

/** An ioredis Cluster client as BullMQ needs it (no retry limit), closed after the test. */
function clusterClient(port: number): Cluster {
  const c = new Redis.Cluster([{ host: '127.0.0.1', port }], { redisOptions: { maxRetriesPerRequest: null } });
  closers.push(() => c.quit());
  return c;
}

describe('cluster clients on Sluice', () => {
  it('node-redis createCluster: keys on every node, MULTI on one slot, sharded pub/sub', { timeout: 90_000 }, async () => {
    await threeMasters();
    const client = createCluster({ rootNodes: [{ url: `redis://127.0.0.1:${nodes[0].port}` }] });
    await client.connect();
    closers.push(() => client.quit());
    for (let i = 0; i < 200; i++) await client.set(`k${i}`, `v${i}`);
    for (let i = 0; i < 200; i += 37) expect(await client.get(`k${i}`)).toBe(`v${i}`);
    const perNode = await Promise.all(nodes.map(async (n) => Number(await call(n.port, 'DBSIZE'))));
    expect(perNode.every((k) => k > 0)).toBe(true);
    expect(perNode.reduce((a, b) => a + b)).toBe(200);
    const replies = await client.multi().incr('{acct}:balance').incrBy('{acct}:balance', 9).get('{acct}:balance').exec();
    expect(replies).toEqual([1, 10, '10']);
    const heard: string[] = [];
    await client.sSubscribe('orders', (message) => heard.push(message));
    expect(await client.sPublish('orders', 'first')).toBe(1);
    await until('the sharded message', async () => heard.length === 1, 5000);
    expect(heard).toEqual(['first']);
  });

  it('ioredis Cluster: PUBLISH reaches a subscriber on another node, SSUBSCRIBE elsewhere is MOVED', { timeout: 90_000 }, async () => {
    await threeMasters();
    const sub = new Redis({ port: nodes[2].port });
    closers.push(() => sub.quit());
    const heard: string[] = [];
    sub.on('message', (_channel, message) => heard.push(message));
    await sub.subscribe('news');
    const pub = new Redis.Cluster([{ host: '127.0.0.1', port: nodes[0].port }]);
    closers.push(() => pub.quit());
    await pub.publish('news', 'over the bus');
    await until('the message from another node', async () => heard.length === 1, 5000);
    expect(heard).toEqual(['over the bus']);
    // A shard channel belongs to its slot's node: the two others redirect.
    const answers = await Promise.all(nodes.map(async (n) => {
      const c = new Redis({ port: n.port, lazyConnect: true, maxRetriesPerRequest: 0 });
      await c.connect();
      try {
        return String(await c.call('SSUBSCRIBE', 'orders').catch((e: Error) => e.message));
      } finally {
        c.disconnect();
      }
    }));
    expect(answers.filter((a) => a.startsWith('MOVED ')).length).toBe(2);
  });
});

describe('BullMQ through an ioredis Cluster', () => {
  it('processes jobs, a delayed job and a flow on three Sluice masters with a {b} prefix', { timeout: 120_000 }, async () => {
    await threeMasters();

    const prefix = '{b}';
    const queue = new Queue('jobs', { connection: clusterClient(nodes[0].port), prefix });
    closers.push(() => queue.close());
    const done: string[] = [];
    const worker = new Worker('jobs', async (job: Job) => {
      done.push(job.name);
      return job.data.n * 2;
    }, { connection: clusterClient(nodes[1].port), prefix, concurrency: 5 });
    closers.push(() => worker.close());

    await queue.addBulk(Array.from({ length: 40 }, (_, n) => ({ name: `job${n}`, data: { n } })));
    await queue.add('later', { n: 100 }, { delay: 300 });
    const flows = new FlowProducer({ connection: clusterClient(nodes[2].port), prefix });
    closers.push(() => flows.close());
    await flows.add({ name: 'parent', queueName: 'jobs', data: { n: 0 }, children: [
      { name: 'child1', queueName: 'jobs', data: { n: 1 } },
      { name: 'child2', queueName: 'jobs', data: { n: 2 } },
    ] });

    await until('every job done', async () => (await queue.getCompletedCount()) === 44, 60_000);
    expect(done).toContain('later');
    // The parent runs only once both children are done.
    expect(done.indexOf('parent')).toBeGreaterThan(Math.max(done.indexOf('child1'), done.indexOf('child2')));
    const jobs = await queue.getJobs(['completed'], 0, 100);
    expect(jobs.find((j) => j.name === 'job7')?.returnvalue).toBe(14);
    // Every key of the queue is in the {b} slot, on one node; the other two hold none of them.
    const slot = Number(await call(nodes[0].port, 'CLUSTER', 'KEYSLOT', '{b}'));
    const counts = await Promise.all(nodes.map(async (n) => Number(await call(n.port, 'CLUSTER', 'COUNTKEYSINSLOT', String(slot)))));
    expect(counts.filter((k) => k > 0).length).toBe(1);
    expect(counts.reduce((a, b) => a + b)).toBeGreaterThan(40);
  });
});
