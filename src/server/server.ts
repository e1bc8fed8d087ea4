import type net from 'node:net';
import { TLSSocket } from 'node:tls';
import { performance } from 'node:perf_hooks';
import { Broker } from '../broker/broker.js';
import { Acl } from './acl/acl.js';
import { LatencyMonitor } from './latency/latency-monitor.js';
import { PROTECTED_MODE_DENIED, protectedModeRefuses } from './acl/protected-mode.js';
import { loadUsersAtStartup } from './acl/config-users.js';
import { clientInfoLine } from './commands/client-list.js';
import { msSince } from '../core/latency.js';
import { NOREPLICAS } from '../core/errors.js';
import { DiscardReply } from '../core/discard-reply.js';
import { PropagationStream } from '../core/propagation.js';
import type { HeldReply } from '../persistence/fsync.js';
import type { PersistenceHost } from '../persistence/host.js';
import { Persistence } from '../persistence/persistence.js';
import { AofWaits } from '../persistence/aof-waits.js';
import { waitAofReply } from './commands/wait.js';
import type { ParserLimits } from '../protocol/limits.js';
import { BlockingRegistry } from '../queues/blocking-registry.js';
import { Keyspace } from '../keyspace/keyspace.js';
import { registerBrokerMetrics } from './broker-metrics.js';
import { OOM_MASTER, OOM_REPLICA, OomScoreAdj } from './oom-score-adj.js';
import { BusyAccept } from './busy-accept.js';
import { Client } from './client.js';
import { Listener } from './listener.js';
import { Scripting } from '../scripting/scripting.js';
import { scriptHost } from './script-host.js';
import { REDIS_VERSION } from './version.js';
import { criticalError, panicsAfterError } from './propagation-errors.js';
import type { Command } from './command-types.js';
import { CommandTable } from './command-table.js';
import { commandList } from './command-list.js';
import { Config } from './config.js';
import { Dispatcher } from './dispatcher.js';
import { errorText } from '../core/log.js';
import { bindFailure } from './listen-error.js';
import { createLogger, setLogFormat, type Logger, type LogFormat, type LogLevel } from './logger.js';
import { Metrics } from './metrics.js';
import { ConsoleEndpoint } from './console-host.js';
import { registerKeyMetrics, WatchedKeys } from './key-metrics.js';
import type { Reply } from '../protocol/reply.js';
import { MemoryManager } from './memory/memory-manager.js';
import { formatMonitorLine } from './monitor.js';
import { OutputLimits } from './output-limits.js';
import { Slowlog } from './slowlog.js';
import { ReplicationHost } from './replication-host.js';
import { Tracking } from './tracking/tracking.js';
import { readChunks, readWithEvents, releaseReader } from './socket-reader.js';
import { TlsListener } from './tls/tls-listener.js';
import { TlsConfigError, tlsSettings, type ClientAuth, type TlsSettings } from './tls/tls-settings.js';
import { ServerStats } from './stats.js';
import { ClusterRuntime } from './cluster-runtime.js';
import { redirectBlockedClients } from './cluster/redirect-blocked.js';
import type { Cluster } from '../cluster/cluster.js';
import { shutdownFromSignal, shutdownWaitCron, type ShutdownFlags, type ShutdownSignal } from './shutdown.js';
import type { QueryRouter } from '../cluster/routing/query-router.js';
import type { ClusterRoutingView } from '../cluster/routing/routing-view.js';

/** Redis's maxmemory check before each command (performEvictions): whether used memory is over the limit. */
export interface MemoryLimit {
  overLimit(): boolean;
}

/** A rename-command the command table refused: which one (by position) and Redis's reason. */
export class CommandRenameError extends Error {
  constructor(
    readonly index: number,
    reason: string,
  ) {
    super(reason);
  }
}

/** What may hold writes besides CLIENT PAUSE (Server.writesHeldBy). */
type WriteHold = 'failover' | 'shutdown' | 'finishing';

/** The longest TCP keepalive idle time Linux accepts, in seconds. */
const MAX_KEEPALIVE_IDLE = 32767;

export interface PauseState {
  until: number;
  /** 'all' holds every command, 'write' only those that may write. */
  mode: 'all' | 'write';
  timer: NodeJS.Timeout;
}

/**
 * A running Sluice: configuration, keyspace, command table and the
 * connections served. Everything a command can reach hangs off this object,
 * so several servers in one process stay independent.
 */
export class Server implements PersistenceHost<Client> {
  readonly config = new Config();
  readonly keyspace: Keyspace;
  readonly dispatcher = new Dispatcher(this);
  readonly propagation = new PropagationStream();
  readonly stats = new ServerStats();
  readonly slowlog = new Slowlog();
  /** The latency monitor (LATENCY, latency-monitor-threshold). */
  readonly latency = new LatencyMonitor();
  /** latency-tracking: commands record their latency in LATENCY HISTOGRAM's distributions. */
  latencyTracking = true;
  /** min-replicas-to-write is on and too few replicas are good: writes are refused (NOREPLICAS). */
  replicasShort = false;
  readonly metrics: Metrics = new Metrics(this);
  /** The streams and lists /metrics reports (metrics-keys). */
  readonly watchedKeys: WatchedKeys;
  /** The browser console on console-port (off while it is 0). */
  readonly webConsole: ConsoleEndpoint;
  readonly outputLimits = new OutputLimits(this);
  /** Client-side caching: who tracks which keys, and the invalidations they are sent. */
  readonly tracking: Tracking = new Tracking(this);
  readonly broker: Broker<Client>;
  /** The AOF: loading at start, appending effects, rewrites. */
  readonly persistence: Persistence<Client>;
  readonly blocking: BlockingRegistry<Client>;
  /** Replication: the stream, the backlog, the replicas. */
  readonly replication: ReplicationHost;
  /** Clients blocked in WAIT: the offset their last write ended at, how many replicas they want, their blocked state. */
  readonly replicaWaits = new Map<Client, { woff: number; wanted: number; state: unknown }>();
  /** Clients blocked in WAITAOF, served as the AOF reaches the disk. */
  readonly aofWaits: AofWaits<Client>;
  readonly commands: CommandTable;
  readonly scripting: Scripting;
  /** ACL users, the default user, the ACL log. */
  readonly acl: Acl;
  /** The client scripts run their commands as (Redis's Lua client). */
  private readonly luaClient: Client;
  readonly clients = new Map<number, Client>();
  readonly monitors = new Set<Client>();
  readonly parserLimits: ParserLimits = { maxBulkLen: 0, queryBufferLimit: 0 };
  readonly startedAt = Date.now();
  log: Logger;
  loading = false;
  /**
   * A replica receiving a full sync with repl-diskless-load swapdb, for the
   * history it already follows: the old data is served meanwhile, commands
   * flagged no-async-loading are refused (Redis's async_loading).
   */
  asyncLoading = false;
  /** DEBUG SET-ACTIVE-EXPIRE: whether the cron deletes expired keys nobody reads. */
  activeExpire = true;
  /** DEBUG PAUSE-CRON: the cron skips its work (a shutdown a signal asked for included). */
  cronPaused = false;
  /** A SIGTERM or SIGINT not acted on yet (Redis's shutdown_asap): the next cron shuts down. */
  shutdownAsap: ShutdownSignal | null = null;
  pause: PauseState | null = null;
  /**
   * What holds writes besides CLIENT PAUSE (as CLIENT PAUSE WRITE would): a
   * FAILOVER until the target took over, a SHUTDOWN while it waits for the
   * replicas to catch up, a command waiting to finish (finishLater).
   */
  readonly writesHeldBy = new Set<WriteHold>();
  /** A SHUTDOWN waiting (up to shutdown-timeout) for the replicas: how it will stop, until when, who waits for its answer. */
  shutdownPending: { flags: ShutdownFlags; deadline: number; waiters: Client[] } | null = null;
  /** Null while no memory limit is set: commands are then never refused for memory. */
  memoryLimit: MemoryLimit | null = null;
  /** The cluster's routing view while cluster-enabled is yes (commands are redirected by their keys' slots); null on a standalone server. */
  clusterRouting: ClusterRoutingView | null = null;
  /** The router over clusterRouting (cluster/router.ts's routerFor makes it), null until a command first needs it. */
  clusterRouter: QueryRouter | null = null;
  /** maxmemory, eviction and used memory (server/memory/). */
  readonly memory: MemoryManager;
  /** Clients holding a command back until the pause ends. */
  readonly paused = new Map<Client, string[]>();
  /** Unix time (s) of the last successful save; no saving exists yet, so the start time. */
  lastSave = Math.floor(Date.now() / 1000);
  readonly redisVersion = REDIS_VERSION;
  private readonly oomScore = new OomScoreAdj();
  // As Redis's listenToPort: an optional address that cannot be bound is named in a warning, and skipped.
  private readonly listener = new Listener((socket) => this.accept(socket), (e) => this.log.warning(bindFailure(e) ?? String(e)));
  readonly tlsListener = new TlsListener((socket) => this.accept(socket), () => this.log);
  /** Connections accepted while a script holds the event loop (see BusyPoll). */
  readonly busyAccept = new BusyAccept({
    listeners: () => this.listener.servers,
    backlog: () => this.config.num('tcp-backlog'),
    accept: (socket) => this.accept(socket),
    log: () => this.log,
  });
  /** Set once listen() has bound the sockets: from then on CONFIG SET port and bind bind again. */
  listening = false;
  private rebinding: Promise<void> = Promise.resolve();
  private nextClientId = 1;
  private toFlush: Client[] = [];
  /** The end-of-turn flush has already put off its fsync for one more read (see flushAll). */
  private readOnceMore = false;
  private cron: NodeJS.Timeout | null = null;
  /** metrics-keys as last applied: a change restarts the scan. */
  private watchedSpec = '';
  /** When the turn now running first read its clock (performance.now()), 0 between turns. */
  private turnStartedAt = 0;
  private closing: Promise<void> | null = null;
  /** Fires when SHUTDOWN asks the process hosting this server to stop. */
  onShutdown: () => void = () => {};
  /** The status the process exits with once it shut down: 1 after a fatal condition (the cluster's, say). */
  exitCode = 0;
  /** The cluster node, when cluster-enabled; built by listen(). */
  private clusterRuntime: ClusterRuntime | null = null;

  /**
   * @param configFile the absolute path of the config file the settings came
   * from: CONFIG REWRITE writes it, INFO shows it; null when there is none.
   * @param renames the config file's rename-command directives, in order.
   * @param users the config file's `user` directives: each user's name, then its rules.
   */
  constructor(
    settings: [string, string][] = [],
    logOptions: { destination?: NodeJS.WritableStream } = {},
    readonly configFile: string | null = null,
    renames: readonly (readonly [from: string, to: string])[] = [],
    users: readonly (readonly string[])[] = [],
  ) {
    const err = this.config.setMany(settings, { startup: true });
    if (err !== null) throw new Error(err.replace(/^ERR /, ''));
    // A cluster node has database 0 only, as Redis's config loading makes it.
    const configuredDbs = this.config.num('databases');
    if (this.config.bool('cluster-enabled') && configuredDbs > 1) this.config.setMany([['databases', '1']], { startup: true });
    this.keyspace = new Keyspace(this.config.num('databases'));
    this.watchedKeys = new WatchedKeys(this.keyspace);
    this.metrics.add((pc, registry) => registerKeyMetrics(pc, registry, this.watchedKeys));
    this.memory = new MemoryManager(this);
    // The parts below the server get what they need of it as narrow interfaces, never the server itself.
    const limits = this.outputLimits;
    this.broker = new Broker<Client>({
      flush: (c) => this.flushClient(c),
      overLimit: (c) => limits.check(c),
      pubsubHardLimit: () => limits.pubsub.hard,
    });
    registerBrokerMetrics(this.metrics, this.broker, this);
    this.webConsole = new ConsoleEndpoint(this);
    this.blocking = new BlockingRegistry<Client>(this.keyspace, {
      answer: (c, write) => {
        const mark = c.out.mark();
        write();
        if (c.replyOff) c.out.rewind(mark);
      },
      rerun: (c, cmd, argv) => this.dispatcher.rerun(c, cmd, argv),
      startTurn: () => this.startTurn(),
      flush: (c) => this.flushClient(c),
      resume: (c) => {
        if (this.isPaused(c)) return;
        c.conn!.parser.resume();
        this.flushClient(c);
      },
      completed: (c, cmd, argv, usec, failed) => this.dispatcher.completed(c, cmd, argv, usec, failed),
      errorReplied: (c) => this.stats.countError(c.reply.lastError),
    });
    this.persistence = new Persistence<Client>(this, (held) => this.writeHeld(held));
    this.aofWaits = new AofWaits<Client>((c, end) => {
      if ('error' in end) this.blocking.wake(c, () => c.reply.error(end.error), true);
      else this.blocking.wake(c, () => waitAofReply(c, end.local, end.replicas), false);
    }, (replWoff) => this.replication.master.aofAckedAt(replWoff));
    this.persistence.onDurable = () => {
      if (this.aofWaits.size !== 0) this.aofWaits.check(this.persistence.fsyncedOffset, this.config.bool('appendonly'));
      this.replication.aofDurable();
    };
    this.replication = new ReplicationHost(this);
    this.scripting = new Scripting(scriptHost(this, () => this.luaClient), REDIS_VERSION, () => this.config.num('busy-reply-threshold'));
    this.commands = new CommandTable(commandList(this.broker, this.persistence, this.scripting));
    this.acl = new Acl(
      {
        clients: () => this.clients.values(),
        current: () => this.broker.executing,
        clientInfo: (c) => clientInfoLine(c, Date.now()),
        config: (name) => this.config.str(name),
      },
      this.commands.commands,
    );
    this.acl.requirePass(this.config.str('requirepass'));
    this.luaClient = new Client(this, this.nextClientId++, null, this.scripting.sink, 'lua');
    this.luaClient.denyBlocking = true;
    this.luaClient.fromScript = true;
    renames.forEach(([from, to], i) => {
      const reason = this.commands.rename(from, to);
      if (reason !== null) throw new CommandRenameError(i, reason);
    });
    this.keyspace.listener = {
      expired: (db, key) => {
        this.propagation.record(db.index, ['DEL', key]);
        this.keyspace.notify(db, 'x', 'expired', key);
      },
      notify: this.broker.notifier.notify,
      propagate: (db, argv) => this.propagation.record(db.index, argv),
      flushedAll: () => this.persistence.rdb.afterFlushAll(),
    };
    this.log = createLogger({
      level: this.config.str('loglevel') as LogLevel,
      format: this.config.str('log-format') as LogFormat,
      file: this.config.str('logfile'),
      destination: logOptions.destination,
      role: () => (this.replication.isReplica ? 'S' : 'M'),
    });
    if (this.config.num('databases') !== configuredDbs) this.log.warning(`WARNING: Changing databases number from ${configuredDbs} to 1 since we are in cluster mode`);
    loadUsersAtStartup(this.acl, users, this.config.str('aclfile'), this.config.str('dir'), (m) => this.log.notice(m));
    this.applyConfig();
    this.config.onChange = (name) => {
      if (name === 'requirepass') this.acl.requirePass(this.config.str('requirepass'));
      if (name === 'log-format') setLogFormat(this.log, this.config.str(name) as LogFormat);
      this.applyConfig();
      if (name.startsWith('cluster-')) this.clusterRuntime?.configChanged();
      if (name === 'oom-score-adj' || name === 'oom-score-adj-values') {
        if (name === 'oom-score-adj-values') this.warnOomScoreOrder();
        if (!this.applyOomScoreAdj()) throw new Error('Failed to set current oom_score_adj. Check server logs.');
      }
      // A role change sets the score again, as Redis's replicationSetMaster and replicationUnsetMaster do; a failure is only logged.
      if (name === 'replicaof') this.applyOomScoreAdj();
      if (name === 'tls-auth-clients') {
        this.tlsListener.setClientAuth(this.config.str(name) as ClientAuth);
        if (this.webConsole.secure) this.webConsole.reload(this.tlsSettings());
      } else if (name.startsWith('tls-') && name !== 'tls-port') {
        this.reloadTls();
      }
    };
  }

  /** oom-score-adj for this server's role now (Redis's setOOMScoreAdj(-1)): false when it could not be set (logged). */
  applyOomScoreAdj(): boolean {
    const values = this.config.str('oom-score-adj-values').split(' ').map(Number);
    const cls = this.replication?.isReplica === true ? OOM_REPLICA : OOM_MASTER;
    return this.oomScore.apply(this.config.str('oom-score-adj'), values, cls, (m) => this.log.warning(m));
  }

  /** Redis's warning for values an unprivileged process cannot reach (a replica's below a master's, a child's below a replica's). */
  private warnOomScoreOrder(): void {
    const [master, replica, child] = this.config.str('oom-score-adj-values').split(' ').map(Number);
    if (replica < master || child < replica) {
      this.log.warning('The oom-score-adj-values configuration may not work for non-privileged processes! Please consult the documentation.');
    }
  }

  /** Copies configuration into the fields read on hot paths. */
  private applyConfig(): void {
    this.parserLimits.maxBulkLen = this.config.num('proto-max-bulk-len');
    this.parserLimits.queryBufferLimit = this.config.num('client-query-buffer-limit');
    this.slowlog.threshold = this.config.num('slowlog-log-slower-than');
    this.latency.threshold = this.config.num('latency-monitor-threshold');
    this.latencyTracking = this.config.bool('latency-tracking');
    this.refreshGoodReplicas();
    this.replication?.configChanged();
    this.slowlog.maxLen = this.config.num('slowlog-max-len');
    this.broker.notifier.configure(this.config.str('notify-keyspace-events'));
    this.keyspace.notifyNew = this.broker.notifier.wantsNew;
    this.outputLimits.configure(this.config.str('client-output-buffer-limit'));
    if (this.log) this.log.level = this.config.str('loglevel');
    if (this.cron !== null) this.startCron();
    this.persistence.configChanged();
    this.memory.configure();
    const watched = this.config.str('metrics-keys');
    if (watched !== this.watchedSpec) {
      this.watchedSpec = watched;
      this.watchedKeys.configure(watched);
    }
  }

  /**
   * CONFIG SET port or bind: listens again as configured now (one change
   * after another when several come close together). Rejects when an
   * address cannot be bound, listening nowhere on TCP then.
   */
  rebind(clients: boolean, metrics: boolean, web = false): Promise<void> {
    const next = this.rebinding.catch(() => {}).then(async () => {
      if (clients) {
        const binds = this.bindAddresses();
        const backlog = this.config.num('tcp-backlog');
        await this.listener.rebind(binds, this.config.num('port'), backlog);
        await this.tlsListener.close();
        const tlsPort = this.config.num('tls-port');
        if (tlsPort !== 0) await this.tlsListener.listen(binds, tlsPort, backlog, this.tlsSettings());
      }
      if (metrics) await this.listenMetrics();
      // The console follows the bind addresses, and TLS, of the client ports.
      if (clients || web) await this.listenConsole();
    });
    this.rebinding = next;
    return next;
  }

  /** The Prometheus endpoint on metrics-port (closed first; 0 leaves it closed), on the host the clients' port listens on. */
  private async listenMetrics(): Promise<void> {
    await this.metrics.close();
    const port = this.config.num('metrics-port');
    if (port === 0) return;
    const plain = this.config.num('port') !== 0 || !this.tlsListener.active;
    await this.metrics.listen(plain ? this.listener.address : this.tlsListener.address, port);
  }

  /** The console on console-port (closed first; 0 leaves it closed): on the bind addresses, over TLS when tls-port is set. */
  private async listenConsole(): Promise<void> {
    await this.webConsole.close();
    const port = this.config.num('console-port');
    if (port === 0) return;
    const tls = this.config.num('tls-port') !== 0 ? this.tlsSettings() : null;
    await this.webConsole.listen(this.bindAddresses(), port, this.config.num('tcp-backlog'), tls);
  }

  private bindAddresses(): string[] {
    return this.config.str('bind').split(/\s+/).filter(Boolean);
  }

  /**
   * The TLS settings the tls-* parameters make; what is wrong with them is
   * logged, and thrown as Redis words it to CONFIG SET.
   */
  private tlsSettings(): TlsSettings {
    try {
      return tlsSettings(this.config);
    } catch (e) {
      if (!(e instanceof TlsConfigError)) throw e;
      this.log.warning(e.message);
      throw new Error('Unable to update TLS configuration. Check server logs.');
    }
  }

  /** A tls-* parameter changed: connections made from now on use the new context (Redis's applyTlsCfg). */
  private reloadTls(): void {
    if (this.tlsListener.active) this.tlsListener.reload(this.tlsSettings());
    if (this.webConsole.secure) this.webConsole.reload(this.tlsSettings());
  }

  /**
   * Starts listening on each bind address, on `port` and on `tls-port`;
   * resolves to the plain port bound (the TLS one when `port` is 0 and
   * `tls-port` is not: then, as in Redis, no plain socket is bound).
   */
  async listen(): Promise<number> {
    await this.scripting.storeReady(100);
    let port: number;
    try {
      const tlsPort = this.config.num('tls-port');
      const plain = this.config.num('port') !== 0 || tlsPort === 0;
      const backlog = this.config.num('tcp-backlog');
      const settings = tlsPort === 0 ? null : this.tlsSettings();
      port = await this.listener.listen(this.bindAddresses(), plain ? this.config.num('port') : null, {
        backlog,
        unixSocket: this.config.str('unixsocket'),
        unixSocketPerm: this.config.num('unixsocketperm'),
      });
      if (settings !== null) {
        const bound = await this.tlsListener.listen(this.bindAddresses(), tlsPort, backlog, settings);
        if (!plain) port = bound;
      }
    } catch (e) {
      await this.close();
      throw e;
    }
    try {
      await this.listenMetrics();
      await this.listenConsole();
    } catch (e) {
      await this.close();
      throw e;
    }
    // Port 0 asked for any free port: the one picked is the port from now on (CONFIG GET, CONFIG SET bind, REWRITE).
    if (this.config.num('port') === 0 && !this.tlsListener.active) this.config.setMany([['port', String(port)]], { startup: true });
    // As Redis does before its event loop starts: a failure is logged, and the server runs on.
    this.applyOomScoreAdj();
    if (this.config.bool('cluster-enabled')) {
      try {
        this.clusterRuntime = await ClusterRuntime.start(this, () => redirectBlockedClients(this));
      } catch (e) {
        await this.close();
        throw e;
      }
    }
    this.listening = true;
    this.startCron();
    // Redis's step between binding its sockets and loading the data; its test suite waits for the line.
    this.log.notice('Server initialized');
    // Clients can connect while the AOF loads: they are answered -LOADING, as Redis does.
    this.persistence.start();
    // The replicaof directive: the link starts once the data is loaded (and its history known).
    this.persistence.ready.then(() => this.replication.startFromConfig(), () => {});
    this.persistence.ready.then(() => this.clusterRuntime?.dataLoaded(), () => {});
    return port;
  }

  private startCron(): void {
    if (this.cron !== null) clearInterval(this.cron);
    const period = Math.max(1, Math.floor(1000 / this.config.num('hz')));
    this.cron = setInterval(() => this.serverCron(), period);
    this.cron.unref();
  }

  /** One cron tick, timed for INFO's event-loop figures (a turn of its own, as Redis's serverCron is). */
  private serverCron(): void {
    if (this.cronPaused) return;
    const start = performance.now();
    this.stats.sampleInstant(start);
    this.cronBody();
    const end = performance.now();
    this.stats.cronUsec += (end - start) * 1000;
    this.stats.endCycle(start, end);
  }

  /** Periodic work in bounded slices: active expiry, tracking's table limit, memory, output limits, idle-client timeouts. */
  private cronBody(): void {
    this.expireCycle(Date.now() + Math.max(1, Math.floor(250 / this.config.num('hz'))));
    if (this.tracking.clients !== 0) this.tracking.limit();
    this.memory.cron();
    this.watchedKeys.tick();
    this.refreshGoodReplicas();
    this.outputLimits.cron();
    // Where a signal's shutdown happens, as Redis does it from its cron rather than in the handler.
    if (this.shutdownAsap !== null && this.shutdownPending === null) shutdownFromSignal(this);
    if (this.shutdownPending !== null) shutdownWaitCron(this);
    const timeout = this.config.num('timeout');
    if (timeout > 0) {
      const limit = Date.now() - timeout * 1000;
      for (const c of this.clients.values()) {
        // As Redis: subscribers, blocked clients and monitors wait as long as they like.
        if (c.lastInteraction < limit && !c.monitor && c.blocked === null && c.pubsub === null && !c.fromMaster && !c.isReplica) {
          this.log.verbose('Closing idle client');
          c.close();
        }
      }
    }
  }

  /**
   * Active expiry in slices of about a millisecond: while a slice reports a
   * backlog, more follow on later event-loop turns until `until` (a quarter
   * of the cron period, Redis's budget), so commands interleave and latency
   * stays flat.
   */
  private expireCycle(until: number): void {
    // CLIENT PAUSE holds the dataset still: keys expire again when it ends.
    if (!this.activeExpire || this.replication.isReplica || this.pausing || this.closing !== null || this.loading) return;
    const start = performance.now();
    this.keyspace.activeExpireCycle(1);
    this.stats.expireCycleUsec += (performance.now() - start) * 1000;
    if (this.latency.threshold !== 0) this.latency.addIfNeeded('expire-cycle', msSince(start));
    if (!this.keyspace.expireBacklog) return;
    if (Date.now() < until) setImmediate(() => this.expireCycle(until)).unref();
    else this.stats.expireTimeCapReached++;
  }

  private accept(socket: net.Socket): void {
    this.stats.connectionsReceived++;
    if (this.log.isLevelEnabled('verbose')) this.log.verbose(acceptedLine(socket, this.config.str('unixsocket')));
    const keepAlive = this.config.num('tcp-keepalive');
    // Linux takes an idle time of at most 32767 s (MAX_TCP_KEEPIDLE); a Unix socket ignores the call.
    if (keepAlive > 0) socket.setKeepAlive(true, Math.min(keepAlive, MAX_KEEPALIVE_IDLE) * 1000);
    if (this.clients.size >= this.config.num('maxclients')) {
      this.stats.rejectedConnections++;
      refuse(socket);
      socket.end('-ERR max number of clients reached\r\n');
      return;
    }
    if (protectedModeRefuses(this.config.bool('protected-mode'), this.acl.defaultUser.nopass, socket.remoteAddress)) {
      this.stats.rejectedConnections++;
      refuse(socket);
      // Closed once written: the client's own FIN is never read.
      socket.end(PROTECTED_MODE_DENIED);
      socket.destroySoon();
      return;
    }
    const onChunk = (chunk: Buffer) => {
      this.stats.netInputBytes += chunk.length;
      this.stats.readsProcessed++;
      c.lastInteraction = this.startTurn();
      try {
        c.conn!.parser.feed(chunk);
      } catch (e) {
        this.fault(c, 'reading a request', e);
      }
      this.flushClient(c);
    };
    // As Redis frees a client whose read finds the connection closed, a blocked client goes at once: a
    // message pushed later in the same turn would be served to it and lost. Any other waits for 'close',
    // which comes after the replies it is owed are written.
    const onEnd = () => {
      if (!c.closed && this.log.isLevelEnabled('verbose')) this.log.verbose(`Client closed connection ${clientInfoLine(c, Date.now())}`);
      if (c.blocked !== null) c.close();
    };
    // Reads are delivered on later event-loop turns, after the client exists. A TLS socket's decrypted bytes come as 'data' events.
    const reading = socket instanceof TLSSocket ? readWithEvents(socket, onChunk, onEnd) : readChunks(socket, onChunk, onEnd);
    const c = new Client(this, this.nextClientId++, reading);
    this.clients.set(c.id, c);
    reading.on('error', () => c.close());
    reading.on('close', () => {
      c.close();
      releaseReader(reading);
    });
  }

  /** The command a request names (PersistenceHost). */
  lookup(argv: string[]): Command | undefined {
    return this.dispatcher.lookup(argv);
  }

  /**
   * A client with no connection for the console: it starts logged in as
   * a new connection would (AUTH decides the rest), replies into `sink`,
   * never blocks, touches no key's LRU or LFU, and is in no client list: `peer` stands for the
   * browser's address where the slow log and the ACL log show one.
   */
  consoleClient(peer: string, sink: Reply): Client {
    const c = new Client(this, this.nextClientId++, null, sink, peer);
    c.actsForNoUser = false;
    c.setAuthenticated(this.acl.startsAuthenticated());
    c.denyBlocking = true;
    // As CLIENT NO-TOUCH: looking at keys does not change which ones eviction takes first.
    c.noTouch = true;
    return c;
  }

  /** Runs a command for a client with no connection (the console's) as a turn of its own. */
  runDetached(c: Client, argv: string[]): void {
    this.startTurn();
    this.dispatcher.run(c, argv);
    if (this.toFlush.length === 0) this.endTurn();
  }

  /** The client a master's replication stream runs as: no connection, no replies, acting for no user. */
  masterClient(): Client {
    const c = new Client(this, this.nextClientId++, null, new DiscardReply(), 'master');
    c.denyBlocking = true;
    c.fromMaster = true;
    return c;
  }

  /**
   * A master turned replica (or the reverse) ends every blocking command
   * but WAIT's with Redis's UNBLOCKED error: what it waited for may never
   * come from this side any more.
   */
  disconnectBlockedForRoleChange(): void {
    for (const c of this.clients.values()) {
      if (c.blocked === null || this.replicaWaits.has(c)) continue;
      this.blocking.wake(c, () => c.reply.error('UNBLOCKED force unblock from blocking operation, instance state changed (master -> replica?)'), true);
    }
  }

  /** A client with no connection whose replies go nowhere, which may not block (the AOF loader's). */
  detachedClient(): Client {
    const c = new Client(this, 0, null, new DiscardReply());
    c.denyBlocking = true;
    return c;
  }

  aofCommandFailed(error: string, command: string): boolean {
    this.stats.countError(error);
    criticalError(this, 'aof', error, command);
    return panicsAfterError(this, 'aof', command);
  }

  /**
   * Reads the clocks once for what runs next (a chunk's commands, a timer's
   * work): the commands of a pipeline run within microseconds of each other,
   * and Redis too freezes its clock around a command. Returns the time in ms.
   */
  startTurn(): number {
    const now = performance.now();
    this.dispatcher.stamp = now;
    if (this.turnStartedAt === 0) this.turnStartedAt = now;
    return (this.keyspace.now = Date.now());
  }

  /**
   * Schedules a client's pending replies to be written at the end of this
   * event-loop turn, after every readable socket has been served (Redis's
   * beforeSleep), in the order clients were queued. One write per client
   * per turn, and the peer is woken once per burst rather than once per
   * request. A read's replies always wait for it, even a lone request's:
   * each loopback write that wakes a sleeping peer costs the writer a
   * cross-core wake-up in the kernel, and when the server rather than the
   * client sets the pace the clients sleep between replies. Writing a lone
   * request's reply at once cost several microseconds of CPU a write under
   * many unpipelined clients, which is more than the wait for the end of
   * the turn costs that request in latency.
   */
  flushClient(c: Client): void {
    if (c.flushPending) return;
    c.flushPending = true;
    this.toFlush.push(c);
    if (this.toFlush.length === 1) setImmediate(this.flushAll);
  }

  /**
   * The end-of-turn flush. When it must fsync first (appendfsync always, the
   * turn wrote), it reads once more before: the requests that arrived while
   * the turn ran (typically the clients answered by the previous fsync) are
   * served and share this fsync instead of waiting out it and then their
   * own: fewer fsyncs for as many writes under many unpipelined clients.
   * Reading more than once more gained nothing further.
   */
  private readonly flushAll = (): void => {
    const list = this.toFlush;
    // A background slice wrote them first (nextSlice).
    if (list.length === 0) {
      this.readOnceMore = false;
      this.endTurn();
      return;
    }
    if (!this.readOnceMore && this.persistence.fsyncDue) {
      this.readOnceMore = true;
      setImmediate(this.flushAll);
      return;
    }
    this.readOnceMore = false;
    this.toFlush = [];
    // The turn's effects reach the AOF (and the disk, under appendfsync always) first: one write and fsync for all its replies.
    const aofStart = performance.now();
    const written = this.persistence.beforeReplies(() => list.map(takeReplies));
    this.stats.aofUsec += (performance.now() - aofStart) * 1000;
    if (written) this.writeReplies(list);
    this.endTurn();
  };

  private aofFlushQueued = false;

  /**
   * Writes (and under appendfsync always, fsyncs) what the AOF gathered at
   * the end of this turn even when no client waits for a reply: a replica
   * applying its master's stream, whose FACK waits for the disk.
   */
  flushAofSoon(): void {
    if (this.aofFlushQueued) return;
    this.aofFlushQueued = true;
    setImmediate(this.flushAofNow);
  }

  /** Made once, for the same reason as ReplicationHost's flushSoon: an arrow inside flushAofSoon cost a context per call. */
  private readonly flushAofNow = (): void => {
    this.aofFlushQueued = false;
    if (this.toFlush.length === 0) this.persistence.beforeReplies(() => []);
  };

  /** The turn that served clients is over: INFO's event-loop figures count it. */
  private endTurn(): void {
    if (this.turnStartedAt === 0) return;
    this.stats.endCycle(this.turnStartedAt, performance.now());
    this.turnStartedAt = 0;
  }

  /**
   * A background slice is queued with setImmediate like the end-of-turn
   * flush, and the slice that ends one turn queues the next before any
   * request of the coming turn is read: left in that order, every reply
   * would wait out a whole slice more (an LPUSH during a rewrite of a big
   * list took 2 ms, four slices' time, at p99). So the slice writes the
   * turn's replies before it starts. The replies the AOF holds for an
   * fsync stay held: its commit writes them.
   */
  nextSlice(slice: () => void): void {
    setImmediate(() => {
      this.flushTurnNow();
      slice();
    });
  }

  /**
   * Runs the end-of-turn flush now, for a busy script that holds the turn
   * (see BusyPoll). Returns the clients whose replies the AOF holds until
   * an fsync: nothing may be written to them before those.
   */
  flushTurnNow(): Client[] {
    const list = this.toFlush;
    if (list.length === 0) return [];
    this.toFlush = [];
    if (!this.persistence.beforeReplies(() => list.map(takeReplies))) return list;
    this.writeReplies(list);
    return [];
  }

  /** Replies taken from clients at the end of a turn and held by the AOF until what they acknowledge was on disk. */
  writeHeld(held: readonly HeldReply<Client>[]): void {
    for (const { client: c, out, close } of held) {
      const bytes = out === null ? 0 : Array.isArray(out) ? out.reduce((n, b) => n + b.length, 0) : out.length;
      // Over its limit, the client goes without these replies, as it would have without the AOF holding them.
      if (bytes !== 0 && this.outputLimits.check(c, bytes)) continue;
      if (out !== null) {
        this.stats.netOutputBytes += bytes;
        this.stats.writesProcessed++;
      }
      c.send(out, close);
      this.outputLimits.check(c);
    }
  }

  /** Writes the pending replies of these clients (the end-of-turn flush). */
  writeReplies(list: Client[]): void {
    for (const c of list) this.writeRepliesOf(c);
  }

  /** Writes one client's pending replies now. */
  private writeRepliesOf(c: Client): void {
    c.flushPending = false;
    try {
      // Replies that take a client over its hard limit are never written, as Redis never writes them.
      if (c.conn !== null && c.conn.out.pending !== 0 && this.outputLimits.check(c)) return;
      if (c.conn !== null && c.conn.out.pending !== 0) {
        this.stats.netOutputBytes += c.conn.out.pending;
        this.stats.writesProcessed++;
      }
      c.flush();
      // What the socket could not take stays queued in it: the output limits count it.
      this.outputLimits.check(c);
    } catch (e) {
      this.fault(c, 'writing replies', e);
    }
  }

  /**
   * A bug met while serving one connection (its framing, its output) costs
   * that connection, never the server: the connection is dropped with what
   * it had pending, the log says why, and every other client is served on.
   */
  fault(c: Client, doing: string, e: unknown): void {
    this.log.warning({ err: e, client: c.addr }, `Closing a client after an internal error while ${doing} (addr=${c.addr}): ${errorText(e)}`);
    c.conn?.destroy();
    c.close();
  }

  removeClient(c: Client): void {
    this.clients.delete(c.id);
    if (c.replica !== null) this.replication.removed(c);
    this.monitors.delete(c);
    this.paused.delete(c);
    this.blocking.release(c);
    this.broker.removeClient(c);
    if (c.tracking !== null) this.tracking.disable(c);
    for (const w of c.watchedKeys) w.db.unwatch(w);
    c.watchedKeys = [];
  }

  /** A reason to refuse this command in the server's current state, or null; checked in Redis's order. */
  gate(c: Client, cmd: Command, argv: readonly string[]): string | null {
    const misconf = this.persistence.writeRefusal;
    if ((misconf !== null || this.replicasShort) && this.writes(c, cmd, argv)) return misconf ?? NOREPLICAS;
    // As Redis, PING counts as a write for MISCONF.
    if (misconf !== null && cmd.fullName === 'ping') return misconf;
    // RESP2 subscribed mode: the connection carries messages, so replies to anything else would mix in.
    if (c.pubsub !== null && c.reply.proto === 2 && !cmd.allowedWhenSubscribed) {
      return `ERR Can't execute '${cmd.fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are allowed in this context`;
    }
    const exec = cmd.fullName === 'exec' && c.multi !== null ? c.multi : null;
    // EXEC may run while loading or stale only if every command it queued may (Redis's cmd_inv_flags), and not if one may not while loading asynchronously.
    if (this.loading && (!cmd.allowLoading || (exec !== null && exec.some((q) => !q.cmd.allowLoading)))) return 'LOADING Redis is loading the dataset in memory';
    if (this.asyncLoading && (cmd.flagSet.has('no_async_loading') || (exec !== null && exec.some((q) => q.cmd.flagSet.has('no_async_loading'))))) {
      return 'LOADING Redis is loading the dataset in memory';
    }
    if (this.replication.isReplica) {
      const stale = this.mayRunStale(cmd, argv) && (exec === null || exec.every((q) => this.mayRunStale(q.cmd, q.argv)));
      const refused = this.replication.refusal(c, this.writes(c, cmd, argv), stale);
      if (refused !== null) return refused;
    }
    // A MONITOR connection is a replica to Redis, and replicas may not touch the keyspace.
    if ((c.monitor || (c.replica !== null && c.isReplica)) && (cmd.isWrite || cmd.isReadonly || cmd.flagSet.has('may_replicate'))) {
      return "ERR Replica can't interact with the keyspace";
    }
    return null;
  }

  /** The stale flag, or for a script that declares flags, its allow-stale (Redis's getCommandFlags). */
  private mayRunStale(cmd: Command, argv: readonly string[]): boolean {
    if (cmd.runsScript) {
      const declared = this.scripting.declaredFlags(cmd.fullName, argv);
      if (declared !== null) return declared.allowStale;
    }
    return cmd.flagSet.has('stale');
  }

  /**
   * Redis's is_write_command: a write, a script whose flags declare writes
   * (flags replace EVAL's and FCALL's own), or an EXEC with such a command queued.
   */
  private writes(c: Client, cmd: Command, argv: readonly string[]): boolean {
    if (cmd.fullName === 'exec') return c.multi !== null && c.multi.some((q) => this.declaredWrite(q.cmd, q.argv));
    return this.declaredWrite(cmd, argv);
  }

  private declaredWrite(cmd: Command, argv: readonly string[]): boolean {
    if (cmd.runsScript) return this.scripting.declaresWrites(cmd.fullName, argv) ?? cmd.isWrite;
    return cmd.isWrite;
  }

  /** Whether a client's next command must wait for CLIENT UNPAUSE. */
  isPaused(c: Client): boolean {
    // Asked after every command: the size spares the lookup while no client is held.
    return this.paused.size !== 0 && this.paused.has(c);
  }

  /** Whether anything holds commands back now: CLIENT PAUSE, a FAILOVER, a SHUTDOWN waiting for replicas. */
  get pausing(): boolean {
    return this.pause !== null || this.writesHeldBy.size !== 0;
  }

  /** A FAILOVER or a waiting SHUTDOWN holds writes from now on; keys stop expiring meanwhile. */
  holdWrites(by: WriteHold): void {
    this.writesHeldBy.add(by);
    this.keyspace.readOnlyExpiry = true;
  }

  /** What held writes is over: they run, unless something else still holds them. */
  releaseWrites(by: WriteHold): void {
    if (!this.writesHeldBy.delete(by)) return;
    if (this.pause === null && this.writesHeldBy.size === 0) {
      this.keyspace.readOnlyExpiry = this.loading;
      setImmediate(() => this.resumeHeld());
    }
  }

  /** Commands waiting to finish (Ctx.finishLater); writes are held while there is one. */
  private finishingCount = 0;

  /** Ctx.finishLater for a client's command. */
  finishLater(c: Client, argv: string[], work: () => Promise<void>): boolean {
    if (c.denyBlocking || c.conn === null || this.replication.isReplica) return false;
    const cmd = this.dispatcher.lookup(argv)!;
    const startedAt = this.dispatcher.stamp;
    // CLIENT REPLY OFF or SKIP is read when the command first runs: its reply, written later, goes as that run decided.
    const silent = c.replyOff || c.replySkip;
    c.finishing = true;
    if (this.finishingCount++ === 0) this.holdWrites('finishing');
    const finish = (): void => {
      this.startTurn();
      c.finishing = false;
      this.dispatcher.finish(c, cmd, argv, startedAt, silent);
      if (--this.finishingCount === 0) this.releaseWrites('finishing');
      if (c.closed) return;
      this.flushClient(c);
      if (!c.closeAfterReply && !this.isPaused(c) && c.blocked === null) c.conn!.parser.resume();
    };
    void work().then(finish, finish);
    return true;
  }

  /** True when a command must be held back by CLIENT PAUSE or a FAILOVER. */
  pauseHolds(c: Client, cmd: Command, argv: readonly string[]): boolean {
    const p = this.pause;
    if (p === null && this.writesHeldBy.size === 0) return false;
    if (p !== null && p.mode === 'all') return true;
    if (this.mayReplicate(cmd, argv)) return true;
    return cmd.fullName === 'exec' && (c.multi ?? []).some((q) => this.mayReplicate(q.cmd, q.argv));
  }

  /** Redis's test for CLIENT PAUSE WRITE: a write, a command that may replicate, or a script that declares writes. */
  private mayReplicate(cmd: Command, argv: readonly string[]): boolean {
    if (cmd.runsScript) {
      const writes = this.scripting.declaresWrites(cmd.fullName, argv);
      if (writes !== null) return writes;
    }
    return cmd.isWrite || cmd.flagSet.has('may_replicate');
  }

  /**
   * Ends a CLIENT PAUSE. The held commands run once the current command is
   * over (Redis resumes them before its next sleep), each followed by the
   * rest of its client's input.
   */
  unpause(): void {
    if (this.pause === null) return;
    clearTimeout(this.pause.timer);
    this.pause = null;
    if (this.writesHeldBy.size !== 0) return;
    this.keyspace.readOnlyExpiry = this.loading;
    setImmediate(() => this.resumeHeld());
  }

  private resumeHeld(): void {
    // The master's held commands run first, then the clients'.
    this.replication.resumeHeldStream();
    const held = [...this.paused];
    this.paused.clear();
    for (const [c, argv] of held) {
      if (c.closed) continue;
      this.dispatcher.resumeHeld(c, argv);
      // A pause that began meanwhile holds it again, or the command blocked: its input waits.
      if (!this.isPaused(c) && !c.closeAfterReply && c.blocked === null) c.conn!.parser.resume();
      this.flushClient(c);
    }
  }

  feedMonitors(c: Client, argv: string[]): void {
    const line = Buffer.from(formatMonitorLine(c, argv), 'latin1');
    for (const m of this.monitors) {
      if (m.replyOff) continue;
      m.reply.raw(line);
      // The running client's own buffer is written when its command ends.
      if (m !== c) this.flushClient(m);
    }
  }

  /** The replication history a saved RDB records (PersistenceHost). */
  replicationInfo(): { streamDb: number; id: string; offset: number } | null {
    return this.replication.saveInfo();
  }

  /**
   * min-replicas-to-write: whether too few replicas acknowledged within
   * min-replicas-max-lag for writes to be accepted. Refreshed as Redis
   * refreshes its count: each second, on an ACK, on a configuration change.
   */
  refreshGoodReplicas(): void {
    const wanted = this.config.num('min-replicas-to-write');
    const maxLag = this.config.num('min-replicas-max-lag');
    // As Redis, only a master refuses writes for want of replicas.
    this.replicasShort = wanted > 0 && maxLag > 0 && !this.replication.isReplica && this.replication.master.goodReplicas(maxLag) < wanted;
  }

  /** The RDB loaded at start recorded a replication history (PersistenceHost). */
  replicationRestored(aux: ReadonlyMap<string, string>, expired: readonly (readonly [number, string])[]): void {
    this.replication.restore(aux, expired);
  }

  /** A replica acknowledged an offset: WAIT and WAITAOF waits it reaches are served. */
  replicaAcked(): void {
    if (this.replicasShort) this.refreshGoodReplicas();
    if (this.aofWaits.size !== 0) this.aofWaits.check(this.persistence.fsyncedOffset, this.config.bool('appendonly'));
    if (this.replicaWaits.size === 0) return;
    const master = this.replication.master;
    for (const [c, w] of this.replicaWaits) {
      if (c.blocked !== w.state) {
        this.replicaWaits.delete(c);
        continue;
      }
      const acked = master.ackedAt(w.woff);
      if (acked < w.wanted) continue;
      this.replicaWaits.delete(c);
      this.blocking.wake(c, () => c.reply.integer(acked), false);
    }
  }

  /** The cluster node, or null when cluster-enabled is no. */
  get cluster(): Cluster | null {
    return this.clusterRuntime?.cluster ?? null;
  }

  /**
   * Stops after a condition Redis exits on (a cluster config it cannot
   * write, a panic): no final save, the host told once the server closed,
   * and the process's status 1.
   */
  stopOnFatal(): void {
    this.exitCode = 1;
    void this.close().then(() => this.onShutdown());
  }

  /** Stops listening and disconnects every client. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    this.replication.close();
    // First: a busy script's connections must not be handed over after the clients are gone, nor a listener closed under the thread accepting on it.
    this.busyAccept.close();
    if (this.cron !== null) clearInterval(this.cron);
    // Whatever the AOF holds is written and fsynced before anything else stops.
    this.persistence.close();
    if (this.pause !== null) clearTimeout(this.pause.timer);
    for (const c of [...this.clients.values()]) {
      c.conn?.destroy();
      c.close();
    }
    if (this.listening && this.config.str('unixsocket') !== '') this.log.notice('Removing the unix socket file.');
    this.closing = Promise.all([
      this.clusterRuntime?.close(),
      this.listener.close(),
      this.tlsListener.close(),
      this.metrics.close(),
      this.webConsole.close(),
      this.scripting.storeSettled(1000),
    ]).then(() => {
      this.log.flush?.();
    });
    return this.closing;
  }
}

/** Takes a client's pending output for the AOF to hold until the disk has what it acknowledges. */
function takeReplies(c: Client): HeldReply<Client> {
  c.flushPending = false;
  return { client: c, out: c.conn === null ? null : c.conn.out.take(), close: c.closeAfterReply };
}

/** Redis's line for a new connection: the peer's address and port as its accept handler has them, or the Unix socket's path. */
function acceptedLine(socket: net.Socket, unixSocket: string): string {
  const ip = socket.remoteAddress;
  return ip === undefined ? `Accepted connection to ${unixSocket}` : `Accepted ${ip}:${socket.remotePort}`;
}

/**
 * A connection turned away: its socket still reads (what the peer sends is
 * dropped) and can fail, a reset while the refusal is written being the
 * usual case, and an 'error' with no listener would end the process.
 */
function refuse(socket: net.Socket): void {
  socket.on('error', destroyOnError);
}

function destroyOnError(this: net.Socket): void {
  this.destroy();
}
