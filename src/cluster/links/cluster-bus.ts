import { isIP } from 'node:net';
import { decodeBusMessage } from '../bus/decode.js';
import { encodeBusMessage } from '../bus/encode.js';
import { OFFSET } from '../bus/layout.js';
import type { BusMessage } from '../bus/message.js';
import { MESSAGE_TYPE_CODES } from '../bus/message-types.js';
import { ClusterConfigFatal, type ClusterMessenger, type ClusterState } from '../state/cluster-state.js';
import { failed, inHandshake, isMaster, isSlave, newLiveNode, timedOut, type LiveNode } from '../state/live-node.js';
import { randomName } from '../state/node-names.js';
import { migrateReplicaIfNeeded } from '../state/replica-migration.js';
import type { BusSocket, BusSocketEvents } from './bus-socket.js';
import { ClusterLink } from './cluster-link.js';
import { Failover } from './failover.js';
import { buildFail, buildPing, buildUpdate } from './message-builder.js';
import { handlePacket } from './packet-handler.js';

/** The cluster's cron period (clusterCron runs from serverCron every 100 ms). */
export const CRON_PERIOD = 100;

/** One row of CLUSTER LINKS. */
export interface LinkDescription {
  /** A link the peer opened (CLUSTER LINKS says from), else one this node opened (to). */
  inbound: boolean;
  node: string;
  createTime: number;
  events: string;
  sendBufferAllocated: number;
  sendBufferUsed: number;
}

/**
 * The cluster bus: the links to and from every node, what goes out on
 * them, and the cron that keeps them up, pings, and detects failures
 * (Redis's clusterCron). Bytes come in through `accept` and the outbound
 * sockets' events; each whole message is decoded and handled, and one
 * that does not decode is logged and dropped.
 */
export class ClusterBus implements ClusterMessenger {
  readonly outbound = new Map<LiveNode, ClusterLink>();
  readonly inbound = new Map<LiveNode, ClusterLink>();
  /** Inbound links whose sender is not known yet. */
  private readonly unattached = new Set<ClusterLink>();
  private iteration = 0;
  readonly failover: Failover;
  /** Links with messages queued this turn. */
  private readonly toFlush = new Set<ClusterLink>();
  private readonly queued = (link: ClusterLink): void => {
    this.toFlush.add(link);
    this.state.onLater();
  };
  /** DEBUG DROP-CLUSTER-PACKET-FILTER: messages of this type are dropped as they arrive (-1: none). */
  dropPacketType = -1;

  constructor(readonly state: ClusterState) {
    state.messenger = this;
    this.failover = new Failover(this);
  }

  private get log() {
    return this.state.host.log;
  }

  /** An inbound connection on the bus port. */
  accept(socket: BusSocket): BusSocketEvents {
    const link = new ClusterLink(null, true, this.state.host.now(), this.queued);
    link.socket = socket;
    link.connected = true;
    this.unattached.add(link);
    this.log.verbose(`Accepting cluster node connection from ${socket.remoteIp}:${socket.remotePort}`);
    return {
      connected: () => {},
      data: (chunk) => this.read(link, chunk),
      closed: () => this.freeLink(link),
    };
  }

  /** Takes an inbound link as `node`'s, replacing an older one (setClusterNodeToInboundClusterLink). */
  attachInbound(node: LiveNode, link: ClusterLink): void {
    if (link.node === node) return;
    const old = this.inbound.get(node);
    if (old !== undefined && old !== link) {
      this.log.debug(`Replacing inbound link from node ${node.name}`);
      this.freeLink(old);
    }
    this.unattached.delete(link);
    link.node = node;
    this.inbound.set(node, link);
  }

  private read(link: ClusterLink, chunk: Buffer): void {
    if (link.socket === null) return;
    if (link.node !== null) link.node.dataReceived = this.state.host.now();
    const framed = link.framer.push(chunk);
    for (const buf of framed.messages) {
      if (link.socket === null) return;
      this.process(link, buf);
    }
    if (framed.error !== null && link.socket !== null) {
      this.log.warning(`Bad message on the cluster bus from ${link.socket.remoteIp}:${link.socket.remotePort}: ${framed.error}; closing the link`);
      this.freeLink(link);
    }
  }

  private process(link: ClusterLink, buf: Buffer): void {
    const type = buf.readUInt16BE(OFFSET.type);
    this.state.stats.countReceived(type);
    if (type === this.dropPacketType) {
      this.log.warning('Dropping packet that matches debug drop filter');
      return;
    }
    const decoded = decodeBusMessage(buf);
    if (!decoded.ok) {
      this.log.warning(`Dropping an invalid cluster bus message: ${decoded.error}`);
      return;
    }
    this.guard('handling a cluster bus message', () => handlePacket(this, link, decoded.message));
  }

  /**
   * Runs work that a socket event started, so that nothing a peer sends
   * can throw out of the event and end the process: an error is logged and
   * the message dropped. A config file that cannot be saved is the
   * exception Redis makes too: the state's fatal hook stops the server.
   */
  private guard(doing: string, work: () => void): void {
    try {
      work();
    } catch (e) {
      if (e instanceof ClusterConfigFatal) this.state.onFatal(e);
      else this.log.warning(`Error ${doing}: ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`);
    }
  }

  send(link: ClusterLink | undefined | null, msg: BusMessage): void {
    if (link === undefined || link === null || link.socket === null) return;
    link.send(encodeBusMessage(msg));
    this.state.stats.countSent(msg.type === 'UNKNOWN' ? msg.code : MESSAGE_TYPE_CODES[msg.type]);
  }

  /** clusterSendPing: a PING records when it went out, for failure detection. */
  sendPing(link: ClusterLink, type: 'PING' | 'PONG' | 'MEET'): void {
    if (!link.inbound && type === 'PING' && link.node !== null) link.node.pingSent = this.state.host.now();
    this.send(link, buildPing(this.state, type));
  }

  sendUpdate(link: ClusterLink | undefined, about: LiveNode): void {
    this.send(link, buildUpdate(this.state, about));
  }

  myMasterChanged(): void {
    this.failover.reset();
  }

  /** The end of the turn: what each link queued goes out in one write. */
  flushLinks(): void {
    for (const link of this.toFlush) link.flush();
    this.toFlush.clear();
  }

  /** INFO's mem_cluster_links: the bytes the links hold, queued or unsent, and what their readers hold of partial messages. */
  get linksMemory(): number {
    let bytes = 0;
    for (const link of [...this.outbound.values(), ...this.inbound.values(), ...this.unattached]) bytes += link.pending + link.framer.pending;
    return bytes;
  }

  /** To every node with an outbound link, handshakes left out (clusterBroadcastMessage). */
  broadcastMessage(msg: () => BusMessage): void {
    for (const [node, link] of this.outbound) {
      if (node === this.state.myself || inHandshake(node) || !link.connected) continue;
      this.send(link, msg());
    }
  }

  broadcastPong(): void {
    for (const [node, link] of this.outbound) {
      if (node === this.state.myself || inHandshake(node) || !link.connected) continue;
      this.sendPing(link, 'PONG');
    }
  }

  /** CLUSTER_BROADCAST_LOCAL_SLAVES: a pong to the other replicas of `master`, so that they see this one's offset (its rank). */
  broadcastPongToReplicasOf(master: LiveNode): void {
    for (const [node, link] of this.outbound) {
      if (node === this.state.myself || !link.connected || !isSlave(node) || node.master !== master.name) continue;
      this.sendPing(link, 'PONG');
    }
  }

  broadcastFail(name: string): void {
    this.broadcastMessage(() => buildFail(this.state, name));
  }

  dropLinks(node: LiveNode): void {
    const out = this.outbound.get(node);
    if (out !== undefined) this.freeLink(out);
    const inb = this.inbound.get(node);
    if (inb !== undefined) this.freeLink(inb);
  }

  /** freeClusterLink: the node is left with no link; the cron reconnects. */
  freeLink(link: ClusterLink): void {
    link.close();
    this.toFlush.delete(link);
    this.unattached.delete(link);
    const node = link.node;
    if (node === null) return;
    if (link.inbound) {
      if (this.inbound.get(node) === link) this.inbound.delete(node);
    } else if (this.outbound.get(node) === link) {
      this.outbound.delete(node);
      node.linkConnected = false;
    }
  }

  /**
   * CLUSTER MEET (clusterStartHandshake): a node with a random name in
   * handshake, which the cron connects to with a MEET. False for an
   * address that is not an IP or a port out of range; a handshake already
   * under way to the same address is no error, and starts nothing.
   */
  startHandshake(ip: string, port: number, cport: number): boolean {
    const family = isIP(ip);
    if (family === 0 || port <= 0 || port > 65535 || cport <= 0 || cport > 65535) return false;
    const normalized = family === 6 ? ip.toLowerCase() : ip;
    const settings = this.state.host.settings();
    for (const node of this.state.nodes) {
      if (!inHandshake(node)) continue;
      const nodePort = settings.tlsCluster ? node.tlsPort : node.tcpPort;
      if (node.ip === normalized && nodePort === port && node.cport === cport) return true;
    }
    const node = newLiveNode(randomName(), ['handshake'], this.state.host.now(), randomName());
    node.meet = true;
    node.ip = normalized;
    if (settings.tlsCluster) node.tlsPort = port;
    else node.tcpPort = port;
    node.cport = cport;
    this.state.addNode(node);
    return true;
  }

  /** clusterCron: links up, pings out, timeouts turned into PFAIL, the state rechecked. */
  cron(): void {
    const state = this.state;
    const settings = state.host.settings();
    const nodeTimeout = settings.nodeTimeout;
    this.iteration++;
    this.updateMyselfAnnounced();
    const handshakeTimeout = Math.max(nodeTimeout, 1000);
    state.pfailNodes = 0;
    let now = state.host.now();
    for (const node of [...state.nodes]) {
      this.freeLinkOverLimit(this.outbound.get(node), settings.linkSendbufLimit);
      this.freeLinkOverLimit(this.inbound.get(node), settings.linkSendbufLimit);
      if (node === state.myself || node.flags.has('noaddr')) continue;
      if (timedOut(node)) state.pfailNodes++;
      if (inHandshake(node) && now - node.ctime > handshakeTimeout) {
        state.delNode(node);
        continue;
      }
      if (!this.outbound.has(node)) this.connect(node);
    }

    // Once a second, ping the node that answered longest ago among a few picked at random.
    if (this.iteration % 10 === 0) {
      let oldest: LiveNode | null = null;
      for (let i = 0; i < 5 && state.nodes.length > 0; i++) {
        const node = state.nodes[Math.floor(Math.random() * state.nodes.length)];
        const link = this.outbound.get(node);
        if (link === undefined || !link.connected || node.pingSent !== 0) continue;
        if (node === state.myself || inHandshake(node)) continue;
        if (oldest === null || oldest.pongReceived > node.pongReceived) oldest = node;
      }
      if (oldest !== null) this.sendPing(this.outbound.get(oldest)!, 'PING');
    }

    let updateState = false;
    for (const node of [...state.nodes]) {
      now = state.host.now();
      if (node === state.myself || node.flags.has('noaddr') || inHandshake(node)) continue;
      const link = this.outbound.get(node);
      const pingDelay = now - node.pingSent;
      const dataDelay = now - node.dataReceived;
      // A link that stays silent for half the timeout is dropped and made again, in case it is the link that is broken.
      if (link !== undefined && now - link.ctime > nodeTimeout && node.pingSent !== 0 && pingDelay > nodeTimeout / 2 && dataDelay > nodeTimeout / 2) {
        this.freeLink(link);
      }
      const pingInterval = settings.pingInterval !== 0 ? settings.pingInterval : nodeTimeout / 2;
      const current = this.outbound.get(node);
      if (current !== undefined && current.connected && node.pingSent === 0 && now - node.pongReceived > pingInterval) {
        this.sendPing(current, 'PING');
        continue;
      }
      if (node.pingSent === 0) continue;
      const delay = Math.min(pingDelay, dataDelay);
      if (delay > nodeTimeout && !timedOut(node) && !failed(node)) {
        node.flags.add('fail?');
        updateState = true;
        if (isMaster(state.myself) && state.size === 1) state.markFailingIfNeeded(node);
        else this.log.debug(`*** NODE ${node.name} possibly failing`);
      }
    }

    this.keepReplicating();
    this.failover.cron();
    migrateReplicaIfNeeded(state);
    if (updateState || state.state === 'fail') state.updateState();
  }

  /** A replica whose replication was lost (a restart) follows its master again once the master's address is known. */
  private keepReplicating(): void {
    const myself = this.state.myself;
    if (!isSlave(myself) || myself.master === null || this.state.host.isReplicating()) return;
    const master = this.state.lookup(myself.master);
    if (master === undefined || master.ip === '' || master.flags.has('noaddr')) return;
    this.state.host.replicate(master.ip, master.tcpPort);
  }

  /** clusterUpdateMyselfHostname and friends: myself shows what is announced now. */
  updateMyselfAnnounced(): void {
    const myself = this.state.myself;
    const settings = this.state.host.settings();
    myself.replicationOffset = this.state.host.replicationOffset();
    if (myself.hostname !== settings.announceHostname || myself.humanNodename !== settings.announceHumanNodename) {
      myself.hostname = settings.announceHostname;
      myself.humanNodename = settings.announceHumanNodename;
      this.state.later({ saveConfig: true });
    }
    if (myself.tcpPort !== settings.tcpPort || myself.tlsPort !== settings.tlsPort || myself.cport !== settings.busPort) {
      myself.tcpPort = settings.tcpPort;
      myself.tlsPort = settings.tlsPort;
      myself.cport = settings.busPort;
      this.state.later({ saveConfig: true });
    }
    // clusterUpdateMyselfFlags: the others rank replicas knowing which will not stand for election.
    if (settings.replicaNoFailover !== myself.flags.has('nofailover')) {
      if (settings.replicaNoFailover) myself.flags.add('nofailover');
      else myself.flags.delete('nofailover');
      this.state.later({ saveConfig: true });
    }
    if (settings.announceIp !== '' && myself.ip !== settings.announceIp) {
      myself.ip = settings.announceIp;
      this.state.later({ saveConfig: true });
    }
  }

  private freeLinkOverLimit(link: ClusterLink | undefined, limit: number): void {
    if (link === undefined || limit === 0 || link.pending <= limit) return;
    this.log.warning(`Freeing cluster link(${link.inbound ? 'from' : 'to'} node ${link.node?.name ?? ''}, used memory: ${link.pending}) due to exceeding send buffer memory limit.`);
    this.freeLink(link);
    this.state.stats.linksBufferLimitExceeded++;
  }

  /** clusterNodeCronHandleReconnect: an outbound link, whose first message is a MEET or a PING. */
  private connect(node: LiveNode): void {
    const link = new ClusterLink(node, false, this.state.host.now(), this.queued);
    this.outbound.set(node, link);
    this.log.debug(`Connecting with Node ${node.name} at ${node.ip}:${node.cport}`);
    link.socket = this.state.host.connect(node.ip, node.cport, {
      connected: () => this.guard('greeting a node', () => {
        // A link replaced (or freed) while it connected is of no use: closed, not left open.
        if (this.outbound.get(node) !== link) {
          link.close();
          return;
        }
        link.connected = true;
        node.linkConnected = true;
        // The ping time survives a reconnection, so that a node that keeps dropping links still times out.
        const oldPingSent = node.pingSent;
        this.sendPing(link, node.meet ? 'MEET' : 'PING');
        if (oldPingSent !== 0) node.pingSent = oldPingSent;
        node.meet = false;
      }),
      data: (chunk) => this.read(link, chunk),
      closed: (reason) => {
        if (reason !== null && !link.connected) {
          this.log.verbose(`Connection with Node ${node.name} at ${node.ip}:${node.cport} failed: ${reason}`);
          if (node.pingSent === 0) node.pingSent = this.state.host.now();
        }
        this.freeLink(link);
      },
    });
  }

  /** CLUSTER LINKS: each node's outbound and inbound link. */
  describeLinks(): LinkDescription[] {
    const rows: LinkDescription[] = [];
    const describe = (link: ClusterLink, node: LiveNode): LinkDescription => ({
      inbound: link.inbound,
      node: node.name,
      createTime: link.ctime,
      events: link.inbound ? 'r' : link.pending > 0 ? 'rw' : 'r',
      sendBufferAllocated: Math.max(link.peakPending, link.pending),
      sendBufferUsed: link.pending,
    });
    for (const node of this.state.nodes) {
      const out = this.outbound.get(node);
      if (out !== undefined) rows.push(describe(out, node));
      const inb = this.inbound.get(node);
      if (inb !== undefined) rows.push(describe(inb, node));
    }
    return rows;
  }

  /** The links open, for INFO's cluster_connections (Redis counts both directions). */
  get connections(): number {
    let n = 0;
    for (const link of this.outbound.values()) if (link.socket !== null) n++;
    return n + this.inbound.size;
  }

  /** Closes every link (CLUSTER RESET, shutdown). */
  closeAll(): void {
    for (const link of [...this.outbound.values(), ...this.inbound.values(), ...this.unattached]) this.freeLink(link);
  }
}
