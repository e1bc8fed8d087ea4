import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { makeCerts, type TestCerts } from '../../helpers/tls-certs.js';
import { call, infoField, redisCli, sluiceTlsNode, until, type ClusterTestNode } from './cluster-harness.js';

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
});
