import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { keyHashSlot } from '../../../src/cluster/key-slot.js';
import { makeCerts, type TestCerts } from '../../helpers/tls-certs.js';
import { call, infoField, redisCli, sluiceTlsChildNode, sluiceTlsNode, until, type ClusterTestNode } from './cluster-harness.js';

/** tls-cluster: the bus over TLS, every peer's certificate checked; redis-cli --tls makes the cluster over the TLS ports. */

let certs: TestCerts;
let nodes: (ClusterTestNode & { tlsPort: number })[] = [];

beforeAll(() => {
  certs = makeCerts();
});

afterEach(async () => {
  await Promise.all(nodes.map((n) => n.stop()));
  nodes = [];
});

let dirs: string[] = [];
afterEach(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
  dirs = [];
});

afterAll(() => certs.remove());

describe('a cluster whose bus speaks TLS', () => {
  it('is created and checked by redis-cli --tls, and every node says ok', async () => {
    nodes = [await sluiceTlsNode(certs), await sluiceTlsNode(certs), await sluiceTlsNode(certs)];
    const tlsArgs = ['--tls', '--cacert', certs.caCert, '--cert', certs.clientCert, '--key', certs.clientKey];
    const addresses = nodes.map((n) => `127.0.0.1:${n.tlsPort}`);
    const out = await redisCli([...tlsArgs, '--cluster', 'create', ...addresses, '--cluster-yes'], 90000);
    expect(out).toContain('[OK] All 16384 slots covered.');
    for (const n of nodes) {
      await until(`cluster_state:ok on ${n.port}`, async () => infoField(await call(n.port, 'CLUSTER', 'INFO'), 'cluster_state') === 'ok');
      // A plain client is shown the plain ports, as Redis shows a client the ports of its own kind.
      expect(await call(n.port, 'CLUSTER', 'NODES')).toContain(`127.0.0.1:${nodes[0].port}@${nodes[0].tlsPort + 10000}`);
      const lines = (await call(n.port, 'CLUSTER', 'NODES')).trim().split('\n');
      expect(lines).toHaveLength(3);
      for (const line of lines) expect(line).not.toMatch(/handshake|fail|disconnected/);
    }
    const check = await redisCli([...tlsArgs, '--cluster', 'check', addresses[0]]);
    expect(check).toContain('[OK] All nodes agree about slots configuration.');
  }, 120000);

  it('is resharded by redis-cli --tls: MIGRATE reaches its target over TLS, as Redis\'s does under tls-cluster', async () => {
    for (let i = 0; i < 3; i++) {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-tls-reshard-'));
      dirs.push(dir);
      nodes.push(await sluiceTlsChildNode(dir, certs));
    }
    const tlsArgs = ['--tls', '--cacert', certs.caCert, '--cert', certs.clientCert, '--key', certs.clientKey];
    const addresses = nodes.map((n) => `127.0.0.1:${n.tlsPort}`);
    expect(await redisCli([...tlsArgs, '--cluster', 'create', ...addresses, '--cluster-yes'], 90000)).toContain('[OK] All 16384 slots covered.');
    await until('every node says the cluster is ok', async () => {
      for (const n of nodes) if (infoField(await call(n.port, 'CLUSTER', 'INFO'), 'cluster_state') !== 'ok') return false;
      return true;
    });
    // redis-cli --cluster create gives the first node slots 0 to 5460: keys in its first 1,000 slots, which the reshard moves.
    const keys = Array.from({ length: 20000 }, (_, i) => `tls-key:${i}`).filter((k) => keyHashSlot(k) < 1000);
    for (const k of keys) expect(await call(nodes[0].port, 'SET', k, `v:${k}`)).toBe('OK');
    const to = (await call(nodes[1].port, 'CLUSTER', 'MYID')).trim();
    const from = (await call(nodes[0].port, 'CLUSTER', 'MYID')).trim();
    const out = await redisCli([...tlsArgs, '--cluster', 'reshard', addresses[0], '--cluster-from', from, '--cluster-to', to, '--cluster-slots', '1000', '--cluster-yes'], 120000);
    expect(out).not.toMatch(/ERR|IOERR|failed/i);
    expect(await call(nodes[0].port, 'DBSIZE')).toBe('0');
    expect(await call(nodes[1].port, 'DBSIZE')).toBe(String(keys.length));
    for (const k of [keys[0], keys[keys.length - 1]]) expect(await call(nodes[1].port, 'GET', k)).toBe(`v:${k}`);
    const check = await redisCli([...tlsArgs, '--cluster', 'check', addresses[1]]);
    expect(check).toContain('[OK] All nodes agree about slots configuration.');
  }, 180000);
});
