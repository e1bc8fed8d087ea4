import { Cluster } from '../cluster/cluster.js';
import { CRON_PERIOD } from '../cluster/links/cluster-bus.js';
import { ClusterConfigFatal } from '../cluster/state/cluster-state.js';
import { ClusterStartError } from '../cluster/state/config-load.js';
import { errorText } from '../core/log.js';
import { BusListener } from './cluster-bus-socket.js';
import { tlsSettings } from './tls/tls-settings.js';
import { lockClusterConfig, unlockClusterConfig } from './cluster-config-lock.js';
import { clusterBusPort, clusterConfigPath, serverClusterHost } from './cluster-host.js';
import { routingView } from './cluster/routing-view.js';
import type { Server } from './server.js';

/** The cluster could not start; the message, Redis's, has been logged. */
export class ClusterStartFailure extends Error {}

/**
 * The cluster as the server runs it (cluster-enabled yes): nodes.conf
 * locked and loaded, the bus port listening, the cluster's cron every
 * 100 ms, and its before-sleep work (state, save) at the end of the turn
 * in which something changed.
 */
export class ClusterRuntime {
  private listener: BusListener | null = null;
  private cronTimer: NodeJS.Timeout | null = null;
  private beforeSleepQueued = false;
  private lockedFile: string | null = null;
  private closed = false;

  private constructor(
    private readonly server: Server,
    readonly cluster: Cluster,
  ) {}

  /**
   * clusterInit: refuses what Redis refuses at start (with its words), then
   * locks and loads nodes.conf and binds the bus port. Throws a
   * ClusterStartFailure, logged, when the server must not start.
   */
  static async start(server: Server, slotOwnershipChanged: () => void): Promise<ClusterRuntime> {
    try {
      return await ClusterRuntime.init(server, slotOwnershipChanged);
    } catch (e) {
      const message = e instanceof Error ? e.message : String(e);
      server.log.warning(message);
      throw new ClusterStartFailure(message, { cause: e });
    }
  }

  private static async init(server: Server, slotOwnershipChanged: () => void): Promise<ClusterRuntime> {
    if (server.config.str('replicaof') !== '') throw new Error('replicaof directive not allowed in cluster mode');
    const port = server.config.bool('tls-cluster') ? server.config.num('tls-port') : server.config.num('port');
    if (server.config.num('cluster-port') === 0 && port > 65535 - 10000) {
      throw new Error('Redis port number too high. Cluster communication port is 10,000 port numbers higher than your Redis port. Your Redis port number must be 55535 or less.');
    }
    const file = clusterConfigPath(server);
    const refusal = lockClusterConfig(file);
    if (refusal !== null) throw new Error(refusal);
    let runtime: ClusterRuntime;
    try {
      const cluster = Cluster.start(serverClusterHost(server, slotOwnershipChanged));
      runtime = new ClusterRuntime(server, cluster);
    } catch (e) {
      unlockClusterConfig(file);
      if (e instanceof ClusterStartError || e instanceof ClusterConfigFatal) throw new Error(e.message);
      throw e;
    }
    runtime.lockedFile = file;
    // Before any data is loaded: database 0 is indexed by slot, and commands are routed by their keys' slots.
    server.keyspace.enableSlotIndex();
    server.clusterRouting = routingView(runtime.cluster);
    runtime.cluster.state.onLater = () => runtime.queueBeforeSleep();
    // Myself's ports from the start, as Redis's clusterInit sets them: redis-cli --cluster create reads the first node's bus port from CLUSTER NODES at once.
    runtime.cluster.bus.updateMyselfAnnounced();
    runtime.cluster.state.onFatal = (e) => runtime.guard('bus', () => {
      throw e;
    });
    const listener = new BusListener((socket) => runtime.cluster.accept(socket));
    try {
      const tlsContext = server.config.bool('tls-cluster') ? tlsSettings(server.config).context : null;
      await listener.listen(server.config.str('bind').split(/\s+/).filter(Boolean), clusterBusPort(server), server.config.num('tcp-backlog'), () => {}, tlsContext);
    } catch (e) {
      await runtime.close();
      throw new Error(`Failed listening on port ${clusterBusPort(server)} (cluster), aborting.`, { cause: e });
    }
    runtime.listener = listener;
    server.broker.clusterPublish = (channel, message, shard) => {
      const bytes = typeof message === 'string' ? Buffer.from(message, 'latin1') : message.buf.subarray(message.start, message.start + message.length);
      runtime.cluster.publish(Buffer.from(channel, 'latin1'), bytes, shard);
    };
    runtime.cronTimer = setInterval(() => runtime.cron(), CRON_PERIOD);
    runtime.cronTimer.unref();
    runtime.cluster.state.updateState();
    return runtime;
  }

  /**
   * The data loaded at start: the node claims the slots of the keys it has.
   * (It has database 0 only: a file with keys in another stopped the load.)
   */
  dataLoaded(): void {
    this.guard('checking the loaded data', () => this.cluster.claimSlotsOfLoadedKeys());
  }

  /** CONFIG SET of a cluster-* parameter: what myself announces changes at once, as Redis's apply functions do. */
  configChanged(): void {
    this.guard('applying the configuration', () => {
      this.cluster.bus.updateMyselfAnnounced();
      this.cluster.beforeSleep();
    });
  }

  private cron(): void {
    this.guard('cron', () => {
      this.cluster.cron();
      this.cluster.beforeSleep();
    });
  }

  /** Saves and recomputes the state once, after whatever else this turn does. */
  private queueBeforeSleep(): void {
    if (this.beforeSleepQueued) return;
    this.beforeSleepQueued = true;
    // One check phase after the replies this turn queued, as Redis writes a command's reply in
    // beforeSleep and the bus messages it caused from the links' write handlers in the next turn.
    // Otherwise a target's PONG claiming a slot reaches the source before redis-cli's SETSLOT NODE,
    // and the source saves nodes.conf with its fsyncs for every slot a reshard moves.
    setImmediate(() => setImmediate(() => {
      this.beforeSleepQueued = false;
      this.guard('before sleep', () => this.cluster.beforeSleep());
    }));
  }

  /** The cluster's own work never takes the server down, but a config it cannot save does, as in Redis. */
  private guard(what: string, work: () => void): void {
    // Work queued before close() finds the node gone: its directory may be too.
    if (this.closed) return;
    try {
      work();
    } catch (e) {
      if (e instanceof ClusterConfigFatal) {
        this.server.log.warning(`Fatal: can't update cluster config file: ${e.message}`);
        // Redis exits where it cannot go on as a cluster node.
        this.server.stopOnFatal();
        return;
      }
      this.server.log.warning(`Cluster ${what} failed: ${errorText(e)}`);
    }
  }

  close(): Promise<void> {
    this.closed = true;
    this.server.broker.clusterPublish = null;
    if (this.cronTimer !== null) clearInterval(this.cronTimer);
    this.cronTimer = null;
    this.cluster.close();
    if (this.lockedFile !== null) unlockClusterConfig(this.lockedFile);
    this.lockedFile = null;
    const listener = this.listener;
    this.listener = null;
    return listener?.close() ?? Promise.resolve();
  }
}
