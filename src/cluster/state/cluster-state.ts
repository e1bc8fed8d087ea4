import { CLUSTER_SLOTS } from '../key-slot.js';
import { addSlot, hasSlot, removeSlot } from '../slot-bitmap.js';
import type { ClusterNodeTable } from '../node-table/node.js';
import { writeNodesConf } from '../node-table/nodes-conf-write.js';
import type { ClusterHost } from './cluster-host.js';
import { failed, isMaster, isSlave, liveNodeFrom, newLiveNode, timedOut, type LiveNode } from './live-node.js';
import { MessageStats } from './message-stats.js';
import { randomName } from './node-names.js';
import { emptyTodo, type ClusterTodo } from './todo.js';

/** How long a FORGET keeps a node from being re-added by gossip (CLUSTER_BLACKLIST_TTL), in seconds. */
export const BLACKLIST_TTL = 60;
/** A failure report older than node_timeout × this is dropped (CLUSTER_FAIL_REPORT_VALIDITY_MULT). */
const FAIL_REPORT_VALIDITY_MULT = 2;
/** A master's FAIL is cleared after node_timeout × this if nobody took its slots (CLUSTER_FAIL_UNDO_TIME_MULT). */
const FAIL_UNDO_TIME_MULT = 2;
const MAX_REJOIN_DELAY = 5000;
const MIN_REJOIN_DELAY = 500;
/** A master waits this long after its first state check before it says ok (CLUSTER_WRITABLE_DELAY). */
const WRITABLE_DELAY = 2000;

/** What the links do for the state: it decides, they send. */
export interface ClusterMessenger {
  broadcastPong(): void;
  broadcastFail(name: string): void;
  /** Closes the node's links (it was deleted, or its address changed). */
  dropLinks(node: LiveNode): void;
  /** Writes what the links queued this turn. */
  flushLinks(): void;
  /** Myself follows another master: a manual failover under way is dropped (Redis's clusterSetMaster resets it). */
  myMasterChanged(): void;
}

/** A refusal whose message is the error reply Redis gives, without the ERR prefix. */
export class ClusterRefusal extends Error {}

/**
 * The live cluster as this node sees it (Redis's clusterState): the node
 * table with myself in it, the slot → owner array, the slots being moved,
 * the epochs, the ok/fail state and the work left for the end of the turn.
 * It touches nothing outside itself but through its host and messenger.
 */
export class ClusterState {
  readonly table: ClusterNodeTable;
  readonly myself: LiveNode;
  private readonly byName = new Map<string, LiveNode>();
  /** Slot → owner, the inverse of the nodes' bitmaps, kept in step with them. */
  private readonly owners = new Array<LiveNode | null>(CLUSTER_SLOTS).fill(null);
  /** Per slot, 1 when myself owns it: 16 KB that stay in cache, read by every routed command. */
  private readonly mine = new Uint8Array(CLUSTER_SLOTS);
  /**
   * How many entries of `owners` name each node, and how many are null:
   * the state is updated at every SETSLOT, and full coverage then asks only
   * whether a slot is unowned or owned by a failed node, which these answer
   * without a pass over the slots. A node's own bitmap may claim more (a
   * nodes.conf giving a slot to two nodes), so numSlots cannot answer it.
   */
  private readonly ownedSlots = new Map<LiveNode, number>();
  private unownedSlots = CLUSTER_SLOTS;

  /** How many slots each owner holds, by the owners table (CLUSTER INFO's counts). */
  get slotsByOwner(): ReadonlyMap<LiveNode, number> {
    return this.ownedSlots;
  }
  state: 'ok' | 'fail' = 'fail';
  /** Masters serving at least one slot. */
  size = 0;
  readonly todo: ClusterTodo = emptyTodo();
  readonly stats = new MessageStats();
  /** FORGET's blacklist: name → Unix seconds until which gossip may not re-add it. */
  readonly blacklist = new Map<string, number>();
  /** A master paused for a manual failover says so in every header (CLUSTERMSG_FLAG0_PAUSED). */
  manualFailoverPaused = false;
  /** Nodes in PFAIL, counted by the cron, for the gossip section to carry them all. */
  pfailNodes = 0;
  /** The config could not be saved during a socket's event: the server must stop (the runtime decides how). */
  onFatal: (e: ClusterConfigFatal) => void = (e) => {
    throw e;
  };
  /** Called when work is marked for the end of the turn, so that the turn's end comes. */
  onLater: () => void = () => {};
  messenger: ClusterMessenger = { broadcastPong: () => {}, broadcastFail: () => {}, dropLinks: () => {}, flushLinks: () => {}, myMasterChanged: () => {} };
  private amongMinorityTime = 0;
  private firstStateCall = 0;

  constructor(readonly host: ClusterHost, table: ClusterNodeTable) {
    const now = host.now();
    const nodes = table.nodes.map((n) => liveNodeFrom(n, now));
    this.table = { ...table, nodes };
    for (const node of nodes) {
      this.byName.set(node.name, node);
      for (let slot = 0; slot < CLUSTER_SLOTS; slot++) if (hasSlot(node.slots, slot)) this.owners[slot] = node;
    }
    this.myself = this.byName.get(table.myself)!;
    for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
      const owner = this.owners[slot];
      if (owner === null) continue;
      this.countOwned(owner, 1);
      if (owner === this.myself) this.mine[slot] = 1;
    }
    // clusterLoadConfig adds each replica to its master's, and a master with replicas is a migration target.
    for (const node of nodes) {
      const master = isSlave(node) && node.master !== null ? this.byName.get(node.master) : undefined;
      if (master !== undefined) master.migrateTo = true;
    }
    this.updateSize();
  }

  /** A node that knows nobody: myself, a master with a new name and shard. */
  static fresh(host: ClusterHost): ClusterState {
    const myself = newLiveNode(randomName(), ['myself', 'master'], host.now(), randomName());
    return new ClusterState(host, {
      nodes: [myself], myself: myself.name, currentEpoch: 0n, lastVoteEpoch: 0n, migratingTo: new Map(), importingFrom: new Map(),
    });
  }

  get currentEpoch(): bigint {
    return this.table.currentEpoch;
  }

  set currentEpoch(epoch: bigint) {
    this.table.currentEpoch = epoch;
  }

  get nodes(): readonly LiveNode[] {
    return this.table.nodes as LiveNode[];
  }

  lookup(name: string): LiveNode | undefined {
    return this.byName.get(name);
  }

  /** Marks work for the end of the turn (clusterDoBeforeSleep). */
  later(what: Partial<ClusterTodo>): void {
    this.onLater();
    if (what.saveConfig) this.todo.saveConfig = true;
    if (what.fsyncConfig) this.todo.fsyncConfig = true;
    if (what.updateState) this.todo.updateState = true;
  }

  // ---- nodes

  addNode(node: LiveNode): void {
    this.table.nodes.push(node);
    this.byName.set(node.name, node);
  }

  /** clusterDelNode: its slots and moves are dropped, its reports on others too, and its links closed. */
  delNode(node: LiveNode): void {
    const index = this.table.nodes.indexOf(node);
    if (index === -1) return;
    for (const [slot, peer] of this.table.importingFrom) if (peer === node.name) this.table.importingFrom.delete(slot);
    for (const [slot, peer] of this.table.migratingTo) if (peer === node.name) this.table.migratingTo.delete(slot);
    for (let slot = 0; slot < CLUSTER_SLOTS; slot++) if (this.owners[slot] === node) this.delSlot(slot);
    for (const other of this.nodes) other.failReports.delete(node.name);
    for (const other of this.nodes) if (other.master === node.name) other.master = null;
    this.messenger.dropLinks(node);
    this.table.nodes.splice(this.table.nodes.indexOf(node), 1);
    if (this.byName.get(node.name) === node) this.byName.delete(node.name);
    const master = node.master === null ? undefined : this.byName.get(node.master);
    if (master !== undefined) this.replicaDetached(master);
    this.updateSize();
  }

  /** A handshake node gets its real name from the first PONG. */
  renameNode(node: LiveNode, name: string): void {
    this.byName.delete(node.name);
    node.name = name;
    this.byName.set(name, node);
  }

  /**
   * clusterSetMaster: myself replicates `master` from now on. A master
   * gives up its slot moves; the data comes through replication.
   */
  setMyMaster(master: LiveNode): void {
    const myself = this.myself;
    if (isMaster(myself)) {
      myself.flags.delete('master');
      myself.flags.add('slave');
      myself.migrateTo = false;
      this.table.migratingTo.clear();
      this.table.importingFrom.clear();
    }
    this.setReplicaOf(myself, master);
    if (master.shardId !== null) myself.shardId = master.shardId;
    this.host.replicate(master.ip, master.tcpPort);
    this.messenger.myMasterChanged();
    this.updateSize();
  }

  replicasOf(master: LiveNode): LiveNode[] {
    return this.nodes.filter((n) => n.master === master.name && isSlave(n));
  }

  /**
   * A replica names its master (clusterNodeRemoveSlave from the old one,
   * clusterNodeAddSlave to the new): a master that gets a replica becomes
   * a target of replica migration, and stops being one when its last
   * replica leaves it (a failing replica stays its replica).
   */
  setReplicaOf(node: LiveNode, master: LiveNode | null): void {
    const old = node.master === null ? undefined : this.byName.get(node.master);
    node.master = master === null ? null : master.name;
    if (old !== undefined && old !== master) this.replicaDetached(old);
    if (master !== null) master.migrateTo = true;
  }

  private replicaDetached(master: LiveNode): void {
    if (this.replicasOf(master).length === 0) master.migrateTo = false;
  }

  /** Whether any master has a replica (clusterMastersHaveSlaves). */
  private mastersHaveReplicas(): boolean {
    return this.nodes.some((n) => {
      const master = isSlave(n) && n.master !== null ? this.byName.get(n.master) : undefined;
      return master !== undefined && !isSlave(master);
    });
  }

  /** clusterSetNodeAsMaster: a replica that becomes a master (a failover) is a migration target, as its old master was. */
  setNodeAsMaster(node: LiveNode): void {
    if (isMaster(node)) return;
    const hadMaster = node.master !== null;
    this.setReplicaOf(node, null);
    if (hadMaster && node !== this.myself) node.migrateTo = true;
    node.flags.delete('slave');
    node.flags.add('master');
    this.later({ saveConfig: true, updateState: true });
  }

  // ---- slots

  owner(slot: number): LiveNode | null {
    return this.owners[slot];
  }

  /** Whether myself owns `slot`. */
  ownsSlot(slot: number): boolean {
    return this.mine[slot] === 1;
  }

  /** clusterAddSlot: false when the slot already has an owner. */
  addSlot(node: LiveNode, slot: number): boolean {
    if (this.owners[slot] !== null) return false;
    addSlot(node.slots, slot);
    node.numSlots++;
    // clusterNodeSetSlotBit: a master's first slot makes it a migration target when other masters have replicas (Redis's issue 3043).
    if (node.numSlots === 1 && this.mastersHaveReplicas()) node.migrateTo = true;
    this.owners[slot] = node;
    this.countOwned(node, 1);
    if (node === this.myself) this.mine[slot] = 1;
    this.updateSize();
    return true;
  }

  /** clusterDelSlot: the slot's owner loses it, and a migration of it ends. */
  delSlot(slot: number): boolean {
    const node = this.owners[slot];
    if (node === null) return false;
    this.table.migratingTo.delete(slot);
    removeSlot(node.slots, slot);
    node.numSlots--;
    this.owners[slot] = null;
    this.countOwned(node, -1);
    this.mine[slot] = 0;
    this.updateSize();
    return true;
  }

  private countOwned(node: LiveNode, change: 1 | -1): void {
    const count = (this.ownedSlots.get(node) ?? 0) + change;
    if (count === 0) this.ownedSlots.delete(node);
    else this.ownedSlots.set(node, count);
    this.unownedSlots -= change;
  }

  delNodeSlots(node: LiveNode): number {
    let deleted = 0;
    for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
      if (this.owners[slot] === node && this.delSlot(slot)) deleted++;
    }
    return deleted;
  }

  private updateSize(): void {
    let size = 0;
    for (const node of this.nodes) if (isMaster(node) && node.numSlots > 0) size++;
    this.size = size;
  }

  // ---- epochs

  maxEpoch(): bigint {
    let max = this.currentEpoch;
    for (const node of this.nodes) if (node.configEpoch > max) max = node.configEpoch;
    return max;
  }

  /**
   * clusterBumpConfigEpochWithoutConsensus: a new config epoch for myself
   * unless it is already the greatest and unique one. True when bumped.
   */
  bumpEpochWithoutConsensus(): boolean {
    const max = this.maxEpoch();
    if (this.myself.configEpoch === 0n || this.myself.configEpoch !== max) {
      this.currentEpoch++;
      this.myself.configEpoch = this.currentEpoch;
      this.later({ saveConfig: true, fsyncConfig: true });
      this.host.log.notice(`New configEpoch set to ${this.myself.configEpoch}`);
      return true;
    }
    return false;
  }

  /**
   * clusterHandleConfigEpochCollision: two masters with one config epoch;
   * the one with the greater name keeps it, the other takes the next.
   */
  handleEpochCollision(sender: LiveNode): void {
    if (sender.configEpoch !== this.myself.configEpoch || !isMaster(sender) || !isMaster(this.myself)) return;
    if (sender.name <= this.myself.name) return;
    this.currentEpoch++;
    this.myself.configEpoch = this.currentEpoch;
    this.saveConfigOrDie();
    this.host.log.verbose(`WARNING: configEpoch collision with node ${sender.name} (${sender.humanNodename}). configEpoch set to ${this.myself.configEpoch}`);
  }

  // ---- failure detection

  /** Redis counts a report from a master only; a stale one is dropped first. */
  failureReports(node: LiveNode): number {
    const maxAge = this.host.settings().nodeTimeout * FAIL_REPORT_VALIDITY_MULT;
    const now = this.host.now();
    for (const [reporter, time] of node.failReports) if (now - time > maxAge) node.failReports.delete(reporter);
    return node.failReports.size;
  }

  /** markNodeAsFailingIfNeeded: PFAIL becomes FAIL once a majority of masters agree, and everyone is told. */
  markFailingIfNeeded(node: LiveNode): void {
    const quorum = Math.floor(this.size / 2) + 1;
    if (!timedOut(node) || failed(node)) return;
    let failures = this.failureReports(node);
    if (isMaster(this.myself)) failures++;
    if (failures < quorum) return;
    this.host.log.notice(`Marking node ${node.name} (${node.humanNodename}) as failing (quorum reached).`);
    node.flags.delete('fail?');
    node.flags.add('fail');
    node.failTime = this.host.now();
    this.messenger.broadcastFail(node.name);
    this.later({ updateState: true, saveConfig: true });
  }

  /** clearNodeFailureIfNeeded: a reachable node loses FAIL when nothing depends on it staying failed. */
  clearFailureIfNeeded(node: LiveNode): void {
    if (isSlave(node) || node.numSlots === 0) {
      this.host.log.notice(`Clear FAIL state for node ${node.name} (${node.humanNodename}):${isSlave(node) ? 'replica' : 'master without slots'} is reachable again.`);
      node.flags.delete('fail');
      this.later({ updateState: true, saveConfig: true });
    }
    if (isMaster(node) && node.numSlots > 0 && this.host.now() - node.failTime > this.host.settings().nodeTimeout * FAIL_UNDO_TIME_MULT) {
      this.host.log.notice(`Clear FAIL state for node ${node.name} (${node.humanNodename}): is reachable again and nobody is serving its slots after some time.`);
      node.flags.delete('fail');
      this.later({ updateState: true, saveConfig: true });
    }
  }

  // ---- FORGET's blacklist

  blacklistAdd(name: string): void {
    this.blacklistCleanup();
    this.blacklist.set(name, Math.floor(this.host.now() / 1000) + BLACKLIST_TTL);
  }

  blacklisted(name: string): boolean {
    this.blacklistCleanup();
    return this.blacklist.has(name);
  }

  private blacklistCleanup(): void {
    const now = Math.floor(this.host.now() / 1000);
    for (const [name, until] of this.blacklist) if (until < now) this.blacklist.delete(name);
  }

  // ---- state

  /**
   * clusterUpdateState: fail when a slot is unserved (with
   * require-full-coverage) or when the reachable masters are a minority; a
   * master that was in the minority waits a rejoin delay before ok again.
   */
  updateState(): void {
    this.todo.updateState = false;
    const now = this.host.now();
    if (this.firstStateCall === 0) this.firstStateCall = now;
    if (isMaster(this.myself) && this.state === 'fail' && now - this.firstStateCall < WRITABLE_DELAY) return;
    const settings = this.host.settings();
    let next: 'ok' | 'fail' = 'ok';
    if (settings.requireFullCoverage && this.unownedSlots > 0) next = 'fail';
    else if (settings.requireFullCoverage) for (const owner of this.ownedSlots.keys()) if (failed(owner)) next = 'fail';
    this.updateSize();
    let reachable = 0;
    for (const node of this.nodes) if (isMaster(node) && node.numSlots > 0 && !failed(node) && !timedOut(node)) reachable++;
    if (reachable < Math.floor(this.size / 2) + 1) {
      next = 'fail';
      this.amongMinorityTime = now;
    }
    if (next === this.state) return;
    const rejoinDelay = Math.min(MAX_REJOIN_DELAY, Math.max(MIN_REJOIN_DELAY, settings.nodeTimeout));
    if (next === 'ok' && isMaster(this.myself) && now - this.amongMinorityTime < rejoinDelay) return;
    const line = `Cluster state changed: ${next}`;
    if (next === 'ok') this.host.log.notice(line);
    else this.host.log.warning(line);
    this.state = next;
    this.host.slotOwnershipChanged();
  }

  // ---- nodes.conf

  configText(): string {
    return writeNodesConf(this.table);
  }

  /**
   * clusterSaveConfig: null, or why the file could not be written. As in
   * Redis, only the changes that must survive a power loss (epochs, roles,
   * slots gained or lost by consensus) ask for the fsyncs; a SETSLOT or a
   * node's flags do not.
   */
  saveConfig(fsync = true): string | null {
    this.todo.saveConfig = false;
    this.todo.fsyncConfig = false;
    try {
      this.host.writeConfig(this.configText(), fsync);
      return null;
    } catch (e) {
      return e instanceof Error ? e.message : String(e);
    }
  }

  /** clusterSaveConfigOrDie: Redis exits when it cannot record a change it has already made. */
  saveConfigOrDie(fsync = true): void {
    const error = this.saveConfig(fsync);
    if (error !== null) {
      this.host.log.warning("Fatal: can't update cluster config file.");
      throw new ClusterConfigFatal(error);
    }
  }

  /** The end of the turn (clusterBeforeSleep): recompute the state, save, and send what the turn queued. */
  beforeSleep(): void {
    this.settle();
    this.messenger.flushLinks();
  }

  /** Recomputes the state and saves nodes.conf if the turn asked for either. */
  settle(): void {
    if (this.todo.updateState) this.updateState();
    if (this.todo.saveConfig) this.saveConfigOrDie(this.todo.fsyncConfig);
  }

}

/** The config file could not be written after a change: the server must stop, as Redis exits. */
export class ClusterConfigFatal extends Error {}
