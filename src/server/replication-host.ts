import type { Effect } from '../core/propagation.js';
import { rdbTarget } from '../persistence/rdb/rdb-version.js';
import { MasterSide } from '../replication/master-side.js';
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
    return { streamDb: Math.max(0, this.stream.selectedDb), id: this.stream.replid, offset: this.stream.offset };
  }

  /** The replica state of a connection that has begun to describe itself (REPLCONF) or asks to sync. */
  newReplica(c: Client): Replica {
    return new Replica(new ClientPeer(c));
  }

  /** Why SYNC and PSYNC are refused now, or null. */
  syncRefusal(): string | null {
    return null;
  }

  /** REPLCONF ACK from a replica: WAIT and WAITAOF may be served. */
  acked(r: Replica, offset: number, fack: number | null): void {
    this.master.ack(r, offset, fack);
    this.server.replicaAcked();
  }

  /** REPLCONF GETACK from this server's master: the replica side answers with its offset. */
  ackToMaster(): void {}

  /** ROLE's reply. */
  role(reply: Reply): void {
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
    const lines = ['role:master', `connected_slaves:${this.master.replicas.size}`];
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
    if (this.stream.backlog === null) return;
    this.stream.feedEffects(batch);
    this.queueFlush();
  };

  private queueFlush(): void {
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
    if (this.master.replicas.size !== 0 && now - this.lastPing >= period && this.server.pause === null) {
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
    return null;
  }

  /** Why WAITAOF is refused here, or null. */
  waitAofRefusal(): string | null {
    return null;
  }

  close(): void {
    if (this.cronTimer !== null) clearInterval(this.cronTimer);
    this.cronTimer = null;
    this.unsubscribe?.();
    this.unsubscribe = null;
  }
}
