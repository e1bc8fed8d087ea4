import { NODE_FLAGS } from '../bus/flags.js';
import type { BusMessage } from '../bus/message.js';
import type { PingExtension } from '../bus/ping-extensions.js';
import type { ClusterState } from '../state/cluster-state.js';
import { flagsFromBits, isMaster, newLiveNode, type LiveNode } from '../state/live-node.js';
import { randomName } from '../state/node-names.js';
import type { ClusterBus } from './cluster-bus.js';
import type { ClusterLink } from './cluster-link.js';

const DOWN = NODE_FLAGS.FAIL | NODE_FLAGS.PFAIL;

/**
 * clusterProcessGossipSection: what the sender says of other nodes.
 * A master's word on a node being down (or back) is a failure report; a
 * node nobody suspects takes the freshest pong time heard of it; a node
 * this one does not know is added under the name given, never handshaken
 * by address (the address may belong to another cluster by now), and only
 * when a known node vouches for it.
 */
export function processGossip(bus: ClusterBus, link: ClusterLink, msg: Extract<BusMessage, { type: 'PING' | 'PONG' | 'MEET' }>): void {
  const state = bus.state;
  const sender = link.node ?? state.lookup(msg.header.sender);
  const tls = state.host.settings().tlsCluster;
  for (const g of msg.gossip) {
    const node = state.lookup(g.nodename);
    const tcpPort = tls ? g.pport : g.port;
    const tlsPort = tls ? g.port : g.pport;
    if (node !== undefined) {
      if (sender !== undefined && isMaster(sender) && node !== state.myself) {
        if ((g.flags & DOWN) !== 0) {
          if (!node.failReports.has(sender.name)) {
            state.host.log.verbose(`Node ${sender.name} (${sender.humanNodename}) reported node ${node.name} (${node.humanNodename}) as not reachable.`);
          }
          node.failReports.set(sender.name, state.host.now());
          state.markFailingIfNeeded(node);
        } else if (node.failReports.delete(sender.name)) {
          state.host.log.verbose(`Node ${sender.name} (${sender.humanNodename}) reported node ${node.name} (${node.humanNodename}) is back online.`);
        }
      }
      if ((g.flags & DOWN) === 0 && node.pingSent === 0 && state.failureReports(node) === 0) {
        const pongTime = g.pongReceived * 1000;
        if (pongTime <= state.host.now() + 500 && pongTime > node.pongReceived) node.pongReceived = pongTime;
      }
      // A node we cannot reach, seen at another address by one that can: try that address.
      if (node.flags.has('fail?') || node.flags.has('fail')) {
        const reachable = (g.flags & NODE_FLAGS.NOADDR) === 0 && (g.flags & DOWN) === 0;
        const moved = node.ip.toLowerCase() !== g.ip.toLowerCase() || node.tlsPort !== tlsPort || node.tcpPort !== tcpPort || node.cport !== g.cport;
        if (reachable && moved && IP_TEXT.test(g.ip)) {
          const out = bus.outbound.get(node);
          if (out !== undefined) bus.freeLink(out);
          node.ip = g.ip;
          node.tcpPort = tcpPort;
          node.tlsPort = tlsPort;
          node.cport = g.cport;
          node.flags.delete('noaddr');
        }
      }
      continue;
    }
    if (sender !== undefined && (g.flags & NODE_FLAGS.NOADDR) === 0 && !state.blacklisted(g.nodename) && isNodeName(g.nodename) && IP_TEXT.test(g.ip)) {
      const added = newLiveNode(g.nodename, flagsFromBits(g.flags).filter((f) => f !== 'myself'), state.host.now(), randomName());
      added.ip = g.ip;
      added.tcpPort = tcpPort;
      added.tlsPort = tlsPort;
      added.cport = g.cport;
      // Redis's createClusterNode takes the gossip's flags whole: a master the sender saw with replicas is a migration target here too.
      added.migrateTo = (g.flags & NODE_FLAGS.MIGRATE_TO) !== 0;
      state.addNode(added);
      state.later({ saveConfig: true });
    }
  }
}

/** Redis takes any name a known node gossips; one nodes.conf could not hold again is refused here. */
function isNodeName(name: string): boolean {
  return /^[a-z0-9]{40}$/.test(name);
}

/**
 * What a peer announces ends up in nodes.conf, whose fields are split on
 * spaces: Redis copies it as it comes, so a peer could leave a file that
 * no longer loads. Here a hostname is what cluster-announce-hostname
 * accepts, a human nodename has none of the characters nodes.conf's aux
 * fields refuse, and an address is an IP's characters; anything else is
 * ignored.
 */
const HOSTNAME = /^[A-Za-z0-9.-]*$/;
const NODENAME_FORBIDDEN = /[\s!#$%&()*+:;<>?@[\]^{|}~\0,=]/;
export const IP_TEXT = /^[0-9A-Fa-f:.]*$/;

/**
 * clusterProcessPingExtensions: the sender's hostname, human nodename and
 * shard id, and the nodes it was told to forget. A 7.0 peer sends none of
 * the 7.2 ones: a hostname not sent is cleared, a shard id not sent is
 * left as it was (a replica takes its master's).
 */
export function processPingExtensions(state: ClusterState, sender: LiveNode, extensions: PingExtension[]): void {
  let hostname = '';
  let humanNodename = '';
  for (const ext of extensions) {
    switch (ext.type) {
      case 'HOSTNAME':
        if (HOSTNAME.test(ext.hostname)) hostname = ext.hostname;
        break;
      case 'HUMAN_NODENAME':
        if (!NODENAME_FORBIDDEN.test(ext.humanNodename)) humanNodename = ext.humanNodename;
        break;
      case 'FORGOTTEN_NODE': {
        const node = state.lookup(ext.name);
        if (node !== undefined && node !== state.myself && !(state.myself.master === node.name)) {
          state.host.log.notice(`Forgetting node ${node.name} for ${ext.ttl} seconds, as told by ${sender.name}`);
          state.blacklist.set(ext.name, Math.floor(state.host.now() / 1000) + Number(ext.ttl));
          state.delNode(node);
          state.later({ saveConfig: true, updateState: true });
        }
        break;
      }
      case 'SHARDID':
        if (sender.shardId !== ext.shardId) {
          sender.shardId = ext.shardId;
          state.later({ saveConfig: true });
        }
        break;
      case 'UNKNOWN':
        state.host.log.warning(`Received unknown extension type ${ext.code}`);
        break;
    }
  }
  if (sender.hostname !== hostname || sender.humanNodename !== humanNodename) {
    sender.hostname = hostname;
    sender.humanNodename = humanNodename;
    state.later({ saveConfig: true });
  }
  if (sender.shardId === null && sender.master !== null) {
    const master = state.lookup(sender.master);
    if (master?.shardId != null) sender.shardId = master.shardId;
  }
}
