import fs from 'node:fs';
import type tls from 'node:tls';
import path from 'node:path';
import type { Log } from '../core/log.js';
import { MasterLink, type MasterLinkState } from './master-link.js';
import type { ReplicationStream } from './stream.js';

/** What the replica side asks of the server. */
export interface ReplicaSideHost {
  readonly config: { num(name: string): number; bool(name: string): boolean; str(name: string): string };
  readonly log: Log;
  /**
   * Replaces the dataset with the snapshot in `file` (renamed over the RDB
   * file first: repl-diskless-load disabled). Returns the snapshot's AUX
   * fields; throws when it cannot be loaded.
   */
  loadSnapshot(file: string): Map<string, string>;
  /** After loadSnapshot, loaded or not: rdb-del-sync-files removes the file where the server keeps nothing on disk of its own. */
  dropSyncFile(): void;
  /** Runs one command of the master's stream as the master's client; true while a MULTI of the master's is open after it. */
  apply(argv: string[]): boolean;
  /** The master's commands `argvs[from, to)` are about to be applied: the keyspace may read where their keys sit (MasterLinkEvents.ahead). */
  readAhead(argvs: readonly string[][], from: number, to: number): void;
  /** Whether a command of the master's stream must wait now (CLIENT PAUSE holds it, as it holds a client's). */
  holds(argv: string[]): boolean;
  /** The database the master's client has selected. */
  masterDb: number;
  /** Closes this server's own replicas: they must resync with the history this one now follows. */
  disconnectReplicas(): void;
  /**
   * Hands what the stream gathered to the backlog and this server's
   * replicas, and what the AOF gathered to its file, once the current turn
   * is over. Asked for when the stream starts gathering again: the flush
   * asked for takes everything fed until it runs.
   */
  flushStream(): void;
  /** The replication offset this server's AOF has fsynced, or null when the AOF is off (REPLCONF ACK's FACK). */
  fsyncedReplOffset(): number | null;
  /** Bytes read from the master (INFO total_net_repl_input_bytes). */
  countInput(bytes: number): void;
  /** Whether the dataset holds no key (repl-diskless-load on-empty-db). */
  empty(): boolean;
  /** The stream flows: the master's client shows in CLIENT LIST as `addr`, and CLIENT KILL on it calls `drop`. */
  masterLinkUp(addr: string, drop: () => void): void;
  /** The link went down. */
  masterLinkDown(): void;
  /** TLS options for the link (tls-replication), null for plain TCP; throws with the reason they cannot be made. */
  tlsOptions(): tls.ConnectionOptions | null;
  /**
   * A full sync's snapshot starts arriving (`replid` its history, null when
   * unknown) or is over (null): the server answers -LOADING, or serves the
   * old data as async loading, as repl-diskless-load says.
   */
  transferring(replid: string | null | undefined): void;
  /**
   * A snapshot parsed as it arrives (a diskless load, or a disk load
   * overlapped with its transfer: `holdLog`, the loader's lines then wait
   * for `apply`), reporting to `events`.
   */
  streamLoad(events: StreamLoadEvents, holdLog?: boolean): StreamedSnapshot;
  /** The transfer is over and the snapshot still loading: -LOADING until transferring(undefined), as while Redis loads the file. */
  loadingTransferred(): void;
}

/** What a diskless load reports. */
export interface StreamLoadEvents {
  parsed(): void;
  failed(error: Error): void;
  drained(): void;
}

/** A snapshot being parsed as it arrives (persistence's StreamLoad). */
export interface StreamedSnapshot {
  readonly buffered: number;
  /** Bytes the parser waits to have in hand before it tries again (a record longer than what it holds). */
  readonly wanted: number;
  /** How far the snapshot has been parsed. */
  readonly offset: number;
  push(chunk: Buffer): void;
  finish(): void;
  /** Parses what is in hand now, clients waiting; the events fire before it returns. */
  drainNow(): void;
  abort(): void;
  /** Puts the parsed snapshot in place of the dataset, `file` (where it was written as it came) renamed over the RDB file first; returns its AUX fields. */
  apply(file?: string): Map<string, string>;
}

/** Bytes received and not yet parsed past which the link stops reading (the master then waits), or an overlapped load leaves them on disk. */
const MAX_UNPARSED = 8 << 20;
/** What an overlapped load reads from the file at a time once its parser has fallen behind the transfer. */
const FEED_BYTES = 4 << 20;

/** How long after a failed link the next attempt starts (Redis's replicationCron runs once a second). */
const RETRY_MS = 1000;
const ACK_MS = 1000;

/**
 * A replica's side of replication: the link to its master (MasterLink),
 * the snapshot of a full synchronisation written to a temporary file and
 * loaded, then the master's stream applied command by command and its exact
 * bytes fed on to this server's own stream (its backlog and replicas: a
 * chain shares one history). Offsets move by whole commands applied.
 */
export class ReplicaSide {
  link: MasterLink | null = null;
  /**
   * ROLE's state of the link. 'connected' only once `online` runs: after a
   * full sync the link streams as soon as the payload has arrived, but the
   * snapshot may still be loading (a diskless load pauses the link until it
   * is in), and until then Redis stays in REPL_STATE_TRANSFER (ROLE sync,
   * master_link_status:down, master_sync_in_progress:1): readSyncBulkPayload
   * sets REPL_STATE_CONNECTED only after the load.
   */
  state: MasterLinkState = 'connect';
  /** Whether the history in `stream` is one the master may continue (PSYNC <replid> <offset+1>). */
  private cached: boolean;
  /** Bytes of the stream read so far (slave_read_repl_offset). */
  readOffset = 0;
  /**
   * The master's commands read while CLIENT PAUSE holds them (Redis 7.2's
   * PAUSE_ACTION_REPLICA): the dataset and the applied offset stay still,
   * the read offset goes on. Dropped with the link: the next PSYNC asks
   * for them again from the applied offset.
   */
  private held: { argv: string[]; bytes: number; raw: Buffer }[] = [];
  /**
   * The bytes `held` holds. Past client-query-buffer-limit the link stops
   * reading (the master's bytes wait in the socket) until the pause ends,
   * so a long pause cannot grow the queue without bound.
   */
  private heldBytes = 0;
  private readingStopped = false;
  /**
   * When the link to a master went down (ms), for master_link_down_since_seconds
   * and a cluster replica's data age; 0 while it is up, and while this server
   * has not been online with a master since it was one (Redis's
   * repl_down_since: a handshake that fails does not set it).
   */
  downSince: number;
  /** The snapshot being received: its temporary file, its size when known, bytes so far. */
  transfer: { file: string; fd: number; size: number | null; read: number; lastIo: number } | null = null;
  private retry: NodeJS.Timeout | null = null;
  private acker: NodeJS.Timeout | null = null;
  private closed = false;
  /** Set while a command of the stream runs: REPLCONF GETACK answers with the offset before it. */
  private applying = false;
  /**
   * Set on the first link of a FAILOVER (this server was the master): its
   * PSYNC carries FAILOVER, and `failoverDone` hears whether the target
   * accepted (it then took over as master) or not.
   */
  failover: { done: (accepted: boolean) => void } | null = null;
  /**
   * The bytes of a MULTI from the master that its EXEC has not closed yet:
   * only queued, so neither counted in the offset (ACKs) nor fed on, as
   * Redis leaves its offset still inside a transaction. A link lost or
   * closed before the EXEC drops them (the master resends from the MULTI).
   */
  private transaction: Buffer[] | null = null;
  /** The bytes `transaction` holds, bounded by client-query-buffer-limit. */
  private transactionBytes = 0;

  constructor(
    private readonly host: ReplicaSideHost,
    private readonly stream: ReplicationStream,
    readonly masterHost: string,
    readonly masterPort: number,
    /** The history this server already follows (it was a master, or synchronised before) may be continued. */
    continuable: boolean,
    /** downSince carried over from the replica side this one replaces (0: none, or never online). */
    downSince = 0,
  ) {
    this.cached = continuable;
    this.downSince = downSince;
  }

  /** What a replica side replacing this one (REPLICAOF another master) starts with as downSince: now if the link is up. */
  get downSinceForNext(): number {
    return this.connected ? Date.now() : this.downSince;
  }

  /** Whether the stream is flowing from the master. */
  get connected(): boolean {
    return this.state === 'connected';
  }

  /** Whether the next PSYNC may ask to continue this server's history (Redis has a master or a cached master). */
  get continuable(): boolean {
    return this.cached || this.connected;
  }

  /** INFO's slave_repl_offset: the (cached) master's offset, 1 with neither, as Redis prints it. */
  get replOffset(): number {
    return this.continuable ? this.stream.offset : 1;
  }

  /** INFO's slave_read_repl_offset: the bytes read while the stream flows; else replOffset (a cached master's read offset is its applied one). */
  get readReplOffset(): number {
    return this.connected ? this.readOffset : this.replOffset;
  }

  /** Seconds since the last byte from the master (master_last_io_seconds_ago), -1 without a link. */
  get lastIoSeconds(): number {
    return this.link === null || !this.connected ? -1 : Math.floor((Date.now() - this.link.lastIoMs) / 1000);
  }

  start(): void {
    if (this.closed) return;
    const config = this.host.config;
    const pass = config.str('masterauth');
    const user = config.str('masteruser');
    const announcePort = config.num('replica-announce-port');
    const tlsPort = config.num('tls-port');
    const port = config.num('port');
    let tlsOptions: tls.ConnectionOptions | null;
    try {
      tlsOptions = this.host.tlsOptions();
    } catch (e) {
      this.host.log.warning(`Unable to connect to MASTER: ${(e as Error).message}`);
      this.failed();
      return;
    }
    // As Redis: the port a replica announces is its TLS port when it replicates over TLS.
    const ownPort = tlsOptions !== null && tlsPort !== 0 ? tlsPort : port !== 0 ? port : tlsPort;
    const link = new MasterLink(
      {
        host: this.masterHost,
        port: this.masterPort,
        auth: pass === '' ? null : { pass, ...(user === '' ? {} : { user }) },
        listeningPort: announcePort !== 0 ? announcePort : ownPort,
        tls: tlsOptions,
        announceIp: config.str('replica-announce-ip') || null,
        cached: this.cached ? { replid: this.stream.replid, offset: this.stream.offset } : null,
        timeoutMs: config.num('repl-timeout') * 1000,
        failover: this.failover !== null,
        disklessLoad: this.disklessLoad(),
        localAddress: config.str('bind-source-addr') || null,
      },
      {
        // The link's 'connected' comes before a snapshot is loaded: online() says it.
        state: (s) => {
          if (s !== 'connected') this.leaveState(s);
        },
        log: (level, line) => this.host.log[level](line),
        fullSync: (replid, offset) => this.fullSync(replid, offset),
        partialSync: (id) => this.partialSync(id),
        payloadStart: (size) => this.payloadStart(size),
        payloadChunk: (chunk) => this.payloadChunk(chunk),
        payloadEnd: () => this.payloadEnd(),
        command: (argv, bytes, raw, at) => this.command(argv, bytes, raw, at),
        ahead: (argvs, from, to) => this.host.readAhead(argvs, from, to),
        failed: () => this.failed(),
      },
    );
    this.link = link;
    link.start();
  }

  private pendingFull: { replid: string; offset: number } | null = null;
  /** The load overlapped with a transfer to disk (startOverlappedLoad), while there is one. */
  private overlapped: Overlapped | null = null;
  /** The snapshot of a diskless load, and whether all of it has arrived and been parsed. */
  private load: { snapshot: StreamedSnapshot; arrived: boolean; parsed: boolean } | null = null;

  /** Redis's useDisklessLoad: swapdb always, on-empty-db with no keys. */
  private disklessLoad(): boolean {
    const mode = this.host.config.str('repl-diskless-load');
    return mode === 'swapdb' || (mode === 'on-empty-db' && this.host.empty());
  }

  private fullSync(replid: string, offset: number): void {
    this.pendingFull = { replid, offset };
    this.failoverEnded(true);
  }

  private failoverEnded(accepted: boolean): void {
    const f = this.failover;
    if (f === null) return;
    this.failover = null;
    f.done(accepted);
  }

  private partialSync(newReplid: string | null): void {
    this.failoverEnded(true);
    const stream = this.stream;
    if (newReplid !== null && newReplid !== stream.replid) {
      stream.replid2 = stream.replid;
      stream.secondOffset = stream.offset + 1;
      stream.replid = newReplid;
      this.host.disconnectReplicas();
    }
    this.online();
  }

  private payloadStart(size: number | null): void {
    if (this.disklessLoad()) {
      this.startStreamLoad(size);
      return;
    }
    const dir = this.host.config.str('dir');
    const file = path.join(dir, `temp-${Math.floor(Date.now() / 1000)}.${process.pid}.rdb`);
    let fd: number;
    try {
      fd = fs.openSync(file, 'w+', 0o644);
    } catch (e) {
      this.host.log.warning(`Opening the temp file needed for MASTER <-> REPLICA synchronization: ${(e as Error).message}`);
      this.link?.close();
      this.failed();
      return;
    }
    this.transfer = { file, fd, size, read: 0, lastIo: Date.now() };
    this.host.transferring(this.pendingFull?.replid ?? null);
    if (this.host.empty()) this.startOverlappedLoad();
  }

  /**
   * repl-diskless-load disabled, and nothing to serve meanwhile that a
   * second copy of the data would double: the snapshot is written to disk
   * as Redis writes it, and parsed aside as it arrives (read back from the
   * file when the parser falls behind, so the transfer never waits for
   * it), then put in place once all of it is in. Clients see what Redis's
   * replica shows them: the old (empty) data during the transfer; after it,
   * a rest of at most loading-process-events-interval-bytes is parsed with
   * them waiting, and a longer one answers -LOADING meanwhile. A parse that
   * fails leaves the file to the load from disk, which says what is wrong
   * in Redis's words.
   */
  private startOverlappedLoad(): void {
    const overlapped: Overlapped = {
      fed: 0,
      arrived: false,
      parsed: false,
      snapshot: this.host.streamLoad(
        {
          parsed: () => {
            overlapped.parsed = true;
            if (overlapped.arrived) this.overlappedLoaded();
          },
          failed: () => {
            if (this.overlapped !== overlapped) return;
            this.overlapped = null;
            if (overlapped.arrived) this.loadFile();
          },
          drained: () => {
            if (this.overlapped === overlapped) this.feedOverlapped();
          },
        },
        true,
      ),
    };
    this.overlapped = overlapped;
  }

  /** An overlapped load's parser ran out of bytes: the next from the file (the transfer is ahead), or the end once all arrived. */
  private feedOverlapped(): void {
    const overlapped = this.overlapped!;
    const t = this.transfer!;
    const snapshot = overlapped.snapshot;
    const n = Math.min(t.read - overlapped.fed, Math.max(FEED_BYTES, snapshot.wanted - snapshot.buffered));
    if (n > 0) {
      const b = Buffer.allocUnsafe(n);
      let got = 0;
      try {
        while (got < n) {
          const r = fs.readSync(t.fd, b, got, n - got, overlapped.fed + got);
          if (r === 0) break;
          got += r;
        }
      } catch {
        got = -1;
      }
      if (got !== n) {
        // The file cannot be read back: its load from disk, after the transfer, will say why.
        snapshot.abort();
        this.overlapped = null;
        if (overlapped.arrived) this.loadFile();
        return;
      }
      overlapped.fed += n;
      snapshot.push(b);
    }
    if (overlapped.arrived && overlapped.fed === t.read) snapshot.finish();
  }

  private payloadChunk(chunk: Buffer): void {
    const t = this.transfer;
    if (t === null) return;
    this.host.countInput(chunk.length);
    const load = this.load;
    if (load !== null) {
      load.snapshot.push(chunk);
      t.read += chunk.length;
      t.lastIo = Date.now();
      // The parser is behind: stop reading, and the master's socket fills and waits.
      if (load.snapshot.buffered > MAX_UNPARSED) this.link?.pause();
      return;
    }
    let at = 0;
    const before = t.read;
    try {
      while (at < chunk.length) at += fs.writeSync(t.fd, chunk, at);
    } catch (e) {
      this.host.log.warning(`Write error saving the DB, the replica will retry: ${(e as Error).message}`);
      this.dropTransfer();
      this.link?.close();
      this.failed();
      return;
    }
    t.read += chunk.length;
    t.lastIo = Date.now();
    const overlapped = this.overlapped;
    if (overlapped !== null && overlapped.fed === before && overlapped.snapshot.buffered < Math.max(MAX_UNPARSED, overlapped.snapshot.wanted)) {
      overlapped.snapshot.push(chunk);
      overlapped.fed = t.read;
    }
  }

  private payloadEnd(): void {
    const t = this.transfer;
    if (t === null) return;
    const load = this.load;
    if (load !== null) {
      load.arrived = true;
      load.snapshot.finish();
      // The stream waits until the snapshot is in.
      if (!load.parsed) this.link?.pause();
      else this.streamLoaded();
      return;
    }
    const log = this.host.log;
    try {
      fs.fsyncSync(t.fd);
    } catch {
      // The load reads the page cache either way; only a crash right now could lose the file.
    }
    this.attachToNewMaster();
    log.notice('MASTER <-> REPLICA sync: Flushing old data');
    log.notice('MASTER <-> REPLICA sync: Loading DB in memory');
    const overlapped = this.overlapped;
    if (overlapped === null) {
      this.loadFile();
      return;
    }
    overlapped.arrived = true;
    if (overlapped.parsed) {
      this.overlappedLoaded();
      return;
    }
    // Redis loads the file with clients waiting, and answers them (-LOADING) only every
    // loading-process-events-interval-bytes: a rest smaller than that is parsed now, and no client sees -LOADING.
    const rest = t.read - overlapped.fed + overlapped.snapshot.buffered;
    if (rest <= Math.min(FEED_BYTES, this.host.config.num('loading-process-events-interval-bytes'))) {
      this.feedOverlapped();
      if (this.overlapped === overlapped) overlapped.snapshot.drainNow();
      // Loaded (or, failing, loaded from the file instead) by now; a snapshot cut short still waits for its parser's verdict.
      if (this.overlapped !== overlapped || overlapped.parsed) return;
    }
    this.host.loadingTransferred();
    // The stream waits until the snapshot is in.
    this.link?.pause();
    // With bytes still on disk the parser is busy, and asks for them when it runs out.
    if (overlapped.fed === t.read) this.feedOverlapped();
  }

  /** The transferred snapshot loaded from its file (repl-diskless-load disabled). */
  private loadFile(): void {
    this.loadTransferred((file) => this.host.loadSnapshot(file));
  }

  /** An overlapped load is all in and parsed: the file becomes the RDB file, the snapshot the dataset. */
  private overlappedLoaded(): void {
    const overlapped = this.overlapped!;
    this.overlapped = null;
    this.loadTransferred((file) => overlapped.snapshot.apply(file));
  }

  /** The transfer to disk is over: `load` puts the snapshot in from its file, and the stream goes on. */
  private loadTransferred(load: (file: string) => Map<string, string>): void {
    const t = this.transfer!;
    const full = this.pendingFull;
    this.transfer = null;
    this.host.transferring(undefined);
    fs.closeSync(t.fd);
    let aux: Map<string, string>;
    try {
      aux = load(t.file);
    } catch (e) {
      this.host.log.warning(`Failed trying to load the MASTER synchronization DB from disk, check server logs. ${(e as Error).message}`);
      removeQuietly(t.file);
      this.host.dropSyncFile();
      this.link?.close();
      this.failed();
      return;
    }
    this.host.dropSyncFile();
    this.adoptSnapshot(full, aux);
    this.link?.resume();
  }

  /**
   * A diskless load: the snapshot is parsed as it arrives, the dataset as
   * it was served meanwhile (or -LOADING, see transferring), then replaced
   * in one step once all of it is in.
   */
  private startStreamLoad(size: number | null): void {
    const log = this.host.log;
    if (this.host.config.str('repl-diskless-load') !== 'swapdb') {
      // The old data goes now (Redis empties it before the load): a failed load cannot continue the old history.
      this.attachToNewMaster();
      log.notice('MASTER <-> REPLICA sync: Flushing old data');
    }
    log.notice('MASTER <-> REPLICA sync: Loading DB in memory');
    const load: { snapshot: StreamedSnapshot; arrived: boolean; parsed: boolean } = {
      arrived: false,
      parsed: false,
      snapshot: this.host.streamLoad({
        parsed: () => {
          load.parsed = true;
          if (load.arrived) this.streamLoaded();
        },
        failed: (e) => {
          if (this.load !== load) return;
          this.load = null;
          log.warning(`Internal error in RDB reading offset ${load.snapshot.offset} -> ${e.message}`);
          log.warning('Failed trying to load the MASTER synchronization DB from socket, check server logs.');
          if (this.host.config.str('repl-diskless-load') === 'swapdb') log.notice('MASTER <-> REPLICA sync: Discarding temporary DB in background');
          this.link?.close();
          this.failed();
        },
        drained: () => {
          if (this.load === load && !load.arrived) this.link?.resume();
        },
      }),
    };
    this.load = load;
    this.transfer = { file: '', fd: -1, size, read: 0, lastIo: Date.now() };
    this.host.transferring(this.pendingFull?.replid ?? null);
  }

  /** The diskless load's snapshot is all in and parsed: it replaces the dataset, and the stream goes on. */
  private streamLoaded(): void {
    const load = this.load!;
    const full = this.pendingFull;
    const log = this.host.log;
    this.load = null;
    this.transfer = null;
    this.host.transferring(undefined);
    // swapdb: only now, the load done, is the old data given up (on-empty-db did this when the load began).
    this.attachToNewMaster();
    let aux: Map<string, string>;
    try {
      aux = load.snapshot.apply();
    } catch (e) {
      log.warning(`Failed trying to load the MASTER synchronization DB from socket, check server logs. ${(e as Error).message}`);
      this.link?.close();
      this.failed();
      return;
    }
    this.adoptSnapshot(full, aux);
    this.link?.resume();
  }

  /**
   * Redis's replicationAttachToNewMaster, as a full sync's snapshot is about
   * to replace the data (before the load in repl-diskless-load disabled and
   * on-empty-db, after it in swapdb): the old history can no longer be
   * continued (the cached master goes: if the load fails, the next attempt is
   * PSYNC ? -1, not a +CONTINUE over emptied data), this server's own
   * replicas must resync, and its backlog goes.
   */
  private attachToNewMaster(): void {
    if (this.cached) this.host.log.notice('Discarding previously cached master state.');
    this.cached = false;
    this.host.disconnectReplicas();
    this.stream.dropBacklog();
  }

  /** After a full sync's snapshot is in: the master's history and offset become this server's. */
  private adoptSnapshot(full: { replid: string; offset: number } | null, aux: Map<string, string>): void {
    const replid = full?.replid ?? aux.get('repl-id') ?? this.stream.replid;
    const offset = full?.offset ?? Number(aux.get('repl-offset') ?? 0);
    this.stream.adopt(replid, offset);
    this.stream.ensureBacklog(this.host.config.num('repl-backlog-size'));
    this.host.masterDb = Number(aux.get('repl-stream-db') ?? 0);
    this.cached = true;
    this.readOffset = offset;
    this.pendingFull = null;
    this.host.log.notice('MASTER <-> REPLICA sync: Finished with success');
    this.online();
  }

  /** A state other than 'connected'; leaving 'connected' starts the link's down time. */
  private leaveState(s: Exclude<MasterLinkState, 'connected'>): void {
    if (this.state === 'connected') this.downSince = Date.now();
    this.state = s;
  }

  private online(): void {
    this.state = 'connected';
    this.downSince = 0;
    if (this.link !== null) {
      this.host.masterLinkUp(this.link.remote, () => {
        // CLIENT KILL on the master's client: the link goes, and is made again (a partial resync).
        this.host.log.notice('Connection with master lost.');
        this.link?.close();
        this.failed();
      });
    }
    this.readOffset = this.stream.offset;
    if (this.acker === null) {
      this.acker = setInterval(() => this.sendAck(), ACK_MS);
      this.acker.unref();
    }
    this.sendAck();
  }

  private command(argv: string[], bytes: number, raw: Buffer, at: number): void {
    this.readOffset += bytes;
    this.host.countInput(bytes);
    if (this.held.length !== 0 || this.host.holds(argv)) {
      // A copy: a view would keep the whole chunk read alive while the pause lasts.
      this.held.push({ argv, bytes, raw: Buffer.from(raw.subarray(at, at + bytes)) });
      this.heldBytes += bytes;
      if (!this.readingStopped && this.heldBytes > this.host.config.num('client-query-buffer-limit')) {
        this.readingStopped = true;
        this.link?.pause();
      }
      return;
    }
    this.applyCommand(argv, bytes, raw, at);
  }

  /**
   * A pause ended: the master's commands it held are applied in order,
   * until one must wait again.
   */
  resumeHeld(): void {
    const held = this.held;
    let i = 0;
    for (; i < held.length && this.held === held; i++) {
      const h = held[i];
      if (this.host.holds(h.argv)) break;
      this.applyCommand(h.argv, h.bytes, h.raw, 0);
    }
    // The link may have failed while they ran, and dropped the rest.
    if (this.held !== held) return;
    this.held = held.slice(i);
    for (let j = 0; j < i; j++) this.heldBytes -= held[j].bytes;
    if (this.readingStopped && this.held.length === 0) {
      this.readingStopped = false;
      this.link?.resume();
    }
  }

  /** The held commands go with the link; a link made later starts reading. */
  private dropHeld(): void {
    this.held = [];
    this.heldBytes = 0;
    this.readingStopped = false;
  }

  private applyCommand(argv: string[], bytes: number, raw: Buffer, at: number): void {
    let open: boolean;
    this.applying = true;
    try {
      open = this.host.apply(argv);
    } finally {
      this.applying = false;
    }
    // A transaction's bytes go on to the backlog and sub-replicas only whole, so that no offset falls inside it.
    if (open) {
      // A copy: a view would keep the whole chunk read alive, and the limit below counts the command's bytes only.
      (this.transaction ??= []).push(Buffer.from(raw.subarray(at, at + bytes)));
      this.transactionBytes += bytes;
      const limit = this.host.config.num('client-query-buffer-limit');
      if (this.transactionBytes > limit) {
        // Held whole until EXEC, an endless transaction would grow past any heap: it is refused as a client's queue is.
        this.host.log.warning(`A transaction from the MASTER holds more than client-query-buffer-limit (${limit} bytes). Closing the link with the master.`);
        this.link?.close();
        this.failed();
      }
      return;
    }
    const stream = this.stream;
    // Every feeder asks for the flush that takes what it fed: bytes already gathered have one asked for, so the first of a read's commands asks for all.
    const gathering = stream.pendingBytes !== 0;
    if (this.transaction !== null) {
      this.transaction.push(raw.subarray(at, at + bytes));
      stream.feedRaw(Buffer.concat(this.transaction));
      this.transaction = null;
      this.transactionBytes = 0;
    } else {
      stream.feedRawRange(raw, at, at + bytes);
    }
    if (!gathering) this.host.flushStream();
  }

  /** A setting the link reads changed (repl-timeout). */
  configChanged(): void {
    this.link?.setTimeoutMs(this.host.config.num('repl-timeout') * 1000);
  }

  /** A transaction of the master's left open: its queued commands go, unapplied and uncounted. */
  private dropTransaction(): void {
    if (this.transaction === null) return;
    this.transaction = null;
    this.transactionBytes = 0;
    this.host.apply(['DISCARD']);
  }

  /** REPLCONF GETACK from the master (or the once-a-second ACK): this replica's offset, and its AOF's. */
  sendAck(): void {
    const link = this.link;
    if (link === null || !this.connected) return;
    // Inside GETACK the offset is the one before it, as Redis updates its offset after the command.
    const offset = this.stream.offset;
    const fack = this.host.fsyncedReplOffset();
    link.sendAck(offset, fack === null ? undefined : fack);
  }

  /** Whether a command of the master's stream is being applied. */
  get inStream(): boolean {
    return this.applying;
  }

  private failed(): void {
    this.host.masterLinkDown();
    this.failoverEnded(false);
    this.dropTransfer();
    this.dropTransaction();
    this.dropHeld();
    this.link = null;
    this.leaveState('connect');
    if (this.acker !== null) clearInterval(this.acker);
    this.acker = null;
    if (this.closed || this.retry !== null) return;
    this.retry = setTimeout(() => {
      this.retry = null;
      this.start();
    }, RETRY_MS);
    this.retry.unref();
  }

  private dropTransfer(): void {
    const t = this.transfer;
    if (t === null) return;
    this.transfer = null;
    this.host.transferring(undefined);
    if (this.overlapped !== null) {
      this.overlapped.snapshot.abort();
      this.overlapped = null;
    }
    if (t.fd < 0 || this.load !== null) {
      if (this.load === null) return;
      // The link went before the whole snapshot came: Redis's lines for a load from a socket cut short.
      const log = this.host.log;
      log.warning(`Internal error in RDB reading offset ${this.load.snapshot.offset} -> Unexpected EOF reading RDB file`);
      log.warning('Failed trying to load the MASTER synchronization DB from socket, check server logs.');
      if (this.host.config.str('repl-diskless-load') === 'swapdb') log.notice('MASTER <-> REPLICA sync: Discarding temporary DB in background');
      this.load.snapshot.abort();
      this.load = null;
      return;
    }
    try {
      fs.closeSync(t.fd);
    } catch {
      // Already closed.
    }
    removeQuietly(t.file);
  }

  /** REPLICAOF NO ONE or another master: the link ends, nothing retries. */
  close(): void {
    this.closed = true;
    this.host.masterLinkDown();
    if (this.retry !== null) clearTimeout(this.retry);
    if (this.acker !== null) clearInterval(this.acker);
    this.retry = this.acker = null;
    this.link?.close();
    this.link = null;
    this.dropTransfer();
    this.dropTransaction();
    this.dropHeld();
  }
}

/** An overlapped load: bytes handed to the parser so far, whether the transfer and the parse are over. */
interface Overlapped {
  snapshot: StreamedSnapshot;
  fed: number;
  arrived: boolean;
  parsed: boolean;
}

function removeQuietly(file: string): void {
  try {
    fs.unlinkSync(file);
  } catch {
    // Gone already.
  }
}
