import { afterEach, describe, expect, it } from 'vitest';
import { freePort, startSluice, type TestSluice } from '../../helpers/servers.js';
import { call, until } from './cluster-harness.js';

/**
 * bind-source-addr and the cluster bus: as Redis's clusterCron connects
 * its links from that address, a node's outbound bus links go out from it,
 * and a peer that learns the node's address from the MEET it receives (no
 * cluster-announce-ip) records that address.
 */

let nodes: TestSluice[] = [];
afterEach(async () => {
  await Promise.all(nodes.map((n) => n.close()));
  nodes = [];
});

const CLUSTER = { 'cluster-enabled': 'yes', 'cluster-node-timeout': '3000' };

describe('bind-source-addr on a cluster node', () => {
  it("makes the bus's outbound links go out from that address, which the peer it meets records", async () => {
    // Both loopback addresses bound, so that the peer can reach the node back where it saw it come from.
    const from = await startSluice({ port: await freePort(), bind: '127.0.0.1 127.0.0.2', config: { ...CLUSTER, 'bind-source-addr': '127.0.0.2' } });
    nodes.push(from);
    const peer = await startSluice({ port: await freePort(), config: CLUSTER });
    nodes.push(peer);
    const id = (await call(from.port, 'CLUSTER', 'MYID')).trim();
    expect(await call(from.port, 'CLUSTER', 'MEET', '127.0.0.1', String(peer.port))).toBe('OK');
    await until('the peer knows the node, out of handshake', async () => {
      const line = (await call(peer.port, 'CLUSTER', 'NODES')).split('\n').find((l) => l.startsWith(`${id} `));
      return line !== undefined && !line.includes('handshake');
    });
    const line = (await call(peer.port, 'CLUSTER', 'NODES')).split('\n').find((l) => l.startsWith(`${id} `))!;
    expect(line.split(' ')[1]).toBe(`127.0.0.2:${from.port}@${from.port + 10000}`);
    // And the node itself is connected to the peer: the links work both ways.
    await until('the node sees its peer connected', async () => {
      const own = (await call(from.port, 'CLUSTER', 'NODES')).split('\n').filter((l) => l !== '' && !l.includes('myself'));
      return own.length === 1 && own[0].includes(' connected');
    });
  }, 30000);

  it('that is not an address fails the bus links as refused connections, and the node goes on serving', async () => {
    const from = await startSluice({ port: await freePort(), config: { ...CLUSTER, 'bind-source-addr': 'not-an-address', loglevel: 'verbose' } });
    nodes.push(from);
    const peer = await startSluice({ port: await freePort(), config: CLUSTER });
    nodes.push(peer);
    const id = (await call(from.port, 'CLUSTER', 'MYID')).trim();
    expect(await call(from.port, 'CLUSTER', 'MEET', '127.0.0.1', String(peer.port))).toBe('OK');
    await new Promise((r) => setTimeout(r, 500));
    expect(await call(from.port, 'PING')).toBe('PONG');
    expect(await call(peer.port, 'CLUSTER', 'NODES')).not.toContain(id);
    // Each link fails as a connection would, logged at verbose; the cluster's cron itself goes on.
    expect(from.logs.raw).toMatch(/ - Connection with Node [0-9a-f]{40} at 127\.0\.0\.1:\d+ failed: Invalid IP address: not-an-address/);
    expect(from.logs.raw).not.toContain('Cluster cron failed');
  }, 30000);
});
