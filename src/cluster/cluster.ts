import { CLUSTER_SLOTS } from './key-slot.js';
import { ClusterBus } from './links/cluster-bus.js';
import { buildHeader } from './links/message-builder.js';
import type { BusSocket, BusSocketEvents } from './links/bus-socket.js';
import { preferredEndpoint } from './node-table/endpoint.js';
import type { ClusterHost } from './state/cluster-host.js';
import { ClusterRefusal, type ClusterState } from './state/cluster-state.js';
import { loadClusterState } from './state/config-load.js';
import { failed, isMaster, isSlave, type LiveNode } from './state/live-node.js';
import { randomName } from './state/node-names.js';

/**
 * A running cluster node: the state, the bus, and the operations the
 * CLUSTER command and the routing of client commands ask of them.
 * Operations refuse with ClusterRefusal, whose message is Redis's error.
 */
export class Cluster {
  readonly bus: ClusterBus;

  constructor(readonly state: ClusterState) {
    this.bus = new ClusterBus(state);
  }

  /** Loads nodes.conf (or makes a new node); throws ClusterStartError when the server must not start. */
  static start(host: ClusterHost): Cluster {
    return new Cluster(loadClusterState(host));
  }

  private get host(): ClusterHost {
    return this.state.host;
  }

  get myself(): LiveNode {
    return this.state.myself;
  }

  /** An inbound connection on the bus port. */
  accept(socket: BusSocket): BusSocketEvents {
    return this.bus.accept(socket);
  }

  cron(): void {
    this.bus.cron();
  }

  /** What a CLUSTER command changed is saved before its reply; the messages it queued go at the turn's end (beforeSleep). */
  settle(): void {
    this.state.settle();
  }

  beforeSleep(): void {
    this.state.beforeSleep();
  }

  close(): void {
    this.bus.closeAll();
  }

  /**
   * A client's PUBLISH goes to every node (clusterPropagatePublish), its
   * SPUBLISH to the other nodes of this node's shard, its master and
   * replicas (clusterPropagatePublishShard).
   */
  publish(channel: Buffer, message: Buffer, shard: boolean): void {
    const myself = this.state.myself;
    const msg = () => ({ type: shard ? 'PUBLISHSHARD' as const : 'PUBLISH' as const, header: buildHeader(this.state), channel, message });
    if (!shard) {
      this.bus.broadcastMessage(msg);
      return;
    }
    for (const node of this.state.nodes) {
      if (node === myself || node.shardId !== myself.shardId || node.flags.has('handshake')) continue;
      this.bus.send(this.bus.outbound.get(node), msg());
    }
  }

  // ---- the routing view (what redirections need, per slot and per node)

  /** The name of the slot's owner, or null when nobody serves it. */
  slotOwner(slot: number): string | null {
    return this.state.owner(slot)?.name ?? null;
  }

  /** Whether myself serves the slot. */
  ownsSlot(slot: number): boolean {
    return this.state.ownsSlot(slot);
  }

  /** Where MOVED and ASK send a client for a node: `endpoint:port`, the TLS port for a TLS client, null for an unknown node. */
  redirectionTarget(name: string, tlsClient: boolean): string | null {
    const node = this.state.lookup(name);
    if (node === undefined) return null;
    const endpoint = preferredEndpoint(node, this.host.settings().preferredEndpointType);
    return `${endpoint}:${tlsClient ? node.tlsPort : node.tcpPort}`;
  }

  migratingTo(slot: number): string | null {
    return this.state.table.migratingTo.get(slot) ?? null;
  }

  importingFrom(slot: number): string | null {
    return this.state.table.importingFrom.get(slot) ?? null;
  }

  /** Whether myself owns `slot` and has no slot open (ClusterRoutingView.servesSettled). */
  servesSettled(slot: number): boolean {
    const state = this.state;
    return state.ownsSlot(slot) && state.table.migratingTo.size === 0 && state.table.importingFrom.size === 0;
  }

  get stateOk(): boolean {
    return this.state.state === 'ok';
  }

  get isReplica(): boolean {
    return isSlave(this.state.myself);
  }

  /** Myself's master's name when myself is a replica, else null. */
  get masterName(): string | null {
    return isSlave(this.state.myself) ? this.state.myself.master : null;
  }

  get allowReadsWhenDown(): boolean {
    return this.host.settings().allowReadsWhenDown;
  }

  get allowPubsubshardWhenDown(): boolean {
    return this.host.settings().allowPubsubshardWhenDown;
  }

  get requireFullCoverage(): boolean {
    return this.host.settings().requireFullCoverage;
  }

  // ---- CLUSTER subcommands

  lookupOrRefuse(name: string): LiveNode {
    const node = this.state.lookup(name);
    if (node === undefined) throw new ClusterRefusal(`Unknown node ${name}`);
    return node;
  }

  meet(ip: string, port: number, cport: number, portText: string): void {
    if (!this.bus.startHandshake(ip, port, cport)) throw new ClusterRefusal(`Invalid node address specified: ${ip}:${portText}`);
  }

  /** ADDSLOTS/DELSLOTS and their RANGE forms: every slot checked before any changes (checkSlotAssignmentsOrReply). */
  updateSlots(ranges: [number, number][], del: boolean): void {
    const seen = new Uint8Array(CLUSTER_SLOTS);
    for (const [start, end] of ranges) {
      for (let slot = start; slot <= end; slot++) {
        const owner = this.state.owner(slot);
        if (del && owner === null) throw new ClusterRefusal(`Slot ${slot} is already unassigned`);
        if (!del && owner !== null) throw new ClusterRefusal(`Slot ${slot} is already busy`);
        if (seen[slot]++ === 1) throw new ClusterRefusal(`Slot ${slot} specified multiple times`);
      }
    }
    for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
      if (seen[slot] === 0) continue;
      if (del) {
        this.state.delSlot(slot);
      } else {
        // Adding a slot this node was importing ends the import (clusterUpdateSlots).
        this.state.table.importingFrom.delete(slot);
        this.state.addSlot(this.state.myself, slot);
      }
    }
    this.changed();
  }

  flushSlots(): void {
    if (this.host.dbSize() !== 0) throw new ClusterRefusal('DB must be empty to perform CLUSTER FLUSHSLOTS.');
    this.state.delNodeSlots(this.state.myself);
    this.changed();
  }

  setSlotMigrating(slot: number, name: string): void {
    this.refuseOnReplica();
    if (this.state.owner(slot) !== this.state.myself) throw new ClusterRefusal(`I'm not the owner of hash slot ${slot}`);
    const node = this.knownMaster(name, `I don't know about node ${name}`);
    this.state.table.migratingTo.set(slot, node.name);
    this.changed();
  }

  setSlotImporting(slot: number, name: string): void {
    this.refuseOnReplica();
    if (this.state.owner(slot) === this.state.myself) throw new ClusterRefusal(`I'm already the owner of hash slot ${slot}`);
    const node = this.knownMaster(name, `I don't know about node ${name}`);
    this.state.table.importingFrom.set(slot, node.name);
    this.changed();
  }

  setSlotStable(slot: number): void {
    this.refuseOnReplica();
    this.state.table.importingFrom.delete(slot);
    this.state.table.migratingTo.delete(slot);
    this.changed();
  }

  /**
   * SETSLOT NODE: the slot is assigned. The migration source gives it up
   * only once its keys are gone (and becomes a replica of the target if
   * that was its last slot); the importing target bumps its epoch without
   * consensus and tells everyone at once.
   */
  setSlotNode(slot: number, name: string): void {
    this.refuseOnReplica();
    const state = this.state;
    const myself = state.myself;
    const node = this.knownMaster(name, `Unknown node ${name}`);
    if (state.owner(slot) === myself && node !== myself && this.host.countKeysInSlot(slot) !== 0) {
      throw new ClusterRefusal(`Can't assign hashslot ${slot} to a different node while I still hold keys for this hash slot.`);
    }
    if (this.host.countKeysInSlot(slot) === 0) state.table.migratingTo.delete(slot);
    const wasMine = state.owner(slot) === myself;
    state.delSlot(slot);
    state.addSlot(node, slot);
    this.host.slotOwnershipChanged();
    if (wasMine && node !== myself && myself.numSlots === 0 && this.host.settings().allowReplicaMigration) {
      this.host.log.notice(`Configuration change detected. Reconfiguring myself as a replica of ${node.name} (${node.humanNodename})`);
      state.setMyMaster(node);
      state.later({ saveConfig: true, updateState: true, fsyncConfig: true });
    }
    if (node === myself && state.table.importingFrom.has(slot)) {
      if (state.bumpEpochWithoutConsensus()) this.host.log.notice(`configEpoch updated after importing slot ${slot}`);
      state.table.importingFrom.delete(slot);
      this.bus.broadcastPong();
    }
    this.changed();
  }

  /** SETSLOT is refused on a replica before its arguments are read. */
  refuseOnReplica(): void {
    if (isSlave(this.state.myself)) throw new ClusterRefusal('Please use SETSLOT only with masters.');
  }

  private knownMaster(name: string, unknown: string): LiveNode {
    const node = this.state.lookup(name);
    if (node === undefined) throw new ClusterRefusal(unknown);
    if (isSlave(node)) throw new ClusterRefusal('Target node is not a master');
    return node;
  }

  /**
   * CLUSTER FAILOVER: with no option, the coordinated failover (the master
   * pauses its writers until this replica caught up); FORCE, an election
   * now, the master up or not; TAKEOVER, the slots taken without one.
   */
  failover(mode: 'default' | 'force' | 'takeover'): void {
    const myself = this.state.myself;
    if (isMaster(myself)) throw new ClusterRefusal('You should send CLUSTER FAILOVER to a replica');
    const master = myself.master === null ? undefined : this.state.lookup(myself.master);
    if (master === undefined) throw new ClusterRefusal("I'm a replica but my master is unknown to me");
    if (mode === 'default' && (failed(master) || !master.linkConnected)) throw new ClusterRefusal('Master is down or failed, please use CLUSTER FAILOVER FORCE');
    if (mode === 'default') this.bus.failover.start(master);
    else if (mode === 'force') this.bus.failover.force();
    else this.bus.failover.takeover();
  }

  /** BUMPEPOCH: "BUMPED <epoch>" or "STILL <epoch>". */
  bumpEpoch(): string {
    const bumped = this.state.bumpEpochWithoutConsensus();
    return `${bumped ? 'BUMPED' : 'STILL'} ${this.state.myself.configEpoch}`;
  }

  setConfigEpoch(epoch: bigint): void {
    if (epoch < 0n) throw new ClusterRefusal(`Invalid config epoch specified: ${epoch}`);
    if (this.state.nodes.length > 1) throw new ClusterRefusal('The user can assign a config epoch only when the node does not know any other node.');
    if (this.state.myself.configEpoch !== 0n) throw new ClusterRefusal('Node config epoch is already non-zero');
    this.state.myself.configEpoch = epoch;
    this.host.log.notice(`configEpoch set to ${epoch} via CLUSTER SET-CONFIG-EPOCH`);
    if (this.state.currentEpoch < epoch) this.state.currentEpoch = epoch;
    this.changed();
  }

  /** SAVECONFIG: null, or the reason the file could not be written. */
  saveConfig(): string | null {
    return this.state.saveConfig();
  }

  forget(name: string): void {
    const node = this.state.lookup(name);
    if (node === undefined) {
      if (this.state.blacklisted(name)) return;
      throw new ClusterRefusal(`Unknown node ${name}`);
    }
    if (node === this.state.myself) throw new ClusterRefusal("I tried hard but I can't forget myself...");
    if (isSlave(this.state.myself) && this.state.myself.master === node.name) throw new ClusterRefusal("Can't forget my master!");
    this.state.blacklistAdd(node.name);
    this.state.delNode(node);
    this.changed();
  }

  replicate(name: string): void {
    const node = this.lookupOrRefuse(name);
    if (node === this.state.myself) throw new ClusterRefusal("Can't replicate myself");
    if (isSlave(node)) throw new ClusterRefusal('I can only replicate a master, not a replica.');
    if (isMaster(this.state.myself) && (this.state.myself.numSlots !== 0 || this.host.dbSize() !== 0)) {
      throw new ClusterRefusal('To set a master the node must be empty and without assigned slots.');
    }
    this.state.setMyMaster(node);
    this.changed();
  }

  replicasOf(name: string): LiveNode[] {
    const node = this.lookupOrRefuse(name);
    if (isSlave(node)) throw new ClusterRefusal('The specified node is not a master');
    return this.state.replicasOf(node);
  }

  countFailureReports(name: string): number {
    return this.state.failureReports(this.lookupOrRefuse(name));
  }

  /**
   * CLUSTER RESET (clusterReset): a replica becomes an empty master; every
   * slot and every other node is forgotten; HARD also zeroes the epochs
   * and takes a new name.
   */
  reset(hard: boolean): void {
    const state = this.state;
    const myself = state.myself;
    if (isMaster(myself) && this.host.dbSize() !== 0) throw new ClusterRefusal("CLUSTER RESET can't be called with master nodes containing keys");
    if (isSlave(myself)) {
      state.setNodeAsMaster(myself);
      this.host.stopReplicating();
      this.host.flushAll();
    }
    state.table.migratingTo.clear();
    state.table.importingFrom.clear();
    for (let slot = 0; slot < CLUSTER_SLOTS; slot++) state.delSlot(slot);
    for (const node of [...state.nodes]) if (node !== myself) state.delNode(node);
    if (hard) {
      state.currentEpoch = 0n;
      state.table.lastVoteEpoch = 0n;
      myself.configEpoch = 0n;
      this.host.log.notice('configEpoch set to 0 via CLUSTER RESET HARD');
      state.renameNode(myself, randomName());
      state.table.myself = myself.name;
      myself.shardId = randomName();
      this.host.log.notice(`Node hard reset, now I'm ${myself.name}`);
    }
    state.later({ saveConfig: true, updateState: true, fsyncConfig: true });
    state.beforeSleep();
  }

  /**
   * verifyClusterConfigWithData, once the data is loaded: a master takes
   * the unassigned slots it has keys for, and marks as importing those it
   * has keys for that another node owns, so that redis-cli --cluster fix
   * sees them.
   */
  claimSlotsOfLoadedKeys(): void {
    const state = this.state;
    const myself = state.myself;
    if (isSlave(myself)) return;
    let changed = false;
    for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
      if (this.host.countKeysInSlot(slot) === 0) continue;
      const owner = state.owner(slot);
      if (owner === myself || state.table.importingFrom.has(slot)) continue;
      changed = true;
      if (owner === null) {
        this.host.log.notice(`I have keys for unassigned slot ${slot}. Taking responsibility for it.`);
        state.addSlot(myself, slot);
      } else {
        this.host.log.notice(`I have keys for slot ${slot}, but the slot is assigned to another node. Setting it to importing state.`);
        state.table.importingFrom.set(slot, owner.name);
      }
    }
    if (changed) state.saveConfigOrDie();
  }

  /** DEBUG CLUSTERLINK KILL to|from|all <node>: the node's outbound, inbound or both links closed (the cron reconnects). */
  killLinks(direction: string, name: string): void {
    const node = this.lookupOrRefuse(name);
    const dir = direction.toLowerCase();
    if (dir !== 'to' && dir !== 'from' && dir !== 'all') throw new ClusterRefusal(`Unknown direction ${direction}`);
    const out = this.bus.outbound.get(node);
    const inb = this.bus.inbound.get(node);
    if (dir !== 'from' && out !== undefined) this.bus.freeLink(out);
    if (dir !== 'to' && inb !== undefined) this.bus.freeLink(inb);
  }

  /** CLUSTER INFO's slot counts: assigned, ok, pfail, fail. */
  slotHealth(): { assigned: number; ok: number; pfail: number; fail: number } {
    const counts = { assigned: 0, ok: 0, pfail: 0, fail: 0 };
    for (const [owner, slots] of this.state.slotsByOwner) {
      counts.assigned += slots;
      if (failed(owner)) counts.fail += slots;
      else if (owner.flags.has('fail?')) counts.pfail += slots;
      else counts.ok += slots;
    }
    return counts;
  }

  private changed(): void {
    this.state.later({ saveConfig: true, updateState: true });
  }
}
