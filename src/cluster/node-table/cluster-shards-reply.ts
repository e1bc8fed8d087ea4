import { slotRanges, newSlotBitmap } from '../slot-bitmap.js';
import { preferredEndpoint, type ReplyOptions } from './endpoint.js';
import { findNode, isReplica, type ClusterNode, type ClusterNodeTable } from './node.js';

export type ShardNodeValue = string | number;
/** A shard: its slots as flat start, end pairs, and its nodes as maps. */
export interface Shard {
  slots: number[];
  nodes: Map<string, ShardNodeValue>[];
}

/**
 * CLUSTER SHARDS (each shard a map of `slots` and `nodes` on the wire).
 * Nodes are grouped by shard id; a node read from a 7.0 file has none, and
 * then, as 7.0 did, a master and its replicas make a shard. Shards and
 * their nodes come in table order (Redis's follow its hash tables).
 *
 * Where this differs from Redis on purpose: Redis takes a shard's slots
 * from whichever node joined the shard first, so after a failover the shard
 * can show no slots because its first node is the old, failed master; here
 * a shard's slots are those of all its masters.
 */
export function clusterShardsReply(table: ClusterNodeTable, options: ReplyOptions): Shard[] {
  const shards = new Map<string, ClusterNode[]>();
  for (const node of table.nodes) {
    const key = shardKey(table, node);
    const members = shards.get(key);
    if (members === undefined) shards.set(key, [node]);
    else members.push(node);
  }
  return [...shards.values()].map((members) => ({
    slots: shardSlots(members),
    nodes: members.map((n) => shardNode(n, options)),
  }));
}

function shardKey(table: ClusterNodeTable, node: ClusterNode): string {
  if (node.shardId !== null) return node.shardId;
  const master = node.master === null ? undefined : findNode(table, node.master);
  return master?.shardId ?? master?.name ?? node.name;
}

function shardSlots(members: ClusterNode[]): number[] {
  const slots = newSlotBitmap();
  for (const member of members) {
    if (isReplica(member)) continue;
    for (let i = 0; i < slots.length; i++) slots[i] |= member.slots[i];
  }
  return slotRanges(slots).flat();
}

function shardNode(node: ClusterNode, { endpointType }: ReplyOptions): Map<string, ShardNodeValue> {
  const fields = new Map<string, ShardNodeValue>([['id', node.name]]);
  if (node.tcpPort !== 0) fields.set('port', node.tcpPort);
  if (node.tlsPort !== 0) fields.set('tls-port', node.tlsPort);
  fields.set('ip', node.ip);
  fields.set('endpoint', preferredEndpoint(node, endpointType));
  if (node.hostname !== '') fields.set('hostname', node.hostname);
  fields.set('role', isReplica(node) ? 'replica' : 'master');
  fields.set('replication-offset', node.replicationOffset);
  let health = 'online';
  if (node.flags.has('fail')) health = 'fail';
  else if (isReplica(node) && node.replicationOffset === 0) health = 'loading';
  fields.set('health', health);
  return fields;
}
