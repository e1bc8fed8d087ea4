import { CLUSTER_SLOTS } from '../key-slot.js';
import { hasSlot } from '../slot-bitmap.js';
import { NODE_FLAGS } from '../bus/flags.js';
import type { BusHeader } from '../bus/header.js';
import type { BusMessage } from '../bus/message.js';
import type { ClusterState } from '../state/cluster-state.js';
import { failed, inHandshake, isMaster, newLiveNode, timedOut, type LiveNode } from '../state/live-node.js';
import { randomName } from '../state/node-names.js';
import { updateSlotsConfigWith } from '../state/slots-config.js';
import type { ClusterBus } from './cluster-bus.js';
import type { ClusterLink } from './cluster-link.js';
import { IP_TEXT, processGossip, processPingExtensions } from './gossip-in.js';

/**
 * clusterProcessPacket for a message that decoded: who sent it, what it
 * teaches about epochs, roles, slots and failures, and the PONG owed to a
 * PING or MEET. A sender this node does not know is heard only through a
 * MEET; anything else from it is ignored, as Redis does.
 */
export function handlePacket(bus: ClusterBus, link: ClusterLink, msg: BusMessage): void {
  const state = bus.state;
  const now = state.host.now();
  const hdr = msg.header;
  const sender = senderOf(bus, link, hdr);
  if (sender !== undefined) sender.dataReceived = now;

  if (sender !== undefined && !inHandshake(sender)) {
    if (hdr.currentEpoch > state.currentEpoch) state.currentEpoch = hdr.currentEpoch;
    if (hdr.configEpoch > sender.configEpoch) {
      sender.configEpoch = hdr.configEpoch;
      state.later({ saveConfig: true, fsyncConfig: true });
    }
    sender.replicationOffset = Number(hdr.offset);
    bus.failover.masterHeard(sender, hdr);
  }

  switch (msg.type) {
    case 'PING':
    case 'PONG':
    case 'MEET':
      handlePingLike(bus, link, msg, sender);
      return;
    case 'FAIL': {
      if (sender === undefined) {
        state.host.log.notice(`Ignoring FAIL message from unknown node ${hdr.sender} about ${msg.nodename}`);
        return;
      }
      const failing = state.lookup(msg.nodename);
      if (failing !== undefined && !failed(failing) && failing !== state.myself) {
        state.host.log.notice(`FAIL message received from ${hdr.sender} (${sender.humanNodename}) about ${msg.nodename} (${failing.humanNodename})`);
        failing.flags.add('fail');
        failing.failTime = now;
        failing.flags.delete('fail?');
        state.later({ saveConfig: true, updateState: true });
      }
      return;
    }
    case 'UPDATE': {
      if (sender === undefined) return;
      const node = state.lookup(msg.nodename);
      if (node === undefined || node.configEpoch >= msg.configEpoch) return;
      if (!isMaster(node)) state.setNodeAsMaster(node);
      node.configEpoch = msg.configEpoch;
      state.later({ saveConfig: true, fsyncConfig: true });
      updateSlotsConfigWith(state, node, msg.configEpoch, msg.slots);
      return;
    }
    case 'FAILOVER_AUTH_REQUEST':
      if (sender !== undefined) bus.failover.voteIfNeeded(sender, hdr);
      return;
    case 'FAILOVER_AUTH_ACK':
      if (sender !== undefined) bus.failover.voteReceived(sender, hdr.currentEpoch);
      return;
    case 'PUBLISH':
    case 'PUBLISHSHARD':
      if (sender !== undefined) state.host.deliverPublish(msg.channel, msg.message, msg.type === 'PUBLISHSHARD');
      return;
    case 'MFSTART':
      if (sender !== undefined) bus.failover.mfstartReceived(sender);
      return;
    case 'MODULE':
      // Sluice has no modules: the message is counted and dropped.
      return;
    case 'UNKNOWN':
      state.host.log.warning(`Received unknown packet type: ${msg.code}`);
  }
}

/** getNodeFromLinkAndMsg: the link's node once out of handshake, else the header's sender; an inbound link learns its node. */
function senderOf(bus: ClusterBus, link: ClusterLink, hdr: BusHeader): LiveNode | undefined {
  if (link.node !== null && !inHandshake(link.node)) return link.node;
  const sender = bus.state.lookup(hdr.sender);
  if (sender !== undefined && link.inbound && link.node === null) bus.attachInbound(sender, link);
  return sender;
}

function handlePingLike(bus: ClusterBus, link: ClusterLink, msg: Extract<BusMessage, { type: 'PING' | 'PONG' | 'MEET' }>, sender: LiveNode | undefined): void {
  const state = bus.state;
  const hdr = msg.header;
  const settings = state.host.settings();

  if (msg.type === 'PING' || msg.type === 'MEET') {
    // The address peers reach this node at is the one they connected to: a MEET (or any ping, while none is known) tells it.
    if ((msg.type === 'MEET' || state.myself.ip === '') && settings.announceIp === '') {
      const ip = link.socket?.localIp ?? null;
      if (ip !== null && ip !== state.myself.ip) {
        state.myself.ip = ip;
        state.host.log.notice(`IP address for this node updated to ${ip}`);
        state.later({ saveConfig: true });
      }
    }
    if (sender === undefined && msg.type === 'MEET') {
      const node = newLiveNode(randomName(), ['handshake'], state.host.now(), randomName());
      const ip = hdr.myip !== '' ? hdr.myip : link.socket?.remoteIp ?? '';
      node.ip = IP_TEXT.test(ip) ? ip : '';
      setClientPorts(node, hdr.port, hdr.pport, settings.tlsCluster);
      node.cport = hdr.cport;
      state.addNode(node);
      state.later({ saveConfig: true });
      processGossip(bus, link, msg);
    }
    bus.sendPing(link, 'PONG');
  }

  if (!link.inbound && link.node !== null) {
    const node = link.node;
    if (inHandshake(node)) {
      if (sender !== undefined) {
        state.host.log.verbose(`Handshake: we already know node ${sender.name} (${sender.humanNodename}), updating the address if needed.`);
        if (updateAddressIfNeeded(bus, sender, link, hdr)) state.later({ saveConfig: true, updateState: true });
        state.delNode(node);
        return;
      }
      state.renameNode(node, hdr.sender);
      state.host.log.debug(`Handshake with node ${node.name} completed.`);
      node.flags.delete('handshake');
      if ((hdr.flags & NODE_FLAGS.MASTER) !== 0) node.flags.add('master');
      if ((hdr.flags & NODE_FLAGS.SLAVE) !== 0) node.flags.add('slave');
      state.later({ saveConfig: true });
    } else if (node.name !== hdr.sender) {
      state.host.log.debug(`PONG contains mismatching sender ID. About node ${node.name} added ${state.host.now() - node.ctime} ms ago, having flags ${hdr.flags}`);
      node.flags.add('noaddr');
      node.ip = '';
      node.tcpPort = 0;
      node.tlsPort = 0;
      node.cport = 0;
      bus.freeLink(link);
      state.later({ saveConfig: true });
      return;
    }
  }

  if (sender !== undefined) {
    if ((hdr.flags & NODE_FLAGS.NOFAILOVER) !== 0) sender.flags.add('nofailover');
    else sender.flags.delete('nofailover');
  }

  if (sender !== undefined && msg.type === 'PING' && !inHandshake(sender) && updateAddressIfNeeded(bus, sender, link, hdr)) {
    state.later({ saveConfig: true, updateState: true });
  }

  if (!link.inbound && msg.type === 'PONG' && link.node !== null) {
    const node = link.node;
    node.pongReceived = state.host.now();
    node.pingSent = 0;
    if (timedOut(node)) {
      node.flags.delete('fail?');
      state.later({ saveConfig: true, updateState: true });
    } else if (failed(node)) {
      state.clearFailureIfNeeded(node);
    }
  }

  if (sender === undefined) return;
  updateRole(state, sender, hdr);

  const senderMaster = isMaster(sender) ? sender : sender.master === null ? undefined : state.lookup(sender.master);
  const dirtySlots = senderMaster !== undefined && !sameSlots(senderMaster.slots, hdr.myslots);
  if (isMaster(sender) && dirtySlots) updateSlotsConfigWith(state, sender, hdr.configEpoch, hdr.myslots);

  // The sender claims slots this node knows a newer owner of: tell it.
  if (dirtySlots) {
    for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
      if (!hasSlot(hdr.myslots, slot)) continue;
      const owner = state.owner(slot);
      if (owner === null || owner === sender) continue;
      if (owner.configEpoch > hdr.configEpoch) {
        state.host.log.verbose(`Node ${sender.name} has old slots configuration, sending an UPDATE message about ${owner.name}`);
        bus.sendUpdate(bus.outbound.get(sender), owner);
        break;
      }
    }
  }

  if (isMaster(state.myself) && isMaster(sender) && hdr.configEpoch === state.myself.configEpoch) state.handleEpochCollision(sender);

  processGossip(bus, link, msg);
  processPingExtensions(state, sender, msg.extensions);
}

/** The sender says it is a master (no slaveof) or names its master. */
function updateRole(state: ClusterState, sender: LiveNode, hdr: BusHeader): void {
  if (hdr.slaveof === null) {
    state.setNodeAsMaster(sender);
    return;
  }
  const master = state.lookup(hdr.slaveof);
  if (isMaster(sender)) {
    state.delNodeSlots(sender);
    sender.flags.delete('master');
    sender.flags.add('slave');
    sender.migrateTo = false;
    state.later({ saveConfig: true, updateState: true });
  }
  if (master !== undefined && sender.master !== master.name) {
    state.setReplicaOf(sender, master);
    if (sender.shardId === null || sender.shardId !== master.shardId) sender.shardId = master.shardId;
    state.later({ saveConfig: true });
  }
}

/**
 * nodeUpdateAddressIfNeeded: a node that reaches us from a new address (a
 * restart elsewhere) is reconnected there.
 */
function updateAddressIfNeeded(bus: ClusterBus, node: LiveNode, link: ClusterLink, hdr: BusHeader): boolean {
  if (node === bus.state.myself) return false;
  const ip = hdr.myip !== '' ? hdr.myip : link.socket?.remoteIp ?? '';
  if (ip === '' || !IP_TEXT.test(ip)) return false;
  const tls = bus.state.host.settings().tlsCluster;
  const before = { ip: node.ip, tcp: node.tcpPort, tls: node.tlsPort, cport: node.cport };
  setClientPorts(node, hdr.port, hdr.pport, tls);
  node.cport = hdr.cport;
  if (before.ip === ip && before.tcp === node.tcpPort && before.tls === node.tlsPort && before.cport === node.cport) return false;
  node.ip = ip;
  node.flags.delete('noaddr');
  const out = bus.outbound.get(node);
  if (out !== undefined) bus.freeLink(out);
  bus.state.host.log.notice(`Address updated for node ${node.name} (${node.humanNodename}), now ${ip}:${tls ? node.tlsPort : node.tcpPort}`);
  const myself = bus.state.myself;
  if (myself.master === node.name) bus.state.host.replicate(ip, node.tcpPort);
  return true;
}

/** getClientPortFromClusterMsg: `port` is the cluster's kind of port, `pport` the other. */
export function setClientPorts(node: LiveNode, port: number, pport: number, tlsCluster: boolean): void {
  if (tlsCluster) {
    node.tlsPort = port;
    node.tcpPort = pport;
  } else {
    node.tcpPort = port;
    node.tlsPort = pport;
  }
}

function sameSlots(a: Uint8Array, b: Uint8Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
