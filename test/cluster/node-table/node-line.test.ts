import { describe, expect, it } from 'vitest';
import { addSlot, newSlotBitmap } from '../../../src/cluster/slot-bitmap.js';
import { clusterNodesReply } from '../../../src/cluster/node-table/cluster-nodes-reply.js';
import type { ClusterNode, ClusterNodeTable, NodeFlag } from '../../../src/cluster/node-table/node.js';
import { writeNodesConf } from '../../../src/cluster/node-table/nodes-conf-write.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const S = 's'.repeat(40);

function node(name: string, flags: NodeFlag[], more: Partial<ClusterNode> = {}): ClusterNode {
  return {
    name, ip: '127.0.0.1', tcpPort: 7000, tlsPort: 0, cport: 17000, hostname: '', humanNodename: '', shardId: S,
    flags: new Set(flags), master: null, pingSent: 0, pongReceived: 0, configEpoch: 1n, linkConnected: true,
    slots: newSlotBitmap(), replicationOffset: 0, ...more,
  };
}

function table(nodes: ClusterNode[], more: Partial<ClusterNodeTable> = {}): ClusterNodeTable {
  return { nodes, myself: A, currentEpoch: 1n, lastVoteEpoch: 0n, migratingTo: new Map(), importingFrom: new Map(), ...more };
}

describe('a node\'s line in nodes.conf and CLUSTER NODES', () => {
  it('writes aux fields only to the 7.2 file, after a comma standing for the empty hostname', () => {
    const t = table([node(A, ['myself', 'master'], { humanNodename: 'alpha' })]);
    expect(writeNodesConf(t)).toBe(`${A} 127.0.0.1:7000@17000,,tls-port=0,nodename=alpha,shard-id=${S} myself,master - 0 0 1 connected\nvars currentEpoch 1 lastVoteEpoch 0\n`);
    expect(writeNodesConf(t, '7.0')).toBe(`${A} 127.0.0.1:7000@17000 myself,master - 0 0 1 connected\nvars currentEpoch 1 lastVoteEpoch 0\n`);
    expect(clusterNodesReply(t)).toBe(`${A} 127.0.0.1:7000@17000 myself,master - 0 0 1 connected\n`);
  });

  it('shows the hostname after the address, in the file and the reply alike', () => {
    const t = table([node(A, ['myself', 'master'], { hostname: 'a.example' })]);
    expect(writeNodesConf(t).split('\n')[0]).toContain('127.0.0.1:7000@17000,a.example,tls-port=0,shard-id=');
    expect(clusterNodesReply(t)).toContain('127.0.0.1:7000@17000,a.example myself');
  });

  it('gives a TLS client the TLS port, and the plain port then goes into the aux fields', () => {
    const t = table([node(A, ['myself', 'master'], { tlsPort: 7443 })]);
    expect(clusterNodesReply(t, true)).toBe(`${A} 127.0.0.1:7443@17000 myself,master - 0 0 1 connected\n`);
    expect(writeNodesConf(t)).toContain(':7000@17000,,tls-port=7443,');
  });

  it('writes flags in Redis\'s order, and noflags for none', () => {
    const t = table([node(A, ['myself', 'master']), node(B, ['nofailover', 'fail', 'fail?', 'slave'], { master: A })]);
    expect(clusterNodesReply(t).split('\n')[1]).toContain(' slave,fail?,fail,nofailover ');
    t.nodes[1].flags.clear();
    expect(clusterNodesReply(t).split('\n')[1]).toContain(' noflags ');
  });

  it('leaves handshaking nodes out of the file but not out of CLUSTER NODES', () => {
    const t = table([node(A, ['myself', 'master']), node(B, ['handshake'])]);
    expect(writeNodesConf(t)).not.toContain(B);
    expect(clusterNodesReply(t)).toContain(B);
  });

  it('shows the myself node as connected, and others by their link', () => {
    const t = table([node(A, ['myself', 'master'], { linkConnected: false }), node(B, ['master'], { linkConnected: false })]);
    const [mine, other] = clusterNodesReply(t).split('\n');
    expect(mine).toMatch(/ connected$/);
    expect(other).toMatch(/ disconnected$/);
  });

  it('writes single slots alone and runs as ranges', () => {
    const slots = newSlotBitmap();
    for (const s of [0, 1, 2, 5, 16383]) addSlot(slots, s);
    expect(clusterNodesReply(table([node(A, ['myself', 'master'], { slots })]))).toMatch(/ connected 0-2 5 16383\n$/);
  });

  it('puts slot moves on the myself line only, a slot both migrating and importing shown as migrating', () => {
    const t = table([node(A, ['myself', 'master']), node(B, ['master'])], {
      migratingTo: new Map([[9, B], [3, B]]), importingFrom: new Map([[9, B], [4, B]]),
    });
    const [mine, other] = clusterNodesReply(t).split('\n');
    expect(mine).toMatch(new RegExp(` connected \\[3->-${B}\\] \\[4-<-${B}\\] \\[9->-${B}\\]$`));
    expect(other).toMatch(/ connected$/);
  });

  it('shows a replica with its master\'s config epoch', () => {
    const t = table([node(A, ['myself', 'master'], { configEpoch: 8n }), node(B, ['slave'], { master: A, configEpoch: 0n })]);
    expect(clusterNodesReply(t).split('\n')[1]).toBe(`${B} 127.0.0.1:7000@17000 slave ${A} 0 0 8 connected`);
  });
});
