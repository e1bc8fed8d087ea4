import { describe, expect, it } from 'vitest';
import { addSlot, newSlotBitmap } from '../../../src/cluster/slot-bitmap.js';
import { clusterShardsReply } from '../../../src/cluster/node-table/cluster-shards-reply.js';
import { clusterSlotsReply } from '../../../src/cluster/node-table/cluster-slots-reply.js';
import type { ClusterNode, ClusterNodeTable, NodeFlag } from '../../../src/cluster/node-table/node.js';

const A = 'a'.repeat(40);
const B = 'b'.repeat(40);
const C = 'c'.repeat(40);

function slots(from: number, to: number): Uint8Array {
  const bitmap = newSlotBitmap();
  for (let s = from; s <= to; s++) addSlot(bitmap, s);
  return bitmap;
}

function node(name: string, flags: NodeFlag[], more: Partial<ClusterNode> = {}): ClusterNode {
  return {
    name, ip: '10.0.0.1', tcpPort: 7000, tlsPort: 0, cport: 17000, hostname: '', humanNodename: '', shardId: null,
    flags: new Set(flags), master: null, pingSent: 0, pongReceived: 0, configEpoch: 1n, linkConnected: true,
    slots: newSlotBitmap(), replicationOffset: 10, ...more,
  };
}

function table(nodes: ClusterNode[]): ClusterNodeTable {
  return { nodes, myself: A, currentEpoch: 1n, lastVoteEpoch: 0n, migratingTo: new Map(), importingFrom: new Map() };
}

const ip = { endpointType: 'ip', tlsClient: false } as const;

describe('CLUSTER SLOTS', () => {
  it('lists each run of slots with its master, then its available replicas', () => {
    const t = table([
      node(A, ['myself', 'master'], { slots: slots(0, 9) }),
      node(B, ['slave'], { master: A, ip: '10.0.0.2' }),
      node(C, ['slave', 'fail'], { master: A }),
    ]);
    expect(clusterSlotsReply(t, ip)).toEqual([[0, 9, ['10.0.0.1', 7000, A, new Map()], ['10.0.0.2', 7000, B, new Map()]]]);
  });

  it('leaves out a replica that has no replication offset yet', () => {
    const t = table([node(A, ['myself', 'master'], { slots: slots(0, 0) }), node(B, ['slave'], { master: A, replicationOffset: 0 })]);
    expect(clusterSlotsReply(t, ip)).toEqual([[0, 0, ['10.0.0.1', 7000, A, new Map()]]]);
  });

  it('leads with the hostname, or "?" for none, when hostnames are preferred, and gives the ip aside', () => {
    const t = table([node(A, ['myself', 'master'], { slots: slots(0, 0), hostname: 'a.example' }), node(B, ['master'], { slots: slots(1, 1) })]);
    expect(clusterSlotsReply(t, { endpointType: 'hostname', tlsClient: false })).toEqual([
      [0, 0, ['a.example', 7000, A, new Map([['ip', '10.0.0.1']])]],
      [1, 1, ['?', 7000, B, new Map([['ip', '10.0.0.1']])]],
    ]);
  });

  it('leads with null when the endpoint is unknown, and gives ip and hostname aside', () => {
    const t = table([node(A, ['myself', 'master'], { slots: slots(0, 0), hostname: 'a.example' })]);
    expect(clusterSlotsReply(t, { endpointType: 'unknown-endpoint', tlsClient: false })).toEqual([
      [0, 0, [null, 7000, A, new Map([['ip', '10.0.0.1'], ['hostname', 'a.example']])]],
    ]);
  });

  it('gives a TLS client the TLS port', () => {
    const t = table([node(A, ['myself', 'master'], { slots: slots(0, 0), tlsPort: 7443 })]);
    expect(clusterSlotsReply(t, { endpointType: 'ip', tlsClient: true })[0][2]).toEqual(['10.0.0.1', 7443, A, new Map()]);
  });
});

describe('CLUSTER SHARDS', () => {
  it('groups nodes by shard id, with the masters\' slots as flat pairs', () => {
    const t = table([
      node(A, ['myself', 'master'], { shardId: 'x'.repeat(40), slots: slots(0, 9) }),
      node(B, ['slave'], { shardId: 'x'.repeat(40), master: A, replicationOffset: 0, tlsPort: 7443, hostname: 'b.example' }),
    ]);
    expect(clusterShardsReply(t, ip)).toEqual([{
      slots: [0, 9],
      nodes: [
        new Map<string, string | number>([['id', A], ['port', 7000], ['ip', '10.0.0.1'], ['endpoint', '10.0.0.1'], ['role', 'master'], ['replication-offset', 10], ['health', 'online']]),
        new Map<string, string | number>([['id', B], ['port', 7000], ['tls-port', 7443], ['ip', '10.0.0.1'], ['endpoint', '10.0.0.1'], ['hostname', 'b.example'], ['role', 'replica'], ['replication-offset', 0], ['health', 'loading']]),
      ],
    }]);
  });

  it('makes a shard of a master and its replicas when there are no shard ids, as 7.0 did', () => {
    const t = table([node(A, ['myself', 'master']), node(B, ['slave'], { master: A }), node(C, ['master', 'fail'])]);
    const shards = clusterShardsReply(t, ip);
    expect(shards.map((s) => s.nodes.map((n) => n.get('id')))).toEqual([[A, B], [C]]);
    expect(shards[1].nodes[0].get('health')).toBe('fail');
  });

  it('names the endpoint "?" for a node without hostname when hostnames are preferred, and "" when unknown', () => {
    const t = table([node(A, ['myself', 'master'])]);
    expect(clusterShardsReply(t, { endpointType: 'hostname', tlsClient: false })[0].nodes[0].get('endpoint')).toBe('?');
    expect(clusterShardsReply(t, { endpointType: 'unknown-endpoint', tlsClient: false })[0].nodes[0].get('endpoint')).toBe('');
  });
});
