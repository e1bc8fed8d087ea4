import { CLUSTER_STATE, MESSAGE_FLAGS0 } from '../bus/flags.js';
import type { GossipEntry } from '../bus/gossip.js';
import type { BusHeader } from '../bus/header.js';
import type { BusMessage } from '../bus/message.js';
import type { PingExtension } from '../bus/ping-extensions.js';
import type { ClusterState } from '../state/cluster-state.js';
import { inHandshake, isSlave, nodeFlagBits, type LiveNode } from '../state/live-node.js';

/**
 * The messages this node sends, built as Redis's clusterBuildMessageHdr
 * and clusterSendPing build them.
 */

/** The header: myself as the cluster should see it; a replica speaks with its master's slots and config epoch. */
export function buildHeader(state: ClusterState): BusHeader {
  const myself = state.myself;
  const settings = state.host.settings();
  const master = isSlave(myself) && myself.master !== null ? state.lookup(myself.master) ?? null : null;
  const primary = settings.tlsCluster ? settings.tlsPort : settings.tcpPort;
  const other = settings.tlsCluster ? settings.tcpPort : settings.tlsPort;
  return {
    port: primary,
    currentEpoch: state.currentEpoch,
    configEpoch: master !== null ? master.configEpoch : myself.configEpoch,
    offset: BigInt(Math.max(0, Math.floor(state.host.replicationOffset()))),
    sender: myself.name,
    myslots: master !== null ? master.slots : myself.slots,
    slaveof: isSlave(myself) ? myself.master : null,
    myip: settings.announceIp,
    pport: other,
    cport: settings.busPort,
    flags: nodeFlagBits(myself),
    state: state.state === 'ok' ? CLUSTER_STATE.OK : CLUSTER_STATE.FAIL,
    mflags: [state.manualFailoverPaused && !isSlave(myself) ? MESSAGE_FLAGS0.PAUSED : 0, 0, 0],
  };
}

export function gossipEntry(node: LiveNode, tlsCluster: boolean): GossipEntry {
  return {
    nodename: node.name,
    pingSent: Math.floor(node.pingSent / 1000),
    pongReceived: Math.floor(node.pongReceived / 1000),
    ip: node.ip,
    port: tlsCluster ? node.tlsPort : node.tcpPort,
    cport: node.cport,
    flags: nodeFlagBits(node),
    pport: tlsCluster ? node.tcpPort : node.tlsPort,
  };
}

/** Counts pings built, so that a node goes into one message's gossip only once (last_in_ping_gossip). */
let pingsBuilt = 0;

/**
 * A PING, PONG or MEET with its gossip: about a tenth of the nodes (at
 * least 3) picked at random among those worth talking about, then every
 * node in PFAIL, so that failure reports spread fast.
 */
export function buildPing(state: ClusterState, type: 'PING' | 'PONG' | 'MEET', random: (n: number) => number = randomIndex): BusMessage {
  pingsBuilt++;
  const nodes = state.nodes;
  const tlsCluster = state.host.settings().tlsCluster;
  let freshNodes = nodes.length - 2;
  const wanted = Math.min(Math.max(3, Math.floor(nodes.length / 10)), freshNodes);
  const gossip: GossipEntry[] = [];
  let iterations = wanted * 3;
  while (freshNodes > 0 && gossip.length < wanted && iterations-- > 0) {
    const node = nodes[random(nodes.length)];
    if (node === state.myself || node.flags.has('fail?')) continue;
    if (inHandshake(node) || node.flags.has('noaddr') || (!node.linkConnected && node.numSlots === 0)) {
      freshNodes--;
      continue;
    }
    if (node.lastInPingGossip === pingsBuilt) continue;
    gossip.push(gossipEntry(node, tlsCluster));
    node.lastInPingGossip = pingsBuilt;
    freshNodes--;
  }
  let pfailWanted = state.pfailNodes;
  for (const node of nodes) {
    if (pfailWanted <= 0) break;
    if (inHandshake(node) || node.flags.has('noaddr') || !node.flags.has('fail?')) continue;
    gossip.push(gossipEntry(node, tlsCluster));
    pfailWanted--;
  }
  return { type, header: buildHeader(state), gossip, extensions: pingExtensions(state) };
}

/** writePingExt: the hostname and human nodename when set, the forgotten nodes, and always the shard id. */
function pingExtensions(state: ClusterState): PingExtension[] {
  const settings = state.host.settings();
  const extensions: PingExtension[] = [];
  if (settings.announceHostname !== '') extensions.push({ type: 'HOSTNAME', hostname: settings.announceHostname });
  if (settings.announceHumanNodename !== '') extensions.push({ type: 'HUMAN_NODENAME', humanNodename: settings.announceHumanNodename });
  const now = Math.floor(state.host.now() / 1000);
  for (const [name, until] of state.blacklist) {
    if (until >= now) extensions.push({ type: 'FORGOTTEN_NODE', name, ttl: BigInt(until - now) });
  }
  if (state.myself.shardId !== null) extensions.push({ type: 'SHARDID', shardId: state.myself.shardId });
  return extensions;
}

export function buildFail(state: ClusterState, name: string): BusMessage {
  return { type: 'FAIL', header: buildHeader(state), nodename: name };
}

export function buildUpdate(state: ClusterState, about: LiveNode): BusMessage {
  return { type: 'UPDATE', header: buildHeader(state), configEpoch: about.configEpoch, nodename: about.name, slots: about.slots };
}

function randomIndex(n: number): number {
  return Math.floor(Math.random() * n);
}
