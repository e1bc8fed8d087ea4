import { NODE_FLAGS as BUS_FLAGS } from '../bus/flags.js';
import { newSlotBitmap } from '../slot-bitmap.js';
import type { ClusterNode, NodeFlag } from '../node-table/node.js';

/**
 * A node as a running cluster keeps it: the table's node (what nodes.conf
 * and CLUSTER NODES show) plus what only a live node knows, as Redis's
 * clusterNode carries it (failure reports, times, its slot count).
 */
export interface LiveNode extends ClusterNode {
  /** When the node was added (a handshake node expires from this). */
  ctime: number;
  /** When FAIL was set. */
  failTime: number;
  /** Any bytes seen from the node: a busy link is not a silent node. */
  dataReceived: number;
  /** Masters that said the node is failing: reporter name → when. */
  failReports: Map<string, number>;
  /** How many slots the node serves (the bitmap's population). */
  numSlots: number;
  /** The ping count at which the node was last put in a gossip section, so a message names it once. */
  lastInPingGossip: number;
  /** Added by CLUSTER MEET: the first message on its link is a MEET rather than a PING. */
  meet: boolean;
  /**
   * CLUSTER_NODE_MIGRATE_TO: a master that had a replica (or failed over a
   * master, or took its first slot while other masters had replicas), so a
   * target of replica migration once it has no working replica.
   */
  migrateTo: boolean;
  /** When this node was first seen orphaned (a target of replica migration); 0 when it is not. */
  orphanedTime: number;
}

/** A fresh node with no address, in the state clusterNode's constructor leaves it. */
export function newLiveNode(name: string, flags: Iterable<NodeFlag>, now: number, shardId: string | null): LiveNode {
  return {
    name, ip: '', tcpPort: 0, tlsPort: 0, cport: 0, hostname: '', humanNodename: '', shardId,
    flags: new Set(flags), master: null, pingSent: 0, pongReceived: 0, configEpoch: 0n, linkConnected: false,
    slots: newSlotBitmap(), replicationOffset: 0,
    ctime: now, failTime: 0, dataReceived: 0, failReports: new Map(), numSlots: 0, lastInPingGossip: 0, meet: false, migrateTo: false, orphanedTime: 0,
  };
}

/** A node read from nodes.conf, made live. */
export function liveNodeFrom(node: ClusterNode, now: number): LiveNode {
  let numSlots = 0;
  for (const byte of node.slots) for (let b = byte; b !== 0; b &= b - 1) numSlots++;
  return { ...node, ctime: now, failTime: 0, dataReceived: 0, failReports: new Map(), numSlots, lastInPingGossip: 0, meet: false, migrateTo: false, orphanedTime: 0 };
}

const FLAG_BITS: [NodeFlag, number][] = [
  ['master', BUS_FLAGS.MASTER], ['slave', BUS_FLAGS.SLAVE], ['fail?', BUS_FLAGS.PFAIL], ['fail', BUS_FLAGS.FAIL],
  ['myself', BUS_FLAGS.MYSELF], ['handshake', BUS_FLAGS.HANDSHAKE], ['noaddr', BUS_FLAGS.NOADDR], ['nofailover', BUS_FLAGS.NOFAILOVER],
];

/** The table's flags as the bus carries them. MEET is not kept in the table, so never sent. */
export function flagBits(flags: ReadonlySet<NodeFlag>): number {
  let bits = 0;
  for (const [flag, bit] of FLAG_BITS) if (flags.has(flag)) bits |= bit;
  return bits;
}

/** A live node's flags as a header or gossip entry carries them: the table's, and MIGRATE_TO, as Redis sends it. */
export function nodeFlagBits(node: LiveNode): number {
  return flagBits(node.flags) | (node.migrateTo ? BUS_FLAGS.MIGRATE_TO : 0);
}

/** The table's flags for bits a peer sent (the ones nodes.conf can hold). */
export function flagsFromBits(bits: number): NodeFlag[] {
  return FLAG_BITS.filter(([, bit]) => (bits & bit) !== 0).map(([flag]) => flag);
}

export const isMaster = (n: ClusterNode): boolean => n.flags.has('master');
export const isSlave = (n: ClusterNode): boolean => n.flags.has('slave');
export const inHandshake = (n: ClusterNode): boolean => n.flags.has('handshake');
export const timedOut = (n: ClusterNode): boolean => n.flags.has('fail?');
export const failed = (n: ClusterNode): boolean => n.flags.has('fail');
