import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Redis } from 'ioredis';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuild } from '../../helpers/child-sluice.js';
import { redisServerPath } from '../../helpers/servers.js';
import { agreedClusterCheck, call, infoField, redisCli, sluiceChildNode, until, type ClusterTestNode } from './cluster-harness.js';

/**
 * Resharding as an operator does it, under a client's load: three Sluice
 * masters with a replica each, `redis-cli --cluster reshard` of 1,200
 * slots from one master to another (SETSLOT IMPORTING/MIGRATING, MIGRATE
 * … KEYS with RESTORE-ASKING, SETSLOT NODE), while an ioredis Cluster
 * client writes and reads seeded keys, following MOVED and ASK. Every
 * request is answered, every value is the last one written, no key is lost.
 */

beforeAll(() => ensureBuild(), 120_000);

let nodes: ClusterTestNode[] = [];
let dir = '';

afterEach(async () => {
  await Promise.all(nodes.map((n) => n.stop().catch(() => {})));
  nodes = [];
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

const KEYS = 3000;

describe.skipIf(redisServerPath === null)('redis-cli --cluster reshard under load', () => {
  it('moves 1,200 slots between Sluice masters while a cluster client reads and writes, losing nothing', { timeout: 180_000 }, async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-reshard-'));
    for (let i = 0; i < 6; i++) {
      const own = path.join(dir, String(i));
      mkdirSync(own);
      nodes.push(await sluiceChildNode(own));
    }
    await redisCli(['--cluster', 'create', ...nodes.map((n) => `127.0.0.1:${n.port}`), '--cluster-replicas', '1', '--cluster-yes'], 120_000);
    for (const n of nodes) {
      await until(`cluster_state:ok and six nodes on ${n.port}`, async () => {
        const info = await call(n.port, 'CLUSTER', 'INFO');
        return infoField(info, 'cluster_state') === 'ok' && infoField(info, 'cluster_known_nodes') === '6';
      }, 60_000);
    }
    const client = new Redis.Cluster([{ host: '127.0.0.1', port: nodes[0].port }], { maxRedirections: 64, retryDelayOnMoved: 10 });
    try {
      const expected = new Map<string, string>();
      for (let i = 0; i < KEYS; i++) {
        await client.set(`key:${i}`, `v0:${i}`);
        expected.set(`key:${i}`, `v0:${i}`);
      }
      const masters = (await call(nodes[0].port, 'CLUSTER', 'NODES')).split('\n').filter((l) => l.includes('master') && / 0-/.test(l));
      const from = masters[0].split(' ')[0];
      const toLine = (await call(nodes[0].port, 'CLUSTER', 'NODES')).split('\n').find((l) => l.includes('master') && !l.startsWith(from) && / \d+-\d+/.test(l))!;
      const to = toLine.split(' ')[0];

      let running = true;
      let requests = 0;
      const errors: string[] = [];
      const load = (async () => {
        for (let round = 1; running; round++) {
          for (let i = 0; i < 50 && running; i++) {
            const key = `key:${(round * 131 + i * 17) % KEYS}`;
            try {
              if (i % 2 === 0) {
                const value = `v${round}:${i}`;
                await client.set(key, value);
                expected.set(key, value);
              } else {
                const got = await client.get(key);
                if (got !== expected.get(key)) errors.push(`${key}: got ${got}, expected ${expected.get(key)}`);
              }
              requests++;
            } catch (e) {
              errors.push(`${key}: ${(e as Error).message}`);
            }
          }
        }
      })();
      const out = await redisCli(['--cluster', 'reshard', `127.0.0.1:${nodes[0].port}`, '--cluster-from', from, '--cluster-to', to,
        '--cluster-slots', '1200', '--cluster-yes', '--cluster-pipeline', '50'], 150_000);
      running = false;
      await load;
      expect(out).not.toMatch(/\[ERR\]/);
      expect(errors).toEqual([]);
      expect(requests).toBeGreaterThan(100);
      const check = await agreedClusterCheck(nodes[0].port);
      expect(check).toContain('[OK] All nodes agree about slots configuration.');
      expect(check).toContain('[OK] All 16384 slots covered.');
      const moved = (await call(nodes[0].port, 'CLUSTER', 'NODES')).split('\n').find((l) => l.startsWith(to))!;
      expect(moved.split(' ').slice(8).length).toBeGreaterThan(1);
      for (const [key, value] of expected) expect(await client.get(key), key).toBe(value);
    } finally {
      client.disconnect();
    }
  });
});
