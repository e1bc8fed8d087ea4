import { CLUSTER_SLOTS } from '../key-slot.js';
import { hasSlot } from '../slot-bitmap.js';
import { preferredEndpoint, type ReplyOptions } from './endpoint.js';
import { replicasOf, type ClusterNode, type ClusterNodeTable } from './node.js';

/** One node of a CLUSTER SLOTS entry: endpoint, port, name, and the networking it did not lead with. */
export type SlotsNode = [endpoint: string | null, port: number, name: string, more: Map<string, string>];
/** A run of slots with one owner: start, end, the master, then its available replicas. */
export type SlotsEntry = [start: number, end: number, ...nodes: SlotsNode[]];

/**
 * CLUSTER SLOTS as Redis's clusterReplyMultiBulkSlots builds it: one entry
 * per run of consecutive slots with the same owner, in slot order. A
 * replica is listed only while it is available to clients: not FAILed and
 * with a non-zero replication offset.
 */
export function clusterSlotsReply(table: ClusterNodeTable, options: ReplyOptions): SlotsEntry[] {
  const owners = slotOwners(table);
  const entries: SlotsEntry[] = [];
  let start = 0;
  for (let slot = 1; slot <= CLUSTER_SLOTS; slot++) {
    if (slot < CLUSTER_SLOTS && owners[slot] === owners[start]) continue;
    const owner = owners[start];
    if (owner !== undefined) {
      const replicas = replicasOf(table, owner).filter((r) => !r.flags.has('fail') && r.replicationOffset !== 0);
      entries.push([start, slot - 1, slotsNode(owner, options), ...replicas.map((r) => slotsNode(r, options))]);
    }
    start = slot;
  }
  return entries;
}

function slotOwners(table: ClusterNodeTable): (ClusterNode | undefined)[] {
  const owners = new Array<ClusterNode | undefined>(CLUSTER_SLOTS);
  for (const node of table.nodes) {
    for (let slot = 0; slot < CLUSTER_SLOTS; slot++) if (hasSlot(node.slots, slot)) owners[slot] = node;
  }
  return owners;
}

function slotsNode(node: ClusterNode, { endpointType, tlsClient }: ReplyOptions): SlotsNode {
  const more = new Map<string, string>();
  if (endpointType !== 'ip') more.set('ip', node.ip);
  if (endpointType !== 'hostname' && node.hostname !== '') more.set('hostname', node.hostname);
  const endpoint = endpointType === 'unknown-endpoint' ? null : preferredEndpoint(node, endpointType);
  return [endpoint, tlsClient ? node.tlsPort : node.tcpPort, node.name, more];
}
