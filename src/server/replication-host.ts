import fs from 'node:fs';
import { withAccessors } from '../core/accessors.js';
import { MASTERDOWN, READONLY_REPLICA } from '../core/errors.js';
import { replicaEffects, type Effect } from '../core/propagation.js';
import { rdbTarget } from '../persistence/rdb/rdb-version.js';
import { tlsClientOptions } from './tls/tls-settings.js';
import { StreamLoad } from '../persistence/rdb/stream-load.js';
import { MasterSide } from '../replication/master-side.js';
import { ReplicaSide, type StreamedSnapshot } from '../replication/replica-side.js';
import { Replica, type ReplicaPeer } from '../replication/replica.js';
import { ReplicationStream } from '../replication/stream.js';
import type { Reply } from '../protocol/reply.js';
import type { Client } from './client.js';
import type { Command } from './command-types.js';
import { unknownCommandError } from './dispatcher.js';
import { quoteRepr } from './monitor.js';
import { clientInfoLine } from './commands/client-list.js';
import type { Server } from './server.js';
import { criticalError, panicsAfterError } from './propagation-errors.js';

type MasterHost = ConstructorParameters<typeof MasterSide>[0];
type ReplicaHost = ConstructorParameters<typeof ReplicaSide>[0];

/** A client's connection as the master side writes to it: in order with its replies. */
class ClientPeer implements ReplicaPeer {
  constructor(readonly c: Client) {}

  get id(): number {
    return this.c.id;
  }

  get ip(): string {
    const addr = this.c.addr;
    const colon = addr.lastIndexOf(':');
    return colon < 0 ? addr : addr.slice(0, colon);
  }

  get closed(): boolean {
    return this.c.closed;
  }

  get queued(): number {
    return this.c.conn === null ? 0 : this.c.conn.pendingOutput;
  }

  write(bytes: Buffer): void {
    const c = this.c;
    if (c.closed || c.conn === null) return;
    if (c.conn.out.pending !== 0) c.flush();
    c.conn.send(bytes);
  }

  close(): void {
    this.c.close();
  }
}

/**
 * Replication as the server hosts it: the stream fed from the propagation
 * stream once a replica exists, handed out at the end of each turn, and the
 * master side's once-a-second work.
 */
export class ReplicationHost {
  readonly stream = new ReplicationStream();
  readonly master: MasterSide;
  private unsubscribe: (() => void) | null = null;
  /** Bytes read from this server's master (total_net_repl_input_bytes). */
  inputBytes = 0;
  private flushQueued = false;
  private acksWanted = false;
  private cronTimer: NodeJS.Timeout | null = null;
  /** The cron second (since start) of the last PING into the stream. */
  private lastPing = -1;

  /** The link to this server's master while it is a replica; null on a master. */
  replicaSide: ReplicaSide | null = null;
  /** The client the master's stream runs as (Redis's server.master): no ACL, no replies. */
  private masterClient: Client | null = null;
  /** Commands of a MULTI the master's stream opened, queued until its EXEC. */
  private masterQueue: { argv: string[]; cmd: Command | undefined }[] | null = null;
  /** propagation-error-behavior made the server panic at a command of the master: the server is stopping. */
  private panicked = false;
  /** Commands of the master's stream are running in the current read's callback (see beginTurn). */
  private turnOpen = false;

  constructor(private readonly server: Server) {
    const masterHost: Omit<MasterHost, 'log'> = {
      config: server.config,
      rdb: server.persistence.rdb,
      otherJobRunning: () => server.persistence.rewrite !== null,
      persistenceOff: () => this.persistenceOff(),
      snapshotOptions: (filter) => ({
        rdbVersion: rdbTarget(server.config.num('repl-rdb-version')),
        excludeData: filter.data,
        ...(filter.functions ? { libraryCodes: [] } : {}),
      }),
    };
    this.master = new MasterSide(withAccessors(masterHost, { log: { get: () => server.log } }), this.stream);
  }

  /** Neither save points nor the AOF: nothing of this server's own is kept on disk (Redis's allPersistenceDisabled). */
  private persistenceOff(): boolean {
    return this.server.config.str('save') === '' && !this.server.config.bool('appendonly');
  }

  /**
   * master_repl_offset: bytes of the stream once a backlog exists, before
   * that the AOF's count of propagated units (as Redis 7.2). A replica's
   * never counts its AOF (Redis's replicationFeedSlaves returns first): its
   * history's offset stays, also while a full sync's load has freed its backlog.
   */
  get offset(): number {
    return this.stream.backlog === null && this.replicaSide === null ? this.server.persistence.offset : this.stream.offset;
  }

  /** What an RDB file records of the history, once there is one to continue. */
  saveInfo(): { streamDb: number; id: string; offset: number } | null {
    if (this.stream.backlog === null) return null;
    this.flush();
    const db = this.replicaSide !== null ? this.masterClientOf().db.index : Math.max(0, this.stream.selectedDb);
    return { streamDb: db, id: this.stream.replid, offset: this.stream.offset };
  }

  /** The replica state of a connection that has begun to describe itself (REPLCONF) or asks to sync. */
  newReplica(c: Client): Replica {
    return new Replica(new ClientPeer(c));
  }

  /** FAILOVER's progress (INFO master_failover_state), null when none runs. */
  failover: { state: 'waiting-for-sync' | 'failover-in-progress'; host: string | null; port: number; endTime: number; force: boolean; timer: NodeJS.Timeout } | null = null;

  /** FAILOVER [TO host port [FORCE]] [TIMEOUT ms]: writes pause until a replica caught up, which then takes over. */
  startFailover(host: string | null, port: number, timeoutMs: number, force: boolean): void {
    const log = this.server.log;
    if (host !== null) {
      const target = this.findReplica(host, port);
      if (target === undefined) throw new Error('FAILOVER target HOST and PORT is not a replica.');
      if (target.state !== 'online') throw new Error('FAILOVER target replica is not online.');
      log.notice(`FAILOVER requested to ${host}:${port}.`);
    } else {
      log.notice('FAILOVER requested to any replica.');
    }
    const timer = setInterval(() => this.failoverCheck(), 100);
    timer.unref();
    this.failover = { state: 'waiting-for-sync', host, port, endTime: timeoutMs > 0 ? Date.now() + timeoutMs : 0, force, timer };
    this.server.holdWrites('failover');
    this.requestAcks();
  }

  private findReplica(host: string, port: number): Replica | undefined {
    for (const r of this.master.replicas) if (r.ip.toLowerCase() === host.toLowerCase() && r.listeningPort === port) return r;
    return undefined;
  }

  /** Redis's updateFailoverStatus: time out, or hand over to a replica that acknowledged everything. */
  private failoverCheck(): void {
    const f = this.failover;
    if (f === null || f.state !== 'waiting-for-sync') return;
    const log = this.server.log;
    this.flush();
    if (f.endTime !== 0 && f.endTime <= Date.now()) {
      if (f.force && f.host !== null) {
        log.notice(`FAILOVER to ${f.host}:${f.port} time out exceeded, failing over.`);
        this.handOver(f);
      } else {
        this.abortFailover('Replica never caught up before timeout');
      }
      return;
    }
    const offset = this.stream.offset;
    let target: Replica | undefined;
    if (f.host !== null) {
      target = this.findReplica(f.host, f.port);
    } else {
      target = [...this.master.replicas].find((r) => r.ackOffset === offset);
      if (target !== undefined) {
        f.host = target.ip;
        f.port = target.listeningPort;
      }
    }
    if (target !== undefined && target.ackOffset === offset) {
      log.notice(`Failover target ${f.host}:${f.port} is synced, failing over.`);
      this.handOver(f);
    }
  }

  private handOver(f: NonNullable<ReplicationHost['failover']>): void {
    f.state = 'failover-in-progress';
    clearInterval(f.timer);
    this.replicaOf(f.host!, f.port, '', true);
  }

  /** FAILOVER ABORT, a timeout, or a target that refused: this server stays (or becomes again) the master. */
  abortFailover(reason: string): void {
    const f = this.failover;
    if (f === null) return;
    const log = this.server.log;
    if (f.host !== null) log.notice(`FAILOVER to ${f.host}:${f.port} aborted: ${reason}`);
    else log.notice(`FAILOVER to any replica aborted: ${reason}`);
    if (f.state === 'failover-in-progress') this.promote(null);
    this.clearFailover();
  }

  private clearFailover(): void {
    const f = this.failover;
    if (f === null) return;
    clearInterval(f.timer);
    this.failover = null;
    this.server.releaseWrites('failover');
  }

  /** A setting replication reads changed: the backlog's size, the link's timeout. */
  configChanged(): void {
    this.stream.backlog?.resize(this.server.config.num('repl-backlog-size'));
    this.replicaSide?.configChanged();
  }

  /** Whether every replica acknowledged the whole stream (Redis's isReadyToShutdown). */
  replicasCaughtUp(): boolean {
    this.flush();
    for (const r of this.master.replicas) if (r.ackOffset !== this.stream.offset) return false;
    return true;
  }

  /** The lines Redis logs for its replicas as it shuts down (finishShutdown). */
  shutdownLines(): string[] {
    const lines: string[] = [];
    let lagging = 0;
    const now = Date.now();
    for (const r of this.master.replicas) {
      if (r.ackOffset === this.stream.offset) continue;
      lagging++;
      const lag = r.state === 'online' ? Math.floor((now - r.ackTime) / 1000) : 0;
      lines.push(`Lagging replica ${MasterSide.nameOf(r)} reported offset ${this.stream.offset - r.ackOffset} behind master, lag=${lag}, state=${r.state}.`);
    }
    const n = this.master.replicas.size;
    if (n > 0) lines.push(`${n - lagging} of ${n} replicas are in sync when shutting down.`);
    return lines;
  }

  /** Why SYNC and PSYNC are refused now, or null. */
  syncRefusal(): string | null {
    if (this.failover !== null) return "NOMASTERLINK Can't SYNC while failing over";
    const side = this.replicaSide;
    if (side !== null && !side.connected) return "NOMASTERLINK Can't SYNC while not connected with my master";
    return null;
  }

  /** Whether this server replicates another. */
  get isReplica(): boolean {
    return this.replicaSide !== null;
  }

  /**
   * REPLICAOF host port: this server follows that master from now on. A
   * former master keeps its own history as the one to continue, so that it
   * can resync partially from a replica promoted in its place; its own
   * replicas stay connected until its history changes (a full sync, or a
   * partial one under a new id), as in Redis 7.
   */
  replicaOf(host: string, port: number, who: string, failingOver = false): string {
    const current = this.replicaSide;
    if (current !== null && current.masterHost === host && current.masterPort === port) {
      this.server.log.notice('REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.');
      return 'OK Already connected to specified master';
    }
    // As Redis's cached master: a former master continues its own history, a replica the one it still has (none once a full sync's load began).
    const continuable = current === null || current.continuable;
    const downSince = current === null ? 0 : current.downSinceForNext;
    current?.close();
    this.flush();
    // The replicas stay: they may continue partially with this server, and are disconnected only when its history changes.
    this.server.disconnectBlockedForRoleChange();
    this.setReplicaMode(true);
    const side = new ReplicaSide(this.replicaHost(), this.stream, host, port, continuable, downSince);
    this.replicaSide = side;
    this.server.config.setMany([['replicaof', `${host} ${port}`]], { startup: true });
    if (failingOver) {
      side.failover = {
        done: (accepted) => {
          if (accepted) this.clearFailover();
          else this.abortFailover('Failover target rejected psync request');
        },
      };
    }
    side.start();
    if (!failingOver) this.server.log.notice(`REPLICAOF ${host}:${port} enabled (user request from '${who}')`);
    this.startFeeding();
    return 'OK';
  }

  /** A history restored from the RDB at start, for the replicaof directive to continue. */
  private restored = false;

  /**
   * The RDB loaded at start recorded a history (repl-id, repl-offset): a
   * replica continues it with its master; a master keeps it as replid2, so
   * that its former replicas can continue after the restart.
   */
  restore(aux: ReadonlyMap<string, string>, expired: readonly (readonly [number, string])[] = []): void {
    const id = aux.get('repl-id');
    const offset = Number(aux.get('repl-offset') ?? NaN);
    const db = Number(aux.get('repl-stream-db') ?? NaN);
    if (id === undefined || id.length !== 40 || !Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(db) || db < 0) return;
    const stream = this.stream;
    if (this.server.config.str('replicaof') !== '') {
      stream.replid = id;
      stream.offset = offset;
      this.restored = true;
      const c = this.masterClientOf();
      if (db < this.server.keyspace.dbs.length) c.db = this.server.keyspace.db(db);
      return;
    }
    stream.replid2 = id;
    stream.secondOffset = offset + 1;
    stream.offset = offset;
    stream.ensureBacklog(this.server.config.num('repl-backlog-size'));
    this.master.noReplicasSince = Date.now();
    this.startFeeding();
    // The keys that expired while the server was down are deleted on its replicas too, as Redis feeds them while loading.
    for (const [db, key] of expired) stream.feedEffects([{ db, argv: ['DEL', key] }]);
    this.flush();
  }

  /** The replicaof directive: the link starts once the data is loaded. */
  startFromConfig(): void {
    const words = this.server.config.str('replicaof').split(/\s+/).filter(Boolean);
    if (words.length !== 2 || this.replicaSide !== null) return;
    this.setReplicaMode(true);
    this.replicaSide = new ReplicaSide(this.replicaHost(), this.stream, words[0], Number(words[1]), this.restored);
    this.replicaSide.start();
    this.startFeeding();
  }

  /** REPLICAOF NO ONE (or a FAILOVER's target, or an aborted FAILOVER): a master again, with a new history that continues the old one. */
  promote(who: string | null): void {
    const side = this.replicaSide;
    if (side === null) return;
    side.close();
    this.replicaSide = null;
    this.masterQueue = null;
    this.localExpiring.clear();
    this.setReplicaMode(false);
    this.stream.shiftReplid();
    this.server.log.notice(`Setting secondary replication ID to ${this.stream.replid2}, valid up to offset: ${this.stream.secondOffset}. New replication ID is ${this.stream.replid}`);
    this.disconnectReplicas();
    this.server.config.setMany([['replicaof', 'no one']], { startup: true });
    if (who !== null) this.server.log.notice(`MASTER MODE enabled (${who})`);
  }

  private setReplicaMode(on: boolean): void {
    this.server.keyspace.replicaExpiry = on;
  }

  /** Closes every replica's connection (they reconnect and resync). */
  disconnectReplicas(): void {
    for (const r of [...this.master.replicas]) r.peer.close();
  }

  private replicaHost(): ReplicaHost {
    const server = this.server;
    const host = this;
    const replicaHost: Omit<ReplicaHost, 'log' | 'masterDb'> = {
      config: server.config,
      loadSnapshot: (file) => {
        server.persistence.rdb.abandonBackground();
        const target = server.persistence.rdb.file;
        fs.renameSync(file, target);
        const parsed = server.persistence.rdb.loadReplicated(target);
        this.lastFsyncedRepl = 0;
        if (server.config.bool('appendonly')) server.persistence.rewriteAfterSync();
        return parsed.aux;
      },
      dropSyncFile: () => {
        if (!server.config.bool('rdb-del-sync-files') || !this.persistenceOff()) return;
        server.log.notice('Removing the RDB file obtained from the master. This replica has persistence disabled');
        fs.unlink(server.persistence.rdb.file, () => {});
      },
      apply: (argv) => host.applyFromMaster(argv),
      holds: (argv) => host.holdsFromMaster(argv),
      readAhead: (argvs, from, to) => this.masterClientOf().aheadOf(argvs, from, to),
      disconnectReplicas: () => this.disconnectReplicas(),
      flushStream: () => {
        this.queueFlush();
        server.flushAofSoon();
      },
      fsyncedReplOffset: () => this.fsyncedReplOffset(),
      countInput: (n) => (this.inputBytes += n),
      transferring: (replid) => this.transferring(replid),
      empty: () => server.keyspace.dbs.every((db) => db.dict.size === 0),
      tlsOptions: () => (server.config.bool('tls-replication') ? tlsClientOptions(server.config) : null),
      masterLinkUp: (addr, drop) => {
        const c = this.masterClientOf();
        c.masterAddr = addr;
        c.onKilled = drop;
        c.closed = false;
        server.clients.set(c.id, c);
      },
      masterLinkDown: () => {
        const c = this.masterClient;
        if (c === null) return;
        c.onKilled = null;
        server.clients.delete(c.id);
      },
      streamLoad: (events, holdLog) => {
        const load = new StreamLoad(server, events, server.config.num('key-load-delay'), holdLog);
        const snapshot: Omit<StreamedSnapshot, 'buffered' | 'wanted' | 'offset'> = {
          push: (chunk) => load.push(chunk),
          finish: () => load.finish(),
          drainNow: () => load.drainNow(),
          abort: () => load.abort(),
          apply: (file) => {
            const rdb = server.persistence.rdb;
            rdb.abandonBackground();
            if (file !== undefined) fs.renameSync(file, rdb.file);
            load.logHeld();
            rdb.loadedFromMaster(load.parsed!, file !== undefined);
            if (file === undefined && server.config.str('repl-diskless-load') === 'swapdb') server.log.notice('MASTER <-> REPLICA sync: Swapping active DB with loaded DB');
            load.apply();
            this.lastFsyncedRepl = 0;
            if (server.config.bool('appendonly')) server.persistence.rewriteAfterSync();
            return load.parsed!.aux;
          },
        };
        return withAccessors(snapshot, {
          buffered: { get: () => load.buffered },
          wanted: { get: () => load.wanted },
          offset: { get: () => load.offset },
        });
      },
      loadingTransferred: () => this.loadingTransfer(),
    };
    return withAccessors(replicaHost, {
      log: { get: () => server.log },
      masterDb: {
        get: () => host.masterClientOf().db.index,
        set: (db) => {
          const c = host.masterClientOf();
          if (db >= 0 && db < server.keyspace.dbs.length) c.db = server.keyspace.db(db);
        },
      },
    });
  }

  /**
   * Redis's diskless loads as clients see them (the snapshot itself is
   * still loaded from a file once received): swapdb for the history this
   * replica follows serves the old data meanwhile (async_loading), swapdb
   * otherwise and on-empty-db with no keys answer -LOADING; disabled
   * changes nothing until the load.
   */
  private transferring(replid: string | null | undefined): void {
    const server = this.server;
    if (replid === undefined) {
      if (server.asyncLoading) server.asyncLoading = false;
      if (this.loadingForTransfer) {
        this.loadingForTransfer = false;
        server.loading = false;
      }
      return;
    }
    const mode = server.config.str('repl-diskless-load');
    const empty = server.keyspace.dbs.every((db) => db.dict.size === 0);
    if (mode === 'swapdb' && replid !== null && replid === this.stream.replid) {
      server.asyncLoading = true;
    } else if (mode === 'swapdb' || (mode === 'on-empty-db' && empty)) {
      this.loadingTransfer();
    }
  }

  /** -LOADING until transferring(undefined): a snapshot loads in place of the data. */
  private loadingTransfer(): void {
    this.loadingForTransfer = true;
    this.server.loading = true;
  }

  private loadingForTransfer = false;

  /** The replication offset the AOF has fsynced: all of the stream applied when the AOF holds everything on disk. */
  private lastFsyncedRepl = 0;
  /** The AOF offset the last ACK to the master carried. */
  private lastAckedFsync = -1;

  /** The AOF reached the disk: a replica tells its master at once (WAITAOF waits for that), not at the next second. */
  aofDurable(): void {
    const side = this.replicaSide;
    if (side === null || !side.connected) return;
    const fack = this.fsyncedReplOffset();
    if (fack === null || fack === this.lastAckedFsync) return;
    this.lastAckedFsync = fack;
    side.sendAck();
  }
  private fsyncedReplOffset(): number | null {
    const p = this.server.persistence;
    if (!this.server.config.bool('appendonly')) return null;
    if (p.fsyncedOffset >= p.offset) this.lastFsyncedRepl = this.stream.offset;
    return this.lastFsyncedRepl;
  }

  private masterClientOf(): Client {
    return (this.masterClient ??= this.server.masterClient());
  }

  /**
   * One command of the master's stream, run as the master's client: no
   * ACL, READONLY, OOM or pause checks, no reply, keys whose deadline has
   * passed still there (the master's DEL removes them). MULTI … EXEC from
   * the master is queued and run as one unit, as the AOF loader does.
   */
  /** Whether CLIENT PAUSE (or a FAILOVER's hold) keeps a command of the master's stream from running now, as it would a client's. */
  holdsFromMaster(argv: string[]): boolean {
    const server = this.server;
    if (!server.pausing) return false;
    const cmd = server.dispatcher.lookup(argv);
    return cmd !== undefined && server.pauseHolds(this.masterClientOf(), cmd, argv);
  }

  /** A pause ended: the master's commands it held run now. */
  resumeHeldStream(): void {
    this.replicaSide?.resumeHeld();
  }

  applyFromMaster(argv: string[]): boolean {
    this.beginTurn();
    const server = this.server;
    const c = this.masterClientOf();
    const cmd = server.dispatcher.lookup(argv);
    const name = cmd === undefined ? '' : cmd.fullName;
    if (this.masterQueue !== null) {
      if (name === 'exec') {
        const queued = this.masterQueue;
        this.masterQueue = null;
        server.propagation.begin();
        for (const q of queued) {
          // A panic stops the server where Redis's would abort: nothing after the failing command is applied.
          if (this.panicked) break;
          this.runAsMaster(c, q.argv, q.cmd);
        }
        server.propagation.end();
        return false;
      }
      if (name === 'discard') {
        this.masterQueue = null;
        return false;
      }
      if (name !== 'multi') this.masterQueue.push({ argv, cmd });
      return true;
    }
    if (name === 'multi') {
      this.masterQueue = [];
      return true;
    }
    if (name === 'replconf' && argv.length >= 2 && argv[1].toLowerCase() === 'getack') {
      this.replicaSide?.sendAck();
      return false;
    }
    this.runAsMaster(c, argv, cmd);
    return false;
  }

  /**
   * The clocks are read once for the commands of one read from the master,
   * as for a client's pipeline: the turn ends when the read's callback does.
   */
  private beginTurn(): void {
    if (this.turnOpen) return;
    this.turnOpen = true;
    this.server.startTurn();
    queueMicrotask(this.endTurn);
  }

  private readonly endTurn = (): void => {
    this.turnOpen = false;
  };

  private runAsMaster(c: Client, argv: string[], cmd: Command | undefined): void {
    const server = this.server;
    if (cmd === undefined || cmd.handler === null) {
      this.errorToMaster(unknownCommandError(argv), '<unknown>');
      return;
    }
    const ks = server.keyspace;
    const errors = c.reply.errors;
    ks.loadingNoExpiry = true;
    try {
      server.dispatcher.callAsMaster(c, cmd, argv);
    } finally {
      ks.loadingNoExpiry = false;
    }
    if (c.reply.errors !== errors) this.errorToMaster(c.reply.lastError, cmd.fullName);
  }

  /**
   * A command of the master's stream failed here: the data may have
   * diverged, which Redis logs as critical, with the latest backlog (what
   * came before the failing command).
   */
  private errorToMaster(error: string, command: string): void {
    const server = this.server;
    criticalError(server, 'master', error, command);
    const backlog = this.stream.backlog;
    if (backlog !== null && backlog.histlen > 0) {
      const n = Math.min(256, backlog.histlen);
      server.log.notice(`Latest backlog is: '${quoteRepr(backlog.from(backlog.lastOffset - n + 1).toString('latin1'))}'`);
    }
    if (panicsAfterError(server, 'master', command)) this.panicked = true;
  }

  /** REPLCONF ACK from a replica: WAIT and WAITAOF may be served, a FAILOVER may hand over. */
  acked(r: Replica, offset: number, fack: number | null): void {
    this.master.ack(r, offset, fack);
    this.server.replicaAcked();
    if (this.failover !== null) this.failoverCheck();
  }

  /** REPLCONF GETACK from this server's master: the replica side answers with its offset. */
  ackToMaster(): void {
    this.replicaSide?.sendAck();
  }

  /**
   * INFO memory's replication figures: the backlog's ring, and what waits
   * for each replica (its socket's queue and the stream held during its
   * sync). Redis shares one buffer between them; here they are separate,
   * so the total is their sum.
   */
  memoryLines(): string[] {
    const backlog = this.stream.backlog?.size ?? 0;
    let replicas = 0;
    for (const r of this.master.replicas) replicas += r.peer.queued + r.heldBytes;
    return [`mem_replication_backlog:${backlog}`, `mem_total_replication_buffers:${backlog + replicas}`, `mem_clients_slaves:${replicas}`];
  }

  /** ROLE's reply. */
  role(reply: Reply): void {
    const side = this.replicaSide;
    if (side !== null) {
      reply.array(5);
      reply.bulk('slave');
      reply.bulk(side.masterHost);
      reply.integer(side.masterPort);
      reply.bulk(side.state);
      reply.integer(side.connected ? this.stream.offset : -1);
      return;
    }
    const online = [...this.master.replicas].filter((r) => r.state === 'online');
    reply.array(3);
    reply.bulk('master');
    reply.integer(this.offset);
    reply.array(online.length);
    for (const r of online) {
      reply.array(3);
      reply.bulk(r.ip);
      reply.bulk(String(r.listeningPort));
      reply.bulk(String(r.ackOffset));
    }
  }

  /** INFO replication, as Redis prints it. */
  infoLines(): string[] {
    const server = this.server;
    const stream = this.stream;
    const lines: string[] = [];
    const side = this.replicaSide;
    if (side === null) {
      lines.push('role:master');
    } else {
      const now = Date.now();
      const up = side.connected;
      lines.push(
        'role:slave',
        `master_host:${side.masterHost}`,
        `master_port:${side.masterPort}`,
        `master_link_status:${up ? 'up' : 'down'}`,
        `master_last_io_seconds_ago:${side.lastIoSeconds}`,
        `master_sync_in_progress:${side.state === 'sync' ? 1 : 0}`,
        `slave_read_repl_offset:${side.readReplOffset}`,
        `slave_repl_offset:${side.replOffset}`,
      );
      const t = side.transfer;
      if (side.state === 'sync' && t !== null) {
        const total = t.size ?? -1;
        lines.push(
          `master_sync_total_bytes:${total}`,
          `master_sync_read_bytes:${t.read}`,
          `master_sync_left_bytes:${total < 0 ? -1 : total - t.read}`,
          `master_sync_perc:${(total <= 0 ? 0 : (t.read * 100) / total).toFixed(2)}`,
          `master_sync_last_io_seconds_ago:${Math.floor((now - t.lastIo) / 1000)}`,
        );
      }
      if (!up) lines.push(`master_link_down_since_seconds:${side.downSince === 0 ? -1 : Math.floor((now - side.downSince) / 1000)}`);
      lines.push(
        `slave_priority:${server.config.num('replica-priority')}`,
        `slave_read_only:${server.config.bool('replica-read-only') ? 1 : 0}`,
        `replica_announced:${server.config.bool('replica-announced') ? 1 : 0}`,
      );
    }
    lines.push(`connected_slaves:${this.master.replicas.size}`);
    const minReplicas = server.config.num('min-replicas-to-write');
    const maxLag = server.config.num('min-replicas-max-lag');
    if (minReplicas > 0 && maxLag > 0) lines.push(`min_slaves_good_slaves:${this.master.goodReplicas(maxLag)}`);
    let i = 0;
    const now = Date.now();
    for (const r of this.master.replicas) {
      lines.push(`slave${i++}:ip=${r.ip},port=${r.listeningPort},state=${r.state},offset=${r.ackOffset},lag=${Math.floor((now - r.ackTime) / 1000)}`);
    }
    const backlog = stream.backlog;
    lines.push(
      `master_failover_state:${this.failover?.state ?? 'no-failover'}`,
      `master_replid:${stream.replid}`,
      `master_replid2:${stream.replid2}`,
      `master_repl_offset:${this.offset}`,
      `second_repl_offset:${stream.secondOffset}`,
      `repl_backlog_active:${backlog === null ? 0 : 1}`,
      `repl_backlog_size:${server.config.num('repl-backlog-size')}`,
      `repl_backlog_first_byte_offset:${backlog === null ? 0 : backlog.firstOffset}`,
      `repl_backlog_histlen:${backlog === null ? 0 : backlog.histlen}`,
    );
    return lines;
  }

  /** PSYNC or SYNC from a client: it becomes a replica. */
  sync(c: Client, replid: string | null, offset: number): void {
    const r = (c.replica ??= this.newReplica(c));
    if (this.stream.backlog === null && this.stream.offset < this.server.persistence.offset) {
      this.stream.offset = this.server.persistence.offset;
    }
    this.master.sync(r, replid, offset);
    if (this.master.replicas.size !== 0) this.startFeeding();
  }

  private startFeeding(): void {
    // The effects of the master's client are not this listener's (see onEffects).
    if (this.unsubscribe === null) this.unsubscribe = this.server.propagation.subscribe(this.onEffects, false);
    if (this.cronTimer === null) {
      this.cronTimer = setInterval(() => this.cron(), 1000);
      this.cronTimer.unref();
    }
  }

  /** Whether the propagation stream feeds a backlog (a master with one): what PUBLISH asks before it builds its effect. */
  get feedsReplicas(): boolean {
    return this.unsubscribe !== null && this.replicaSide === null && this.stream.backlog !== null;
  }

  private readonly onEffects = (batch: readonly Effect[]): void => {
    // A replica's stream is its master's bytes, fed as they are applied; its own writes (a writable replica) stay local.
    if (this.replicaSide !== null) {
      if (!this.server.broker.executing?.fromMaster) this.rememberLocalExpiries(batch);
      return;
    }
    if (this.stream.backlog === null) return;
    this.stream.feedEffects(replicaEffects(batch));
    this.queueFlush();
  };

  queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(this.flushSoon);
  }

  /** Made once: a method holding the arrow made V8 allocate a context on each of its calls, one per write. */
  private readonly flushSoon = (): void => this.flush();

  /** Hands what the stream gathered to the backlog and the replicas. */
  flush(): void {
    this.flushQueued = false;
    // Not while writes are paused (CLIENT PAUSE, FAILOVER): the offset must stay still.
    if (this.acksWanted && this.server.pause === null) {
      this.acksWanted = false;
      this.stream.feedCommand(['REPLCONF', 'GETACK', '*']);
    }
    this.master.flush();
    // The replicas' class of client-output-buffer-limit: one that cannot keep up is disconnected (and resyncs).
    const limits = this.server.outputLimits;
    for (const r of this.master.replicas) limits.check((r.peer as ClientPeer).c);
  }

  /** The replica's connection closed. */
  removed(c: Client): void {
    if (c.replica !== null) this.master.remove(c.replica);
  }

  private cron(): void {
    if (this.replicaSide !== null) this.expireLocalKeys();
    const period = this.server.config.num('repl-ping-replica-period');
    // As Redis's replicationCron, on the seconds since start that are a multiple of the period. A replica's replicas get its master's PINGs.
    const loop = Math.floor((Date.now() - this.server.startedAt) / 1000);
    if (this.replicaSide === null && this.master.replicas.size !== 0 && loop % period === 0 && loop !== this.lastPing && !this.server.pausing && this.failover === null) {
      this.lastPing = loop;
      this.stream.feedCommand(['PING']);
      this.flush();
    }
    this.master.cron();
    this.server.refreshGoodReplicas();
  }

  /** CONFIG RESETSTAT: the sync counts and replication traffic start again from 0. */
  resetStats(): void {
    const s = this.master.stats;
    s.full = s.partialOk = s.partialErr = s.outputBytes = 0;
    this.inputBytes = 0;
  }

  /** Connections that are replicas (INFO connected_clients leaves them out, as Redis does). */
  get replicaConnections(): number {
    return this.master.replicas.size;
  }

  /**
   * A command from a replica produced a reply, which must never go down a
   * replication link: it is dropped, logged (an error as Redis's critical
   * line), and the replica disconnected (Redis's logInvalidUseAndFreeClientAsync).
   */
  replicaReplied(c: Client, command: string, failed: boolean, mark: number): void {
    const log = this.server.log;
    if (failed) {
      criticalError(this.server, 'replica', c.reply.lastError, command);
    }
    c.conn!.out.rewind(mark);
    log.warning(`Replica generated a reply to command '${command}', disconnecting it: ${clientInfoLine(c, Date.now())}`);
    c.close();
  }

  /** DEBUG REPLICATE: a command straight into the stream (no SELECT), as Redis's test aid does. */
  debugReplicate(argv: string[]): void {
    if (this.stream.backlog === null || this.replicaSide !== null) return;
    this.stream.feedCommand(argv);
    this.queueFlush();
  }

  /**
   * Keys a writable replica's own clients gave a deadline (Redis's
   * slaveKeysWithExpire): the master will never send their DEL, so the
   * replica expires them itself, each second.
   */
  private readonly localExpiring = new Map<number, Set<string>>();

  private rememberLocalExpiries(batch: readonly Effect[]): void {
    for (const e of batch) {
      const name = e.argv[0].toUpperCase();
      const timed = name === 'PEXPIREAT' || (name === 'SET' && e.argv.some((a) => a.toUpperCase() === 'PXAT'));
      if (!timed || e.argv.length < 2) continue;
      let keys = this.localExpiring.get(e.db);
      if (keys === undefined) this.localExpiring.set(e.db, (keys = new Set()));
      keys.add(e.argv[1]);
    }
  }

  /** Deletes the replica's own keys whose deadline passed (expireSlaveKeys). */
  private expireLocalKeys(): void {
    if (this.localExpiring.size === 0) return;
    const ks = this.server.keyspace;
    const now = Date.now();
    for (const [index, keys] of this.localExpiring) {
      const db = ks.db(index);
      for (const key of keys) {
        const when = db.expires.get(key);
        if (when === undefined) keys.delete(key);
        else if (when <= now) {
          db.expireNow(key);
          keys.delete(key);
        }
      }
      if (keys.size === 0) this.localExpiring.delete(index);
    }
  }

  /** Asks every replica for its offset at the end of this turn (WAIT and WAITAOF): REPLCONF GETACK * goes into the stream once. */
  requestAcks(): void {
    if (this.master.replicas.size === 0) return;
    this.acksWanted = true;
    this.queueFlush();
  }

  /** Why WAIT is refused here, or null. */
  waitRefusal(): string | null {
    if (this.replicaSide === null) return null;
    return 'ERR WAIT cannot be used with replica instances. Please also note that since Redis 4.0 if a replica is configured to be writable (which is not the default) writes to replicas are just local and are not propagated.';
  }

  /** Why WAITAOF is refused here, or null. */
  waitAofRefusal(): string | null {
    if (this.replicaSide === null) return null;
    return 'ERR WAITAOF cannot be used with replica instances. Please also note that writes to replicas are just local and are not propagated.';
  }

  /** A replica whose link is down while replica-serve-stale-data is no (Redis's running_stale): only commands flagged stale run. */
  get runningStale(): boolean {
    const side = this.replicaSide;
    return side !== null && !side.connected && !this.server.config.bool('replica-serve-stale-data');
  }

  /** Whether this is a read-only replica for `c`'s writes: any client but the master's own (Redis's repl_slave_ro and mustObeyClient). */
  readOnlyFor(c: Client): boolean {
    return this.replicaSide !== null && c !== this.masterClient && !c.fromMaster && this.server.config.bool('replica-read-only');
  }

  /** Redis's processCommand checks of a replica: stale data while the link is down, writes to a read-only replica. Null when the command may run. */
  refusal(c: Client, writes: boolean, stale: boolean): string | null {
    const side = this.replicaSide;
    if (side === null || c === this.masterClient) return null;
    if (this.runningStale && !stale) {
      return MASTERDOWN;
    }
    if (writes && this.server.config.bool('replica-read-only')) return READONLY_REPLICA;
    return null;
  }

  close(): void {
    this.replicaSide?.close();
    if (this.cronTimer !== null) clearInterval(this.cronTimer);
    this.cronTimer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }
}
