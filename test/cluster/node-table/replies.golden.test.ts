import { describe, expect, it } from 'vitest';
import { clusterShardsReply, type Shard } from '../../../src/cluster/node-table/cluster-shards-reply.js';
import { clusterSlotsReply } from '../../../src/cluster/node-table/cluster-slots-reply.js';
import type { PreferredEndpointType } from '../../../src/cluster/node-table/endpoint.js';
import type { ClusterNodeTable } from '../../../src/cluster/node-table/node.js';
import { CAPTURED_VERSIONS, loadNodeTableCapture, tableOf, type CapturedNodeView, type Resp } from './captured.js';

const ENDPOINT_TYPES: PreferredEndpointType[] = ['ip', 'hostname', 'unknown-endpoint'];

/**
 * The replication offsets a node had heard are not in nodes.conf; they are
 * taken from the captured CLUSTER SHARDS reply, which lists every node's.
 */
function withCapturedOffsets(table: ClusterNodeTable, view: CapturedNodeView): ClusterNodeTable {
  for (const shard of view.shards.ip as Map<string, Resp>[]) {
    for (const fields of shard.get('nodes') as Map<string, Resp>[]) {
      const node = table.nodes.find((n) => n.name === fields.get('id'));
      if (node !== undefined) node.replicationOffset = fields.get('replication-offset') as number;
    }
  }
  return table;
}

/**
 * Redis lists shards, and nodes within them, in its hash tables' order;
 * compared here as sets. The slots of the shards named in `slotsAside` are
 * left out, for the divergence tested on its own below.
 */
function shardsAsSets(shards: Shard[], slotsAside: Set<string> = new Set()): string[] {
  return shards.map((s) => {
    const ids = s.nodes.map((n) => n.get('id') as string).sort();
    return JSON.stringify({
      slots: slotsAside.has(ids.join()) ? '<aside>' : s.slots,
      nodes: s.nodes.map((n) => JSON.stringify([...n])).sort(),
    });
  }).sort();
}

/**
 * The shards where Redis shows no slots though a master of theirs owns
 * some: Redis takes the slots from the node that joined the shard first,
 * which after a failover is the old master, failed and without slots.
 */
function firstJoinerShards(captured: Shard[]): Set<string> {
  const aside = new Set<string>();
  for (const shard of captured) {
    const failedMaster = shard.nodes.some((n) => n.get('role') === 'master' && n.get('health') === 'fail');
    if (shard.slots.length === 0 && failedMaster && shard.nodes.length > 1) {
      aside.add(shard.nodes.map((n) => n.get('id') as string).sort().join());
    }
  }
  return aside;
}

function capturedShards(reply: Resp): Shard[] {
  return (reply as Map<string, Resp>[]).map((m) => ({
    slots: m.get('slots') as number[],
    nodes: m.get('nodes') as Map<string, string | number>[],
  }));
}

for (const version of CAPTURED_VERSIONS) {
  const { views } = loadNodeTableCapture(version);

  describe(`CLUSTER SLOTS and SHARDS captured from Redis ${version}`, () => {
    for (const view of views) {
      describe(`${view.state}, as ${view.label} sees it`, () => {
        for (const endpointType of ENDPOINT_TYPES) {
          it(`CLUSTER SLOTS with cluster-preferred-endpoint-type ${endpointType} is the captured reply`, () => {
            const table = withCapturedOffsets(tableOf(view), view);
            expect(clusterSlotsReply(table, { endpointType, tlsClient: false })).toEqual(view.slots[endpointType]);
          });

          it(`CLUSTER SHARDS with cluster-preferred-endpoint-type ${endpointType} is the captured reply, as sets`, () => {
            const table = withCapturedOffsets(tableOf(view), view);
            const ours = clusterShardsReply(table, { endpointType, tlsClient: false });
            const theirs = capturedShards(view.shards[endpointType]);
            const aside = firstJoinerShards(theirs);
            expect(shardsAsSets(ours, aside)).toEqual(shardsAsSets(theirs, aside));
          });
        }
      });
    }
  });
}

describe('where CLUSTER SHARDS differs from Redis on purpose', () => {
  const { views } = loadNodeTableCapture('7.2.6');
  const failed = views.filter((v) => v.state === 'failed');

  it('Redis 7.2 shows the shard of a failed-over master with no slots; its new master\'s slots are shown instead', () => {
    for (const view of failed) {
      const theirs = capturedShards(view.shards.ip);
      const aside = firstJoinerShards(theirs);
      expect(aside.size).toBe(1);
      const ours = clusterShardsReply(withCapturedOffsets(tableOf(view), view), { endpointType: 'ip', tlsClient: false });
      const shard = ours.find((s) => aside.has(s.nodes.map((n) => n.get('id') as string).sort().join()));
      const liveMaster = shard?.nodes.find((n) => n.get('role') === 'master' && n.get('health') === 'online');
      const slotsEntry = (view.slots.ip as Resp[][]).find((entry) => (entry[2] as Resp[])[2] === liveMaster?.get('id'));
      expect(shard?.slots).toEqual(slotsEntry?.slice(0, 2));
    }
  });
});
