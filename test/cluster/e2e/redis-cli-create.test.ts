import { afterEach, describe, expect, it } from 'vitest';
import { RespClient } from '../../helpers/resp-client.js';
import { redisServerPath } from '../../helpers/servers.js';
import { call, infoField, redisCli, redisNode, sluiceNode, until, type ClusterTestNode } from './cluster-harness.js';

/**
 * The cluster as an operator makes it: `redis-cli --cluster create` over
 * Sluice nodes, alone and mixed with real Redis nodes, then
 * `redis-cli --cluster check` and CLUSTER INFO on every node.
 */

let nodes: ClusterTestNode[] = [];

afterEach(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  nodes = [];
});

const addresses = () => nodes.map((n) => `127.0.0.1:${n.port}`);

async function create(replicas = 0): Promise<string> {
  return redisCli(['--cluster', 'create', ...addresses(), '--cluster-replicas', String(replicas), '--cluster-yes'], 90000);
}

async function everyNodeOk(): Promise<void> {
  for (const n of nodes) {
    await until(`cluster_state:ok on ${n.kind} ${n.port}`, async () => infoField((await call(n.port, 'CLUSTER', 'INFO')), 'cluster_state') === 'ok');
  }
}

async function checkClean(): Promise<void> {
  for (const n of nodes) {
    const check = await redisCli(['--cluster', 'check', `127.0.0.1:${n.port}`]);
    expect(check).toContain('[OK] All nodes agree about slots configuration.');
    expect(check).toContain('[OK] All 16384 slots covered.');
    expect(check).not.toMatch(/\[ERR\]|\[WARNING\]/);
  }
}

describe('redis-cli --cluster create', () => {
  it('makes a cluster of three Sluice masters that check finds clean and ok everywhere', async () => {
    nodes = [await sluiceNode(), await sluiceNode(), await sluiceNode()];
    const out = await create();
    expect(out).toContain('[OK] All 16384 slots covered.');
    await everyNodeOk();
    await checkClean();
    for (const n of nodes) {
      const info = (await call(n.port, 'CLUSTER', 'INFO'));
      expect(infoField(info, 'cluster_known_nodes')).toBe('3');
      expect(infoField(info, 'cluster_size')).toBe('3');
      expect((await call(n.port, 'INFO', 'cluster'))).toContain('cluster_enabled:1');
    }
  }, 120000);

  it('a key written through redis-cli -c is read back from every node by redirection', async () => {
    nodes = [await sluiceNode(), await sluiceNode(), await sluiceNode()];
    await create();
    await everyNodeOk();
    // Two of the three nodes do not serve foo's slot: they answer MOVED, which redis-cli -c follows.
    const moved = [];
    for (const n of nodes) if (/^MOVED \d+ 127\.0\.0\.1:\d+$/.test(await call(n.port, 'GET', 'foo'))) moved.push(n);
    expect(moved.length).toBe(2);
    expect((await redisCli(['-c', '-p', String(nodes[0].port), 'SET', 'foo', 'bar'])).trim()).toBe('OK');
    for (const n of nodes) expect((await redisCli(['-c', '-p', String(n.port), 'GET', 'foo'])).trim()).toBe('bar');
  }, 120000);

  it.skipIf(redisServerPath === null)('makes a mixed cluster of two Sluice nodes and a real Redis node', async () => {
    nodes = [await sluiceNode(), await redisNode(), await sluiceNode()];
    await create();
    await everyNodeOk();
    await checkClean();
    const fromRedis = (await call(nodes[1].port, 'CLUSTER', 'NODES'));
    expect(fromRedis.trim().split('\n')).toHaveLength(3);
    expect(fromRedis).not.toMatch(/handshake|fail|noaddr|disconnected/);

    // PUBLISH crosses the bus both ways: a subscriber on the Redis node hears a Sluice node, and the reverse.
    for (const [from, to] of [[nodes[0], nodes[1]], [nodes[1], nodes[2]]]) {
      const subscriber = await RespClient.connect(to.port);
      try {
        await subscriber.call('SUBSCRIBE', 'news');
        expect(await call(from.port, 'PUBLISH', 'news', `from ${from.kind}`)).toBe('0');
        const pushed = (await subscriber.read()) as { v: { v: unknown }[] };
        expect(pushed.v.map((part) => String(part.v))).toEqual(['message', 'news', `from ${from.kind}`]);
      } finally {
        subscriber.close();
      }
    }
  }, 120000);

  it.skipIf(redisServerPath === null)('makes three masters with a replica each, Sluice and Redis replicating one another', async () => {
    nodes = [await sluiceNode(), await redisNode(), await sluiceNode(), await sluiceNode(), await sluiceNode(), await redisNode()];
    const out = await create(1);
    expect(out).toContain('[OK] All 16384 slots covered.');
    await everyNodeOk();
    await until('every replica known as one everywhere', async () => {
      for (const n of nodes) {
        const text = (await call(n.port, 'CLUSTER', 'NODES'));
        if ((text.match(/slave/g) ?? []).length !== 3) return false;
      }
      return true;
    });
    await checkClean();
    for (const n of nodes) {
      const role = infoField((await call(n.port, 'INFO', 'replication')), 'role');
      if (role !== 'slave') continue;
      await until(`the replica at ${n.port} linked to its master`, async () => infoField((await call(n.port, 'INFO', 'replication')), 'master_link_status') === 'up').catch(async (e) => {
        throw new Error(`${(e as Error).message}\n${await call(n.port, 'INFO', 'replication')}\n${await call(n.port, 'CLUSTER', 'NODES')}\n${n.log().split('\n').slice(-30).join('\n')}\n${nodes.map((m) => `${m.port}:\n${m.log().split('\n').slice(-15).join('\n')}`).join('\n')}`);
      });
    }
  }, 150000);

  it.skipIf(redisServerPath === null)('a failed master is replaced by its replica, Sluice or Redis, elected by the other masters', async () => {
    nodes = [await sluiceNode(), await redisNode(), await sluiceNode(), await sluiceNode(), await sluiceNode(), await sluiceNode()];
    await create(1);
    await everyNodeOk();
    for (const failing of [nodes[0], nodes[1]]) {
      const name = await call(failing.port, 'CLUSTER', 'MYID');
      const survivors = nodes.filter((n) => n !== failing);
      const replica = await (async () => {
        for (const n of survivors) if ((await call(n.port, 'CLUSTER', 'NODES')).includes(`myself,slave ${name}`)) return n;
        throw new Error(`no replica of ${name}`);
      })();
      await failing.stop();
      nodes = survivors;
      await until(`the replica at ${replica.port} promoted`, async () => infoField(await call(replica.port, 'INFO', 'replication'), 'role') === 'master', 30000);
      await everyNodeOk();
    }
    await checkClean();
  }, 150000);

  it.skipIf(redisServerPath === null)('add-node --cluster-slave, then CLUSTER FAILOVER hands a shard to its replica with the master up, across Sluice and Redis', async () => {
    nodes = [await sluiceNode(), await redisNode(), await sluiceNode()];
    await create(0);
    await everyNodeOk();
    // A Redis replica of a Sluice master, and a Sluice replica of a Redis master.
    const pairs = [{ replica: await redisNode(), master: nodes[0] }, { replica: await sluiceNode(), master: nodes[1] }];
    for (const { replica, master } of pairs) {
      nodes.push(replica);
      const id = await call(master.port, 'CLUSTER', 'MYID');
      const out = await redisCli(['--cluster', 'add-node', `127.0.0.1:${replica.port}`, `127.0.0.1:${master.port}`, '--cluster-slave', '--cluster-master-id', id]);
      expect(out).toContain('[OK] New node added correctly.');
    }
    for (const { replica, master } of pairs) {
      await until(`the ${replica.kind} replica at ${replica.port} in sync`, async () => infoField(await call(replica.port, 'INFO', 'replication'), 'master_link_status') === 'up');
      await until(`the ${replica.kind} replica known to every node`, async () => {
        for (const n of nodes) if (!(await call(n.port, 'CLUSTER', 'NODES')).includes(`slave ${await call(master.port, 'CLUSTER', 'MYID')}`)) return false;
        return true;
      });
      expect(await call(replica.port, 'CLUSTER', 'FAILOVER')).toBe('OK');
      await until(`the ${replica.kind} replica at ${replica.port} promoted`, async () => infoField(await call(replica.port, 'INFO', 'replication'), 'role') === 'master');
      await until(`the ${master.kind} master at ${master.port} following it`, async () => infoField(await call(master.port, 'INFO', 'replication'), 'master_port') === String(replica.port));
    }
    await everyNodeOk();
    await checkClean();
  }, 150000);
});
