import fs from 'node:fs';
import type { Effect } from '../core/propagation.js';
import { rdbTarget } from '../persistence/rdb/rdb-version.js';
import { MasterSide } from '../replication/master-side.js';
import { ReplicaSide } from '../replication/replica-side.js';
import { Replica, type ReplicaPeer } from '../replication/replica.js';
import { ReplicationStream } from '../replication/stream.js';
import type { Reply } from '../protocol/reply.js';
import type { Client } from './client.js';
import type { Server } from './server.js';

/** A client's connection as the master side writes to it: in order with its replies. */
class ClientPeer implements ReplicaPeer {
  constructor(private readonly c: Client) {}

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
  /** When the last PING went into the stream (ms). */
  private lastPing = 0;

  /** The link to this server's master while it is a replica; null on a master. */
  replicaSide: ReplicaSide | null = null;
  /** The client the master's stream runs as (Redis's server.master): no ACL, no replies. */
  private masterClient: Client | null = null;
  /** Commands of a MULTI the master's stream opened, queued until its EXEC. */
  private masterQueue: string[][] | null = null;

  constructor(private readonly server: Server) {
    this.master = new MasterSide(
      {
        config: server.config,
        get log() {
          return server.log;
        },
        rdb: server.persistence.rdb,
        otherJobRunning: () => server.persistence.rewrite !== null,
        snapshotOptions: () => ({ rdbVersion: rdbTarget(server.config.num('repl-rdb-version')) }),
      },
      this.stream,
    );
  }

  /** master_repl_offset: bytes of the stream once a backlog exists, before that the AOF's count of propagated units (as Redis 7.2). */
  get offset(): number {
    return this.stream.backlog === null ? this.server.persistence.offset : this.stream.offset;
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

  /** Why SYNC and PSYNC are refused now, or null. */
  syncRefusal(): string | null {
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
   * replicas are disconnected, to resync with the new history.
   */
  replicaOf(host: string, port: number, who: string): string {
    const current = this.replicaSide;
    if (current !== null && current.masterHost === host && current.masterPort === port) {
      this.server.log.notice('REPLICAOF would result into synchronization with the master we are already connected with. No operation performed.');
      return 'OK Already connected to specified master';
    }
    const wasMaster = current === null;
    current?.close();
    this.flush();
    this.disconnectReplicas();
    this.server.disconnectBlockedForRoleChange();
    this.setReplicaMode(true);
    const continuable = wasMaster ? true : this.stream.backlog !== null || this.stream.offset > 0;
    this.replicaSide = new ReplicaSide(this.replicaHost(), this.stream, host, port, continuable);
    this.server.config.setMany([['replicaof', `${host} ${port}`]], { startup: true });
    this.replicaSide.start();
    this.server.log.notice(`REPLICAOF ${host}:${port} enabled (user request from '${who}')`);
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
  restore(aux: ReadonlyMap<string, string>): void {
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

  /** REPLICAOF NO ONE: this server is a master again, with a new history that continues the old one. */
  promote(who: string): void {
    const side = this.replicaSide;
    if (side === null) return;
    side.close();
    this.replicaSide = null;
    this.masterQueue = null;
    this.setReplicaMode(false);
    this.stream.shiftReplid();
    this.server.log.notice(`Setting secondary replication ID to ${this.stream.replid2}, valid up to offset: ${this.stream.secondOffset}. New replication ID is ${this.stream.replid}`);
    this.disconnectReplicas();
    this.server.config.setMany([['replicaof', 'no one']], { startup: true });
    this.server.log.notice(`MASTER MODE enabled (user request from '${who}')`);
  }

  private setReplicaMode(on: boolean): void {
    this.server.keyspace.replicaExpiry = on;
  }

  /** Closes every replica's connection (they reconnect and resync). */
  disconnectReplicas(): void {
    for (const r of [...this.master.replicas]) r.peer.close();
  }

  private replicaHost(): ConstructorParameters<typeof ReplicaSide>[0] {
    const server = this.server;
    const host = this;
    return {
      config: server.config,
      get log() {
        return server.log;
      },
      loadSnapshot: (file) => {
        server.persistence.rdb.abandonBackground();
        const target = server.persistence.rdb.file;
        fs.renameSync(file, target);
        const parsed = server.persistence.rdb.loadReplicated(target);
        if (server.config.bool('appendonly')) server.persistence.rewriteAfterSync();
        return parsed.aux;
      },
      apply: (argv) => host.applyFromMaster(argv),
      get masterDb() {
        return host.masterClientOf().db.index;
      },
      set masterDb(db: number) {
        const c = host.masterClientOf();
        if (db >= 0 && db < server.keyspace.dbs.length) c.db = server.keyspace.db(db);
      },
      disconnectReplicas: () => this.disconnectReplicas(),
      flushStream: () => this.queueFlush(),
      fsyncedReplOffset: () => this.fsyncedReplOffset(),
      countInput: (n) => (this.inputBytes += n),
    };
  }

  /** The replication offset the AOF has fsynced: all of the stream applied when the AOF holds everything on disk. */
  private lastFsyncedRepl = 0;
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
  applyFromMaster(argv: string[]): void {
    const server = this.server;
    const c = this.masterClientOf();
    const name = argv[0].toLowerCase();
    if (this.masterQueue !== null) {
      if (name === 'exec') {
        const queued = this.masterQueue;
        this.masterQueue = null;
        server.propagation.begin();
        for (const q of queued) this.runAsMaster(c, q);
        server.propagation.end();
      } else if (name === 'discard') {
        this.masterQueue = null;
      } else if (name !== 'multi') {
        this.masterQueue.push(argv);
      }
      return;
    }
    if (name === 'multi') {
      this.masterQueue = [];
      return;
    }
    if (name === 'replconf' && argv.length >= 2 && argv[1].toLowerCase() === 'getack') {
      this.replicaSide?.sendAck();
      return;
    }
    this.runAsMaster(c, argv);
  }

  private runAsMaster(c: Client, argv: string[]): void {
    const server = this.server;
    const cmd = server.dispatcher.lookup(argv);
    if (cmd === undefined || cmd.handler === null) {
      server.log.warning(`Unknown command '${argv[0].slice(0, 128)}' from the master's replication stream: skipped`);
      return;
    }
    server.startTurn();
    const ks = server.keyspace;
    ks.loadingNoExpiry = true;
    try {
      server.dispatcher.callAsMaster(c, cmd, argv);
    } finally {
      ks.loadingNoExpiry = false;
    }
  }

  /** REPLCONF ACK from a replica: WAIT and WAITAOF may be served. */
  acked(r: Replica, offset: number, fack: number | null): void {
    this.master.ack(r, offset, fack);
    this.server.replicaAcked();
  }

  /** REPLCONF GETACK from this server's master: the replica side answers with its offset. */
  ackToMaster(): void {
    this.replicaSide?.sendAck();
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
        `slave_read_repl_offset:${side.readOffset}`,
        `slave_repl_offset:${this.stream.offset}`,
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
      'master_failover_state:no-failover',
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
    if (this.unsubscribe === null) this.unsubscribe = this.server.propagation.subscribe(this.onEffects);
    if (this.cronTimer === null) {
      this.cronTimer = setInterval(() => this.cron(), 1000);
      this.cronTimer.unref();
    }
  }

  private readonly onEffects = (batch: readonly Effect[]): void => {
    // A replica's stream is its master's bytes, fed as they are applied; its own writes (a writable replica) stay local.
    if (this.stream.backlog === null || this.replicaSide !== null) return;
    this.stream.feedEffects(batch);
    this.queueFlush();
  };

  queueFlush(): void {
    if (this.flushQueued) return;
    this.flushQueued = true;
    setImmediate(() => this.flush());
  }

  /** Hands what the stream gathered to the backlog and the replicas. */
  flush(): void {
    this.flushQueued = false;
    // Not while writes are paused (CLIENT PAUSE, FAILOVER): the offset must stay still.
    if (this.acksWanted && this.server.pause === null) {
      this.acksWanted = false;
      this.stream.feedCommand(['REPLCONF', 'GETACK', '*']);
    }
    this.master.flush();
  }

  /** The replica's connection closed. */
  removed(c: Client): void {
    if (c.replica !== null) this.master.remove(c.replica);
  }

  private cron(): void {
    const period = this.server.config.num('repl-ping-replica-period') * 1000;
    const now = Date.now();
    // A replica's replicas get its master's PINGs.
    if (this.replicaSide === null && this.master.replicas.size !== 0 && now - this.lastPing >= period && this.server.pause === null) {
      this.lastPing = now;
      this.stream.feedCommand(['PING']);
      this.flush();
    }
    this.master.cron();
    this.server.refreshGoodReplicas();
  }

  /** Asks every replica for its offset at the end of this turn (WAIT and WAITAOF): REPLCONF GETACK * goes into the stream once. */
  requestAcks(): void {
    if (this.master.replicas.size === 0 || this.acksWanted) return;
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

  /** Redis's processCommand checks of a replica: stale data while the link is down, writes to a read-only replica. Null when the command may run. */
  refusal(c: Client, writes: boolean, stale: boolean): string | null {
    const side = this.replicaSide;
    if (side === null || c === this.masterClient) return null;
    if (!side.connected && !this.server.config.bool('replica-serve-stale-data') && !stale) {
      return "MASTERDOWN Link with MASTER is down and replica-serve-stale-data is set to 'no'.";
    }
    if (writes && this.server.config.bool('replica-read-only')) return "READONLY You can't write against a read only replica.";
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
