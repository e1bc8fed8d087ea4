import { CLUSTER_SLOTS } from '../key-slot.js';
import { hasSlot } from '../slot-bitmap.js';
import { MESSAGE_FLAGS0 } from '../bus/flags.js';
import type { BusHeader } from '../bus/header.js';
import { failed, isMaster, isSlave, type LiveNode } from '../state/live-node.js';
import type { ClusterBus } from './cluster-bus.js';
import { buildHeader } from './message-builder.js';

/** How long a manual failover may take (CLUSTER_MF_TIMEOUT), in ms. */
const MANUAL_TIMEOUT = 5000;
/** Redis logs why it cannot fail over again only after this long (CLUSTER_CANT_FAILOVER_RELOG_PERIOD), in seconds. */
const CANT_FAILOVER_RELOG_PERIOD = 10;

type CantFailover = 'none' | 'data-age' | 'waiting-delay' | 'expired' | 'waiting-votes';

const CANT_FAILOVER_TEXT: Record<Exclude<CantFailover, 'none'>, string> = {
  'data-age': "Disconnected from master for longer than allowed. Please check the 'cluster-replica-validity-factor' configuration option.",
  'waiting-delay': 'Waiting the delay before I can start a new failover.',
  expired: 'Failover attempt expired.',
  'waiting-votes': 'Waiting for votes, but majority still not reached.',
};

/**
 * Replica failover (Redis's clusterHandleSlaveFailover and the voting of
 * clusterSendFailoverAuthIfNeeded): a replica whose master is FAIL waits a
 * delay that grows with its rank among the replicas, asks the masters for
 * their votes in a new epoch, and on a majority takes its master's slots.
 * A master votes once per epoch, and once per failed master within twice
 * the node timeout. CLUSTER FAILOVER waits for the paused master's offset
 * first; FORCE starts an election at once, the master up or not; TAKEOVER
 * takes the slots without one.
 */
export class Failover {
  /** When the election may start (or started); 0 before any. */
  private authTime = 0;
  private authCount = 0;
  private authSent = false;
  private authRank = 0;
  private authEpoch = 0n;
  /** A manual failover in progress: until when it may run (CLUSTER_MF_TIMEOUT); 0 when none. */
  private manualEnd = 0;
  /** Replica side: the election may start (FORCE, or the paused master's offset reached). */
  private manualCanStart = false;
  /** Replica side: the offset the paused master announced, or -1 before it did. */
  private manualMasterOffset = -1n;
  /** Master side: the replica this master paused its writers for. */
  private manualReplica: LiveNode | null = null;
  private cantFailover: CantFailover = 'none';
  private lastCantLog = 0;
  /** When this master last voted for a replica of each master. */
  private readonly votedAt = new Map<string, number>();

  constructor(private readonly bus: ClusterBus) {}

  private get state() {
    return this.bus.state;
  }

  private now(): number {
    return this.state.host.now();
  }

  /** A master is asked for its vote (clusterSendFailoverAuthIfNeeded). */
  voteIfNeeded(node: LiveNode, request: BusHeader): void {
    const state = this.state;
    const myself = state.myself;
    const log = state.host.log;
    if (isSlave(myself) || myself.numSlots === 0) return;
    const who = `${node.name} (${node.humanNodename})`;
    if (request.currentEpoch < state.currentEpoch) {
      log.warning(`Failover auth denied to ${who}: reqEpoch (${request.currentEpoch}) < curEpoch(${state.currentEpoch})`);
      return;
    }
    if (state.table.lastVoteEpoch === state.currentEpoch) {
      log.warning(`Failover auth denied to ${who}: already voted for epoch ${state.currentEpoch}`);
      return;
    }
    const master = node.master === null ? undefined : state.lookup(node.master);
    const forceAck = (request.mflags[0] & MESSAGE_FLAGS0.FORCEACK) !== 0;
    if (isMaster(node)) {
      log.warning(`Failover auth denied to ${who}: it is a master node`);
      return;
    }
    if (master === undefined) {
      log.warning(`Failover auth denied to ${who}: I don't know its master`);
      return;
    }
    if (!failed(master) && !forceAck) {
      log.warning(`Failover auth denied to ${who}: its master is up`);
      return;
    }
    const timeout = state.host.settings().nodeTimeout;
    const since = this.now() - (this.votedAt.get(master.name) ?? 0);
    if (since < timeout * 2) {
      log.warning(`Failover auth denied to ${node.name} ${node.humanNodename}: can't vote about this master before ${timeout * 2 - since} milliseconds`);
      return;
    }
    for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
      if (!hasSlot(request.myslots, slot)) continue;
      const owner = state.owner(slot);
      if (owner === null || owner.configEpoch <= request.configEpoch) continue;
      log.warning(`Failover auth denied to ${who}: slot ${slot} epoch (${owner.configEpoch}) > reqEpoch (${request.configEpoch})`);
      return;
    }
    state.table.lastVoteEpoch = state.currentEpoch;
    this.votedAt.set(master.name, this.now());
    state.later({ saveConfig: true, fsyncConfig: true });
    this.bus.send(this.bus.outbound.get(node), { type: 'FAILOVER_AUTH_ACK', header: buildHeader(state) });
    log.notice(`Failover auth granted to ${who} for epoch ${state.currentEpoch}`);
  }

  /** A vote arrived: it counts when it comes from a master with slots, for this election's epoch. */
  voteReceived(sender: LiveNode, senderCurrentEpoch: bigint): void {
    if (isMaster(sender) && sender.numSlots > 0 && senderCurrentEpoch >= this.authEpoch) {
      this.authCount++;
      this.handle();
    }
  }

  /**
   * CLUSTER FAILOVER (no option): the master is asked (MFSTART) to pause
   * its writers and announce its offset; once this replica has processed
   * that much, it stands for election with the masters told to vote even
   * though its master is up.
   */
  start(master: LiveNode): void {
    this.reset();
    this.manualEnd = this.now() + MANUAL_TIMEOUT;
    this.state.host.log.notice('Manual failover user request accepted.');
    this.bus.send(this.bus.outbound.get(master), { type: 'MFSTART', header: buildHeader(this.state) });
  }

  /** CLUSTER FAILOVER FORCE: an election now, without waiting for the master to fail. */
  force(): void {
    this.reset();
    this.manualEnd = this.now() + MANUAL_TIMEOUT;
    this.manualCanStart = true;
    this.state.host.log.notice('Forced failover user request accepted.');
    this.authTime = 0;
  }

  /** Master side: a replica asks for a manual failover; writers pause until it is done or times out. */
  mfstartReceived(sender: LiveNode): void {
    if (sender.master !== this.state.myself.name) return;
    this.reset();
    this.manualEnd = this.now() + MANUAL_TIMEOUT;
    this.manualReplica = sender;
    this.state.manualFailoverPaused = true;
    this.state.host.pauseWrites();
    this.state.host.log.notice(`Manual failover requested by replica ${sender.name} (${sender.humanNodename}).`);
    this.pingReplica();
  }

  /** Replica side: the paused master's offset, from the first header that says it is paused. */
  masterHeard(sender: LiveNode, header: BusHeader): void {
    const myself = this.state.myself;
    if (this.manualEnd === 0 || !isSlave(myself) || myself.master !== sender.name) return;
    if ((header.mflags[0] & MESSAGE_FLAGS0.PAUSED) === 0 || this.manualMasterOffset !== -1n) return;
    this.manualMasterOffset = header.offset;
    this.state.host.log.notice(`Received replication offset for paused master manual failover: ${header.offset}`);
    this.handleManual();
  }

  /** The cron's part: the master keeps its replica told of its offset; both give up after the timeout. */
  cron(): void {
    if (this.manualEnd !== 0 && this.manualEnd < this.now()) {
      this.state.host.log.warning('Manual failover timed out.');
      this.reset();
    }
    // A master that lost its slots to the replica it paused for is its replica now: its writers resume.
    if (this.manualReplica !== null && !isMaster(this.state.myself)) this.reset();
    if (this.manualReplica !== null) this.pingReplica();
    if (isSlave(this.state.myself)) {
      this.handleManual();
      this.handle();
    }
  }

  private pingReplica(): void {
    const link = this.manualReplica === null ? undefined : this.bus.outbound.get(this.manualReplica);
    if (link !== undefined && link.connected) this.bus.sendPing(link, 'PING');
  }

  /** clusterHandleManualFailover: the election may start once this replica has what the paused master has. */
  private handleManual(): void {
    if (this.manualEnd === 0 || this.manualCanStart || this.manualMasterOffset === -1n) return;
    if (this.manualMasterOffset === BigInt(this.state.host.replicationOffset())) {
      this.manualCanStart = true;
      this.state.host.log.notice('All master replication stream processed, manual failover can start.');
      this.handle();
    }
  }

  /** CLUSTER FAILOVER TAKEOVER: the slots taken at a new epoch, nobody asked. */
  takeover(): void {
    this.reset();
    this.state.host.log.notice('Taking over the master (user request).');
    this.state.bumpEpochWithoutConsensus();
    this.replaceMyMaster();
  }

  /** resetManualFailover: a manual failover under way ends; a master's paused writers resume. */
  reset(): void {
    if (this.manualReplica !== null || this.state.manualFailoverPaused) {
      this.state.manualFailoverPaused = false;
      this.state.host.unpauseWrites();
    }
    this.manualEnd = 0;
    this.manualCanStart = false;
    this.manualMasterOffset = -1n;
    this.manualReplica = null;
  }

  private rank(): number {
    const myself = this.state.myself;
    const master = myself.master === null ? undefined : this.state.lookup(myself.master);
    if (master === undefined) return 0;
    const myOffset = this.state.host.replicationOffset();
    let rank = 0;
    for (const replica of this.state.replicasOf(master)) {
      if (replica !== myself && !replica.flags.has('nofailover') && replica.replicationOffset > myOffset) rank++;
    }
    return rank;
  }

  /** clusterHandleSlaveFailover, from the cron and when a vote arrives. */
  handle(): void {
    const state = this.state;
    const myself = state.myself;
    const settings = state.host.settings();
    const now = this.now();
    const manual = this.manualEnd !== 0 && this.manualCanStart;
    const master = myself.master === null ? undefined : state.lookup(myself.master);
    if (isMaster(myself) || master === undefined || (!failed(master) && !manual) || (settings.replicaNoFailover && !manual) || master.numSlots === 0) {
      this.cantFailover = 'none';
      return;
    }
    const authTimeout = Math.max(settings.nodeTimeout * 2, 2000);
    const authRetry = authTimeout * 2;
    const authAge = now - this.authTime;

    let dataAge = state.host.replicationDataAge();
    if (dataAge > settings.nodeTimeout) dataAge -= settings.nodeTimeout;
    if (settings.replicaValidityFactor !== 0 && dataAge > settings.replPingPeriod * 1000 + settings.nodeTimeout * settings.replicaValidityFactor && !manual) {
      this.logCantFailover('data-age');
      return;
    }

    if (authAge > authRetry) {
      this.authTime = now + 500 + Math.floor(Math.random() * 500);
      this.authCount = 0;
      this.authSent = false;
      this.authRank = this.rank();
      this.authTime += this.authRank * 1000;
      if (manual) {
        this.authTime = now;
        this.authRank = 0;
      }
      state.host.log.notice(`Start of election delayed for ${this.authTime - now} milliseconds (rank #${this.authRank}, offset ${state.host.replicationOffset()}).`);
      this.bus.broadcastPongToReplicasOf(master);
      if (!manual) return;
    }

    if (!this.authSent && !manual) {
      const rank = this.rank();
      if (rank > this.authRank) {
        const added = (rank - this.authRank) * 1000;
        this.authTime += added;
        this.authRank = rank;
        state.host.log.notice(`Replica rank updated to #${rank}, added ${added} milliseconds of delay.`);
      }
    }
    if (now < this.authTime) {
      this.logCantFailover('waiting-delay');
      return;
    }
    if (now - this.authTime > authTimeout) {
      this.logCantFailover('expired');
      return;
    }
    if (!this.authSent) {
      state.currentEpoch++;
      this.authEpoch = state.currentEpoch;
      state.host.log.notice(`Starting a failover election for epoch ${state.currentEpoch}.`);
      const header = buildHeader(state);
      if (manual) header.mflags = [header.mflags[0] | MESSAGE_FLAGS0.FORCEACK, header.mflags[1], header.mflags[2]];
      this.bus.broadcastMessage(() => ({ type: 'FAILOVER_AUTH_REQUEST', header }));
      this.authSent = true;
      state.later({ saveConfig: true, updateState: true, fsyncConfig: true });
      return;
    }
    const quorum = Math.floor(state.size / 2) + 1;
    if (this.authCount >= quorum) {
      state.host.log.notice("Failover election won: I'm the new master.");
      if (myself.configEpoch < this.authEpoch) {
        myself.configEpoch = this.authEpoch;
        state.host.log.notice(`configEpoch set to ${myself.configEpoch} after successful failover`);
      }
      this.replaceMyMaster();
    } else {
      this.logCantFailover('waiting-votes');
    }
  }

  /** clusterFailoverReplaceYourMaster: myself a master with my master's slots, told to everyone at once. */
  private replaceMyMaster(): void {
    const state = this.state;
    const myself = state.myself;
    const old = myself.master === null ? undefined : state.lookup(myself.master);
    if (isMaster(myself) || old === undefined) return;
    state.setNodeAsMaster(myself);
    state.host.stopReplicating();
    for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
      if (state.owner(slot) !== old) continue;
      state.delSlot(slot);
      state.addSlot(myself, slot);
    }
    state.host.slotOwnershipChanged();
    state.updateState();
    state.saveConfigOrDie();
    this.bus.broadcastPong();
    this.reset();
  }

  private logCantFailover(reason: Exclude<CantFailover, 'none'>): void {
    const state = this.state;
    const nowSec = Math.floor(this.now() / 1000);
    if (reason === this.cantFailover && nowSec - this.lastCantLog < CANT_FAILOVER_RELOG_PERIOD) return;
    this.cantFailover = reason;
    const master = state.myself.master === null ? undefined : state.lookup(state.myself.master);
    // Right after the master fails, not being able to fail over yet is expected: not worth a line.
    if (master !== undefined && failed(master) && this.now() - master.failTime < state.host.settings().nodeTimeout + 5000) return;
    this.lastCantLog = nowSec;
    state.host.log.notice(`Currently unable to failover: ${CANT_FAILOVER_TEXT[reason]}`);
  }
}
