import { CLUSTER_SLOTS } from '../key-slot.js';
import { slotRanges } from '../slot-bitmap.js';
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
  // A node's part of an entry is the same in each of its runs: built once per owner.
  const members = new Map<number, SlotsNode[]>();
  const entries: SlotsEntry[] = [];
  let start = 0;
  for (let slot = 1; slot <= CLUSTER_SLOTS; slot++) {
    if (slot < CLUSTER_SLOTS && owners[slot] === owners[start]) continue;
    const index = owners[start];
    if (index !== NO_OWNER) {
      let nodes = members.get(index);
      if (nodes === undefined) {
        const owner = table.nodes[index];
        const replicas = replicasOf(table, owner).filter((r) => !r.flags.has('fail') && r.replicationOffset !== 0);
        nodes = [slotsNode(owner, options), ...replicas.map((r) => slotsNode(r, options))];
        members.set(index, nodes);
      }
      entries.push([start, slot - 1, ...nodes]);
    }
    start = slot;
  }
  return entries;
}

const NO_OWNER = -1;
/** slotOwners' answer, reused: a reply is built in one go, and a fresh 64 KB array each time cost more than the rest of it. */
const OWNERS = new Int32Array(CLUSTER_SLOTS);

/**
 * Each slot's owner as its index in the table (a later node's claim over
 * an earlier one's), from the bitmaps a range at a time: clients ask for
 * CLUSTER SLOTS at every redirection.
 */
function slotOwners(table: ClusterNodeTable): Int32Array {
  const owners = OWNERS.fill(NO_OWNER);
  table.nodes.forEach((node, index) => {
    for (const [first, last] of slotRanges(node.slots)) owners.fill(index, first, last + 1);
  });
  return owners;
}

function slotsNode(node: ClusterNode, { endpointType, tlsClient }: ReplyOptions): SlotsNode {
  const more = new Map<string, string>();
  if (endpointType !== 'ip') more.set('ip', node.ip);
  if (endpointType !== 'hostname' && node.hostname !== '') more.set('hostname', node.hostname);
  const endpoint = endpointType === 'unknown-endpoint' ? null : preferredEndpoint(node, endpointType);
  return [endpoint, tlsClient ? node.tlsPort : node.tcpPort, node.name, more];
}
