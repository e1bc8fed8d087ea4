import fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { Ctx } from '../core/context.js';
import type { Log } from '../core/log.js';
import type { RdbFiles } from '../persistence/rdb-files.js';
import type { BackgroundSave } from '../persistence/rdb/background-save.js';
import type { RdbOptions } from '../persistence/rdb/rdb-save.js';
import { ReplicaFanout } from './fanout.js';
import { isFiltered, NO_FILTER, sameFilter, type Replica, type SnapshotFilter } from './replica.js';
import type { ReplicationStream } from './stream.js';

/** What the master side reads of the server: settings, the log, the RDB machinery. */
export interface MasterSideHost {
  readonly config: { num(name: string): number; bool(name: string): boolean; str(name: string): string };
  readonly log: Log;
  readonly rdb: Pick<RdbFiles<Ctx>, 'background' | 'startBackground' | 'startSnapshot' | 'abandonSnapshot' | 'backgroundEnded' | 'file'>;
  /** A background job other than an RDB save (the AOF rewrite) runs. */
  otherJobRunning(): boolean;
  /** Snapshot options particular to replicas (the RDB version they read). */
  snapshotOptions(filter: SnapshotFilter): Partial<RdbOptions>;
  /** Neither save points nor the AOF: the server keeps nothing on disk of its own (Redis's allPersistenceDisabled). */
  persistenceOff(): boolean;
}

/** Replication counters INFO stats shows. */
export interface SyncStats {
  full: number;
  partialOk: number;
  partialErr: number;
  /** Bytes written to replicas (total_net_repl_output_bytes). */
  outputBytes: number;
}

/** Bytes a disk snapshot is read in, and how much may wait in a replica's socket before reading more. */
const FILE_CHUNK = 1 << 20;
const MAX_QUEUED = 4 << 20;

/**
 * A master's side of replication (Redis's syncCommand and what follows):
 * PSYNC answered with +CONTINUE from the backlog or with a full
 * synchronisation, snapshots made for the replicas waiting (to their
 * sockets when they all read the $EOF: form and repl-diskless-sync is on,
 * else to the RDB file, then sent with its length), and the stream handed
 * to every replica at the end of each turn.
 */
export class MasterSide {
  readonly replicas = new Set<Replica>();
  readonly stats: SyncStats = { full: 0, partialOk: 0, partialErr: 0, outputBytes: 0 };
  /** Replicas whose full synchronisation has not begun (Redis's WAIT_BGSAVE_START). */
  private waiting: Replica[] = [];
  /** When the oldest waiting replica asked (ms), for repl-diskless-sync-delay. */
  private waitingSince = 0;
  /** The snapshot in progress for replicas, and who gets it. */
  private snapshot: { save: BackgroundSave | null; disk: boolean; replicas: Replica[] } | null = null;
  /** The RDB file was last written to feed replicas, with rdb-del-sync-files on (Redis's RDBGeneratedByReplication). */
  private fileForReplicas = false;
  /** When the backlog last had no replica (ms), for repl-backlog-ttl; 0 while there are replicas. */
  noReplicasSince = 0;

  constructor(
    private readonly host: MasterSideHost,
    readonly stream: ReplicationStream,
  ) {}

  /** Redis's replicationGetSlaveName. */
  static nameOf(r: Replica): string {
    return r.listeningPort !== 0 ? `${r.ip}:${r.listeningPort}` : `${r.ip}:<unknown-replica-port>`;
  }

  /**
   * PSYNC <replid> <offset> (or SYNC, with replid null): the replica is
   * registered and either continues from the backlog or waits for a full
   * synchronisation.
   */
  sync(r: Replica, replid: string | null, offset: number): void {
    const log = this.host.log;
    const stream = this.stream;
    log.notice(`Replica ${MasterSide.nameOf(r)} asks for synchronization`);
    this.flush();
    if (replid !== null) {
      if (this.tryContinue(r, replid, offset)) {
        this.stats.partialOk++;
        return;
      }
      if (replid !== '?') this.stats.partialErr++;
    } else {
      r.preSync = true;
    }
    this.stats.full++;
    this.replicas.add(r);
    this.noReplicasSince = 0;
    if (this.replicas.size === 1 && stream.backlog === null) {
      stream.shiftReplid();
      stream.replid2 = '0'.repeat(40);
      stream.secondOffset = -1;
      stream.ensureBacklog(this.host.config.num('repl-backlog-size'));
      log.notice(`Replication backlog created, my new replication IDs are '${stream.replid}' and '${stream.replid2}'`);
    }
    const snap = this.snapshot;
    if (snap !== null && snap.disk && snap.save !== null) {
      // A disk snapshot for replicas is being written: this one joins it, with the stream the others hold since it began.
      const other = snap.replicas.find((o) => o.held !== null && !o.rdbOnly && sameFilter(o.filter, r.filter));
      if (other !== undefined) {
        r.held = other.held!.slice();
        r.heldBytes = other.heldBytes;
        this.beginFull(r, other.syncOffset);
        snap.replicas.push(r);
        log.notice('Waiting for end of BGSAVE for SYNC');
        return;
      }
    }
    if (snap !== null) {
      log.notice(snap.disk ? "Can't attach the replica to the current BGSAVE. Waiting for next BGSAVE for SYNC" : 'Current BGSAVE has socket target. Waiting for next BGSAVE for SYNC');
    } else if (this.host.config.bool('repl-diskless-sync') && r.capaEof && this.host.config.num('repl-diskless-sync-delay') > 0) {
      log.notice('Delay next BGSAVE for diskless SYNC');
    }
    if (this.waiting.length === 0) this.waitingSince = Date.now();
    this.waiting.push(r);
    this.startWhenReady();
  }

  private tryContinue(r: Replica, replid: string, offset: number): boolean {
    const stream = this.stream;
    const log = this.host.log;
    if (replid !== stream.replid && (replid !== stream.replid2 || offset > stream.secondOffset)) {
      if (replid === '?') {
        log.notice(`Full resync requested by replica ${MasterSide.nameOf(r)}`);
      } else if (replid !== stream.replid && replid !== stream.replid2) {
        log.notice(`Partial resynchronization not accepted: Replication ID mismatch (Replica asked for '${replid}', my replication IDs are '${stream.replid}' and '${stream.replid2}')`);
      } else {
        log.notice(`Partial resynchronization not accepted: Requested offset for second ID was ${offset}, but I can reply up to ${stream.secondOffset}`);
      }
      return false;
    }
    const backlog = stream.backlog;
    if (backlog === null || !backlog.holds(offset)) {
      log.notice(`Unable to partial resync with replica ${MasterSide.nameOf(r)} for lack of backlog (Replica request was: ${offset}).`);
      if (offset > stream.offset) {
        log.warning(`Warning: replica ${MasterSide.nameOf(r)} tried to PSYNC with an offset that is greater than the master replication offset.`);
      }
      return false;
    }
    this.replicas.add(r);
    this.noReplicasSince = 0;
    r.peer.write(Buffer.from(r.capaPsync2 ? `+CONTINUE ${stream.replid}\r\n` : '+CONTINUE\r\n', 'latin1'));
    const history = backlog.from(offset);
    this.write(r, history);
    r.held = null;
    r.goOnline();
    log.notice(`Partial resynchronization request from ${MasterSide.nameOf(r)} accepted. Sending ${history.length} bytes of backlog starting from offset ${offset}.`);
    return true;
  }

  /** The replica starts receiving a snapshot taken at `offset`: FULLRESYNC, and the stream from there is held for it. */
  private beginFull(r: Replica, offset: number): void {
    r.syncOffset = offset;
    r.held ??= [];
    if (!r.preSync) r.peer.write(Buffer.from(`+FULLRESYNC ${this.stream.replid} ${offset}\r\n`, 'latin1'));
  }

  /** Starts a snapshot for the waiting replicas when none is running and the diskless delay (or count) allows. */
  startWhenReady(): void {
    this.waiting = this.waiting.filter((r) => !r.peer.closed);
    if (this.waiting.length === 0 || this.snapshot !== null) return;
    const host = this.host;
    if (host.rdb.background !== null || host.otherJobRunning()) return;
    const config = host.config;
    // One snapshot serves the replicas that want the same parts of it, the first one's; the others wait for the next.
    const filter = this.waiting[0].filter;
    const batch = this.waiting.filter((r) => sameFilter(r.filter, filter));
    // A filtered snapshot always goes to the sockets: the RDB file on disk is never a partial one.
    const diskless = (config.bool('repl-diskless-sync') || isFiltered(filter)) && batch.every((r) => r.capaEof);
    if (diskless) {
      const delayMs = config.num('repl-diskless-sync-delay') * 1000;
      const enough = config.num('repl-diskless-sync-max-replicas');
      const due = Date.now() - this.waitingSince >= delayMs || (enough > 0 && batch.length >= enough);
      if (!due) return;
    }
    this.waiting = this.waiting.filter((r) => !sameFilter(r.filter, filter));
    this.flush();
    // The stream after the snapshot must say which database it is in.
    this.stream.selectedDb = -1;
    host.log.notice(`Starting BGSAVE for SYNC with target: ${diskless ? 'replicas sockets' : 'disk'}`);
    if (diskless) this.startDiskless(batch);
    else this.startDisk(batch);
  }

  private startDiskless(batch: Replica[]): void {
    const host = this.host;
    const mark = randomBytes(20).toString('hex');
    const offset = this.stream.offset;
    // As Redis, a replica stays in wait_bgsave while the snapshot streams to it, and is online once it is through.
    for (const r of batch) {
      this.beginFull(r, offset);
      r.peer.write(Buffer.from(`$EOF:${mark}\r\n`, 'latin1'));
    }
    const fanout = new ReplicaFanout(batch, (n) => (this.stats.outputBytes += n));
    const snap: { save: BackgroundSave | null; disk: boolean; replicas: Replica[] } = { save: null, disk: false, replicas: batch };
    this.snapshot = snap;
    let save: BackgroundSave | null = null;
    fanout.onEmpty = () => {
      host.log.warning('Diskless rdb transfer, last replica dropped, killing fork child.');
      if (save !== null) host.rdb.abandonSnapshot(save);
      if (this.snapshot === snap) this.snapshot = null;
      this.startWhenReady();
    };
    save = host.rdb.startSnapshot(fanout, host.snapshotOptions(batch[0].filter), (error) => {
      if (this.snapshot === snap) this.snapshot = null;
      if (error !== null) {
        host.log.warning(`Can't write an RDB for the replicas: ${error.message}`);
        for (const r of fanout.live) r.peer.close();
      } else {
        const live = fanout.live;
        host.log.notice(`Diskless rdb transfer, done reading from pipe, ${live.length} replicas still up.`);
        const end = Buffer.from(mark, 'latin1');
        for (const r of live) {
          this.write(r, end);
          if (r.preSync || r.rdbOnly) {
            r.goOnline();
            host.log.notice(`Synchronization with replica ${MasterSide.nameOf(r)} succeeded`);
          } else {
            r.state = 'online';
            r.ackTime = Date.now();
            r.startOnAck = true;
            host.log.notice(`Streamed RDB transfer with replica ${MasterSide.nameOf(r)} succeeded (socket). Waiting for REPLCONF ACK from replica to enable streaming`);
          }
        }
        host.log.notice('Background RDB transfer terminated with success');
      }
      this.startWhenReady();
    });
    snap.save = save;
    if (save === null) {
      // Raced by another background job: they wait again.
      this.snapshot = null;
      for (const r of batch) r.peer.close();
      return;
    }
    host.log.notice(`Background RDB transfer started by pid ${process.pid}`);
  }

  private startDisk(batch: Replica[]): void {
    const host = this.host;
    const offset = this.stream.offset;
    const snap: { save: BackgroundSave | null; disk: boolean; replicas: Replica[] } = { save: null, disk: true, replicas: batch };
    this.snapshot = snap;
    const ended = (ok: boolean): void => {
      const i = host.rdb.backgroundEnded.indexOf(ended);
      if (i >= 0) host.rdb.backgroundEnded.splice(i, 1);
      if (this.snapshot === snap) this.snapshot = null;
      const live = snap.replicas.filter((r) => !r.peer.closed);
      if (!ok) {
        host.log.warning('SYNC failed. BGSAVE child returned an error');
        for (const r of live) r.peer.close();
      } else {
        for (const r of live) this.sendFile(r, host.rdb.file);
      }
      this.startWhenReady();
    };
    host.rdb.backgroundEnded.push(ended);
    if (!host.rdb.startBackground(host.snapshotOptions(NO_FILTER))) {
      host.rdb.backgroundEnded.pop();
      this.snapshot = null;
      host.log.warning('BGSAVE for replication failed');
      for (const r of batch) r.peer.close();
      return;
    }
    snap.save = host.rdb.background;
    if (host.config.bool('rdb-del-sync-files')) this.fileForReplicas = true;
    for (const r of batch) this.beginFull(r, offset);
  }

  /**
   * rdb-del-sync-files: an RDB file written only to feed replicas is
   * removed once none is waiting for it, where the server keeps nothing
   * on disk of its own. Turned off meanwhile, the mark is forgotten, as
   * in Redis, so that turning it on again removes no older file.
   */
  private removeFileForReplicas(): void {
    const host = this.host;
    if (!host.config.bool('rdb-del-sync-files')) {
      this.fileForReplicas = false;
      return;
    }
    if (!this.fileForReplicas || !host.persistenceOff()) return;
    for (const r of this.replicas) if (r.state === 'wait_bgsave' || r.state === 'send_bulk') return;
    if (!fs.existsSync(host.rdb.file)) return;
    this.fileForReplicas = false;
    host.log.notice('Removing the RDB file used to feed replicas in a persistence-less instance');
    fs.unlink(host.rdb.file, () => {});
  }

  /** Sends a snapshot file with its length ($<len>), a chunk at a time as the replica's socket drains. */
  private sendFile(r: Replica, file: string): void {
    let fd: number;
    let size: number;
    try {
      fd = fs.openSync(file, 'r');
      size = fs.fstatSync(fd).size;
    } catch (e) {
      this.host.log.warning(`SYNC failed. Can't open/stat DB after BGSAVE: ${(e as Error).message}`);
      r.peer.close();
      return;
    }
    r.state = 'send_bulk';
    this.write(r, Buffer.from(`$${size}\r\n`, 'latin1'));
    let at = 0;
    const pump = (): void => {
      try {
        while (at < size && !r.peer.closed) {
          if (r.peer.queued > MAX_QUEUED) {
            setTimeout(pump, 1).unref();
            return;
          }
          const chunk = Buffer.allocUnsafe(Math.min(FILE_CHUNK, size - at));
          const n = fs.readSync(fd, chunk, 0, chunk.length, at);
          if (n <= 0) throw new Error('unexpected end of file');
          at += n;
          this.write(r, n === chunk.length ? chunk : chunk.subarray(0, n));
        }
      } catch (e) {
        this.host.log.warning(`Read error sending DB to replica: ${(e as Error).message}`);
        r.peer.close();
      }
      fs.closeSync(fd);
      if (r.peer.closed) return;
      r.goOnline();
      this.host.log.notice(`Synchronization with replica ${MasterSide.nameOf(r)} succeeded`);
    };
    pump();
  }

  private write(r: Replica, bytes: Buffer): void {
    this.stats.outputBytes += bytes.length;
    r.peer.write(bytes);
  }

  /** Hands the bytes the stream gathered to the backlog and to every replica (the end of a turn). */
  flush(): void {
    const bytes = this.stream.take(this.replicas.size !== 0);
    if (bytes === null) return;
    for (const r of this.replicas) {
      if (r.peer.closed) continue;
      if (r.state === 'online' && r.held === null && !r.rdbOnly) this.stats.outputBytes += bytes.length;
      r.send(bytes);
    }
  }

  /** REPLCONF ACK <offset> [FACK <aofoffset>] from a replica. */
  ack(r: Replica, offset: number, fack: number | null): void {
    if (offset > r.ackOffset) r.ackOffset = offset;
    if (fack !== null && fack > r.aofOffset) r.aofOffset = fack;
    r.ackTime = Date.now();
    if (r.startOnAck) {
      r.goOnline();
      this.host.log.notice(`Synchronization with replica ${MasterSide.nameOf(r)} succeeded`);
    }
  }

  /** A replica's connection closed. */
  remove(r: Replica): void {
    if (!this.replicas.delete(r)) return;
    this.waiting = this.waiting.filter((w) => w !== r);
    if (r.state === 'online') this.host.log.notice(`Connection with replica ${MasterSide.nameOf(r)} lost.`);
    if (this.replicas.size === 0) this.noReplicasSince = Date.now();
  }

  /** Replicas online whose acknowledged offset has reached `offset` (WAIT). */
  ackedAt(offset: number): number {
    let n = 0;
    for (const r of this.replicas) if (r.state === 'online' && r.ackOffset >= offset) n++;
    return n;
  }

  /** Replicas online whose AOF is fsynced past `offset` (WAITAOF). */
  aofAckedAt(offset: number): number {
    let n = 0;
    for (const r of this.replicas) if (r.state === 'online' && r.aofOffset >= offset) n++;
    return n;
  }

  /** Replicas whose last ACK is at most `maxLagSec` old (min-replicas-max-lag). */
  goodReplicas(maxLagSec: number): number {
    const now = Date.now();
    let n = 0;
    for (const r of this.replicas) if (r.state === 'online' && Math.floor((now - r.ackTime) / 1000) <= maxLagSec) n++;
    return n;
  }

  /**
   * Once a second (replicationCron): a newline to replicas still waiting for
   * their snapshot, so that they do not time out; the diskless delay;
   * replicas silent past repl-timeout go; the backlog goes after
   * repl-backlog-ttl without replicas.
   */
  cron(): void {
    const newline = Buffer.from('\n', 'latin1');
    for (const r of this.waiting) if (!r.peer.closed && !r.preSync) r.peer.write(newline);
    this.startWhenReady();
    this.removeFileForReplicas();
    const timeoutMs = this.host.config.num('repl-timeout') * 1000;
    const now = Date.now();
    const snap = this.snapshot;
    if (snap !== null && !snap.disk) {
      // A replica that takes none of its snapshot for repl-timeout is given up (its socket's queue has not moved).
      for (const r of snap.replicas) {
        if (r.peer.closed) continue;
        const queued = r.peer.queued;
        if (queued === 0 || queued !== r.lastQueued) {
          r.lastQueued = queued;
          r.lastProgress = now;
        } else if (now - r.lastProgress > timeoutMs) {
          this.host.log.warning(`Disconnecting timedout replica (full sync): ${MasterSide.nameOf(r)}`);
          r.peer.close();
        }
      }
    }
    for (const r of this.replicas) {
      if (r.preSync || r.state !== 'online' || r.peer.closed) continue;
      if (now - r.ackTime > timeoutMs) {
        this.host.log.warning(`Disconnecting timedout replica (streaming sync): ${MasterSide.nameOf(r)}`);
        r.peer.close();
      }
    }
    const ttl = this.host.config.num('repl-backlog-ttl');
    if (ttl > 0 && this.replicas.size === 0 && this.noReplicasSince !== 0 && this.stream.backlog !== null && now - this.noReplicasSince > ttl * 1000) {
      this.stream.dropBacklog();
      this.stream.shiftReplid();
      this.stream.replid2 = '0'.repeat(40);
      this.stream.secondOffset = -1;
      this.host.log.notice(`Replication backlog freed after ${ttl} seconds without connected replicas.`);
    }
  }
}
