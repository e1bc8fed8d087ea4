import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { redisServerPath } from '../../helpers/servers.js';
import { agreedClusterCheck, call, infoField, redisCli, redisNode, sluiceNode, until, type ClusterTestNode } from './cluster-harness.js';

/**
 * A cluster of Redis and Sluice masters changed as an operator changes it:
 * slots with their keys moved from a Redis master to a Sluice master
 * (Redis's MIGRATE … KEYS into Sluice, with RESTORE-ASKING), then a Sluice
 * node added empty and removed again with `--cluster del-node`. The other
 * direction needs a Redis 7.2 target (7.0 cannot read RDB 11 payloads,
 * Redis 7.2's own included).
 */

let nodes: ClusterTestNode[] = [];

afterEach(async () => {
  await Promise.all(nodes.map((n) => n.stop().catch(() => {})));
  nodes = [];
});

const idOf = (n: ClusterTestNode) => call(n.port, 'CLUSTER', 'MYID');

async function checkClean(port: number): Promise<void> {
  const check = await agreedClusterCheck(port);
  expect(check).toContain('[OK] All nodes agree about slots configuration.');
  expect(check).toContain('[OK] All 16384 slots covered.');
}

describe.skipIf(redisServerPath === null)('a mixed cluster resharded and resized with redis-cli', () => {
  it('moves 500 slots with their keys from a Redis master to a Sluice master, then adds and deletes a Sluice node', { timeout: 120_000 }, async () => {
    nodes = [await redisNode(), await sluiceNode(), await redisNode()];
    await redisCli(['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-yes'], 90_000);
    for (const n of nodes) await until(`cluster_state:ok on ${n.port}`, async () => infoField(await call(n.port, 'CLUSTER', 'INFO'), 'cluster_state') === 'ok');
    const client = new Redis.Cluster([{ host: '127.0.0.1', port: nodes[1].port }]);
    try {
      for (let i = 0; i < 1000; i++) await client.set(`key:${i}`, `v${i}`);
      const [redisId, sluiceId] = await Promise.all([idOf(nodes[0]), idOf(nodes[1])]);
      const before = Number(await call(nodes[1].port, 'DBSIZE'));
      await redisCli(['--cluster', 'reshard', `127.0.0.1:${nodes[0].port}`, '--cluster-from', redisId, '--cluster-to', sluiceId,
        '--cluster-slots', '500', '--cluster-yes'], 90_000);
      await checkClean(nodes[1].port);
      expect(Number(await call(nodes[1].port, 'DBSIZE'))).toBeGreaterThan(before);
      for (let i = 0; i < 1000; i++) expect(await client.get(`key:${i}`)).toBe(`v${i}`);

      const extra = await sluiceNode();
      nodes.push(extra);
      await redisCli(['--cluster', 'add-node', `127.0.0.1:${extra.port}`, `127.0.0.1:${nodes[0].port}`], 60_000);
      const extraId = await idOf(extra);
      for (const n of nodes) {
        await until(`${n.port} knowing the new node`, async () => (await call(n.port, 'CLUSTER', 'NODES')).includes(extraId), 30_000);
      }
      await redisCli(['--cluster', 'del-node', `127.0.0.1:${nodes[0].port}`, extraId], 60_000);
      for (const n of nodes.slice(0, 3)) {
        expect(await call(n.port, 'CLUSTER', 'NODES')).not.toContain(extraId);
        expect(infoField(await call(n.port, 'CLUSTER', 'INFO'), 'cluster_known_nodes')).toBe('3');
      }
      await checkClean(nodes[0].port);
    } finally {
      client.disconnect();
    }
  });
});
