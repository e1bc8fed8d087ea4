/**
 * A cluster node as one Redis node keeps it in its table (cluster.h
 * clusterNode): what nodes.conf persists, plus the few things only a live
 * node knows (its link, the replication offset it last heard).
 */

/** The flags nodes.conf and CLUSTER NODES spell out, in the order Redis writes them. */
export const NODE_FLAGS = ['myself', 'master', 'slave', 'fail?', 'fail', 'handshake', 'noaddr', 'nofailover'] as const;
export type NodeFlag = (typeof NODE_FLAGS)[number];

export interface ClusterNode {
  /** 40 characters of [a-z0-9]: Redis generates hex but accepts any lowercase letter or digit. */
  name: string;
  /** Empty until the node learns its own address from a peer. */
  ip: string;
  tcpPort: number;
  /** 0 when the node has no TLS port, which 7.2 still writes as `tls-port=0`. */
  tlsPort: number;
  cport: number;
  /** Empty when none is announced. */
  hostname: string;
  /** The announced human nodename; empty when none. */
  humanNodename: string;
  /** Null only when read from a file that predates shard ids (7.0). */
  shardId: string | null;
  flags: Set<NodeFlag>;
  /** The name of the master this node replicates, or null. */
  master: string | null;
  /** Milliseconds since the epoch, or 0: when the last unanswered ping went out. */
  pingSent: number;
  /** Milliseconds since the epoch, or 0: when the last pong came back. */
  pongReceived: number;
  /** Redis keeps a replica's own epoch at 0 and shows its master's instead. */
  configEpoch: bigint;
  /** Whether a bus link to the node is up; the myself node always counts as connected. */
  linkConnected: boolean;
  /** The slots the node owns, as a slot bitmap. */
  slots: Uint8Array;
  /** The replication offset last heard from the node (for myself, its own); not persisted. */
  replicationOffset: number;
}

/** The whole table, as clusterState holds it. */
export interface ClusterNodeTable {
  /** In the order they were read or added; Redis's own order is its hash table's. */
  nodes: ClusterNode[];
  /** The name of the node this table belongs to. */
  myself: string;
  currentEpoch: bigint;
  lastVoteEpoch: bigint;
  /** The myself node's slots being moved away: slot → the receiving node's name. */
  migratingTo: Map<number, string>;
  /** The myself node's slots being taken in: slot → the giving node's name. */
  importingFrom: Map<number, string>;
}

const NODE_NAME = /^[a-z0-9]{40}$/;

/** Redis's verifyClusterNodeId. */
export function isNodeName(s: string): boolean {
  return NODE_NAME.test(s);
}

export function findNode(table: ClusterNodeTable, name: string): ClusterNode | undefined {
  return table.nodes.find((n) => n.name === name);
}

export function isReplica(node: ClusterNode): boolean {
  return node.flags.has('slave');
}

/** The epoch shown for a node: a replica shows its master's. */
export function shownConfigEpoch(table: ClusterNodeTable, node: ClusterNode): bigint {
  if (isReplica(node) && node.master !== null) return findNode(table, node.master)?.configEpoch ?? node.configEpoch;
  return node.configEpoch;
}

/** The replicas of `master`, in table order. */
export function replicasOf(table: ClusterNodeTable, master: ClusterNode): ClusterNode[] {
  return table.nodes.filter((n) => n.master === master.name);
}
