import { afterEach, describe, expect, it } from 'vitest';
import { RespClient } from '../../helpers/resp-client.js';
import { redisServerPath } from '../../helpers/servers.js';
import { call, infoField, redisCli, redisNode, sluiceNode, until, type ClusterTestNode } from './cluster-harness.js';

/**
 * Failover decided by the nodes themselves: a master stops, its replica is
 * elected by the other masters (Sluice's and Redis's votes alike), takes
 * its slots, and keeps every write the clients saw acknowledged by WAIT;
 * and CLUSTER FAILOVER, where the master hands over with nothing lost.
 */

let nodes: ClusterTestNode[] = [];

afterEach(async () => {
  await Promise.all(nodes.map((n) => n.stop().catch(() => {})));
  nodes = [];
});

const myId = (n: ClusterTestNode) => call(n.port, 'CLUSTER', 'MYID');

/** Three masters by redis-cli --cluster create, and `replica` added as a replica of the first. */
async function threeMastersAndReplica(masters: ClusterTestNode[], replica: ClusterTestNode): Promise<void> {
  nodes = [...masters, replica];
  await redisCli(['--cluster', 'create', ...masters.map((n) => `127.0.0.1:${n.port}`), '--cluster-yes'], 90000);
  const masterId = await myId(masters[0]);
  await redisCli(['--cluster', 'add-node', `127.0.0.1:${replica.port}`, `127.0.0.1:${masters[0].port}`, '--cluster-slave', '--cluster-master-id', masterId], 60000);
  await until('the replica in sync', async () => infoField(await call(replica.port, 'INFO', 'replication'), 'master_link_status') === 'up', 30000);
  const replicaId = await myId(replica);
  for (const n of nodes) {
    await until(`every node knowing the replica as the first master's (${n.kind} ${n.port})`, async () => {
      const info = await call(n.port, 'CLUSTER', 'INFO');
      if (infoField(info, 'cluster_state') !== 'ok' || infoField(info, 'cluster_known_nodes') !== '4') return false;
      const line = (await call(n.port, 'CLUSTER', 'NODES')).split('\n').find((l) => l.startsWith(replicaId));
      return line !== undefined && line.split(' ')[2].includes('slave') && line.split(' ')[3] === masterId;
    }, 30000);
  }
}

/** Keys of slot 0 (the first master's), each SET acknowledged by WAIT 1, on the same connection, before the next. */
async function acknowledgedWrites(master: ClusterTestNode, count: number): Promise<string[]> {
  const c = await RespClient.connect(master.port);
  try {
    const keys: string[] = [];
    for (let i = 0; i < count; i++) {
      const key = `{3560}:${i}`;
      expect(await c.call('SET', key, `v${i}`)).toEqual({ t: 'simple', v: 'OK' });
      expect(await c.call('WAIT', '1', '5000')).toEqual({ t: 'int', v: '1' });
      keys.push(key);
    }
    return keys;
  } finally {
    c.close();
  }
}

/** Until the two surviving masters show `replica` as a master serving slot 0 and say the cluster is ok. */
async function promoted(survivors: ClusterTestNode[], replicaId: string): Promise<void> {
  for (const n of survivors) {
    await until(`${n.kind} ${n.port} seeing the replica promoted`, async () => {
      const line = (await call(n.port, 'CLUSTER', 'NODES')).split('\n').find((l) => l.startsWith(replicaId));
      if (line === undefined || !line.split(' ')[2].includes('master') || !/ 0-\d+/.test(line)) return false;
      return infoField(await call(n.port, 'CLUSTER', 'INFO'), 'cluster_state') === 'ok';
    }, 30000);
  }
}

describe.skipIf(redisServerPath === null)('a master stops: its replica is elected', () => {
  it('Sluice nodes: the replica takes over within the node timeout and the election delay, with every acknowledged write', { timeout: 60000 }, async () => {
    const masters = [await sluiceNode(), await sluiceNode(), await sluiceNode()];
    const replica = await sluiceNode();
    await threeMastersAndReplica(masters, replica);
    const keys = await acknowledgedWrites(masters[0], 50);
    const replicaId = await myId(replica);
    const stoppedAt = Date.now();
    await masters[0].stop();
    await promoted(masters.slice(1), replicaId);
    // cluster-node-timeout 3000 ms to FAIL, then 500-1000 ms before the election: Redis's bounds, with room for a loaded machine.
    expect(Date.now() - stoppedAt).toBeLessThan(15000);
    expect(replica.log()).toContain("Failover election won: I'm the new master.");
    for (const [i, key] of keys.entries()) expect(await call(replica.port, 'GET', key)).toBe(`v${i}`);
    expect(infoField(await call(replica.port, 'INFO', 'replication'), 'role')).toBe('master');
  });

  const mixes = [
    { title: 'real Redis masters elect a Sluice replica of a Redis master', masters: [redisNode, redisNode, sluiceNode], replica: sluiceNode },
    { title: 'Sluice masters elect a real Redis replica of a Sluice master', masters: [sluiceNode, sluiceNode, redisNode], replica: redisNode },
  ];
  for (const mix of mixes) {
    it(`mixed: ${mix.title}`, { timeout: 60000 }, async () => {
      const masters: ClusterTestNode[] = [];
      for (const start of mix.masters) masters.push(await start());
      const replica = await mix.replica();
      await threeMastersAndReplica(masters, replica);
      const keys = await acknowledgedWrites(masters[0], 20);
      const replicaId = await myId(replica);
      await masters[0].stop();
      await promoted(masters.slice(1), replicaId);
      for (const [i, key] of keys.entries()) expect(await call(replica.port, 'GET', key)).toBe(`v${i}`);
      // The voters' side, where the surviving first voter is a Sluice node.
      if (masters[1].kind === 'sluice') expect(masters[1].log()).toMatch(new RegExp(`Failover auth granted to ${replicaId} \\(\\) for epoch \\d+`));
    });
  }
});

describe.skipIf(redisServerPath === null)('CLUSTER FAILOVER', () => {
  it('hands a Sluice master over to its replica with no acknowledged write lost; the old master follows the new one', { timeout: 60000 }, async () => {
    const masters = [await sluiceNode(), await sluiceNode(), await sluiceNode()];
    const replica = await sluiceNode();
    await threeMastersAndReplica(masters, replica);
    const keys = await acknowledgedWrites(masters[0], 30);
    const replicaId = await myId(replica);
    expect(await call(replica.port, 'CLUSTER', 'FAILOVER')).toBe('OK');
    await promoted(masters, replicaId);
    expect(masters[0].log()).toContain(`Manual failover requested by replica ${replicaId} ().`);
    expect(replica.log()).toContain('All master replication stream processed, manual failover can start.');
    await until('the old master replicating the new one', async () => {
      const info = await call(masters[0].port, 'INFO', 'replication');
      return infoField(info, 'role') === 'slave' && infoField(info, 'master_port') === String(replica.port) && infoField(info, 'master_link_status') === 'up';
    }, 30000);
    for (const [i, key] of keys.entries()) expect(await call(replica.port, 'GET', key)).toBe(`v${i}`);
    expect(await call(masters[1].port, 'CLUSTER', 'FAILOVER')).toBe('ERR You should send CLUSTER FAILOVER to a replica');
  });

  it('TAKEOVER on a Sluice replica of a real Redis master', { timeout: 60000 }, async () => {
    const masters = [await redisNode(), await sluiceNode(), await sluiceNode()];
    const replica = await sluiceNode();
    await threeMastersAndReplica(masters, replica);
    const replicaId = await myId(replica);
    expect(await call(replica.port, 'CLUSTER', 'FAILOVER', 'TAKEOVER')).toBe('OK');
    await promoted(masters.slice(1), replicaId);
    await until('the Redis master following its replica', async () => infoField(await call(masters[0].port, 'INFO', 'replication'), 'master_port') === String(replica.port), 30000);
  });
});
