import fs from 'node:fs';
import path from 'node:path';
import type { Ctx } from '../core/context.js';
import { aofEffects, type Effect } from '../core/propagation.js';
import { CommandError } from '../core/errors.js';
import { timed } from '../core/latency.js';
import { AofWriter, type FsyncPolicy } from './aof-writer.js';
import { HeldReplies, type HeldReply } from './fsync.js';
import type { PersistenceHost } from './host.js';
import { nodeIo, strerror, type AofIo } from './io.js';
import { AofLoader, AofLoadError } from './loader.js';
import { AofManifest, ManifestError, manifestName, readManifest, tempIncrName, writeManifest, type AofFileInfo } from './manifest.js';
import { ManifestCommit } from './manifest-commit.js';
import { RdbFiles } from './rdb-files.js';
import { writeRdb } from './rdb/rdb-save.js';
import { AofRewrite, type RewriteEvents } from './rewrite.js';

/** off; on; or on but waiting for the first rewrite to write a base (CONFIG SET appendonly yes). */
export type AofState = 'off' | 'on' | 'wait-rewrite';

/** How often the persistence cron runs: retries, background fsyncs, automatic rewrites (Redis's hz 10). */
const TICK_MS = 100;
/** The refusal of writes after a failed save, under stop-writes-on-bgsave-error (Redis's shared.bgsaveerr). */
const RDB_MISCONF =
  "MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist to disk. Commands that may modify the data set are disabled, because this instance is configured to report errors during writes if RDB snapshotting fails (stop-writes-on-bgsave-error option). Please check the Redis logs for details about the RDB error.";
/** After this many failed rewrites in a row, automatic ones back off (Redis's AOF_REWRITE_LIMITE_THRESHOLD). */
const REWRITE_LIMIT_THRESHOLD = 3;
const REWRITE_LIMIT_MAX_MINUTES = 60;

/**
 * AOF persistence in Redis 7's multi-part layout, fed by the propagation
 * stream. It owns the state Redis keeps in `server.aof_*`: the manifest, the
 * writer of the open incremental file, the rewrite in progress, loading at
 * start, and the statistics INFO shows.
 */
export class Persistence<C extends Ctx> {
  private fileIo: AofIo = nodeIo;
  state: AofState = 'off';
  manifest: AofManifest | null = null;
  writer: AofWriter | null = null;
  /** The AOF was flushed and fsynced by a shutdown's finalSave (which may still have refused the shutdown). */
  private syncedForShutdown = false;
  /** The replies appendfsync always holds while the writer's file cannot be written or fsynced. */
  private held: HeldReplies<C> | null = null;
  rewrite: AofRewrite | null = null;
  rewriteScheduled = false;
  /**
   * The write stream's offset (Redis 7.2's master_repl_offset without a
   * replication backlog): one step per batch of effects propagated while
   * the AOF is on. A client's last write is WAITAOF's mark.
   */
  offset = 0;
  /** Called whenever the durable offset may have moved or appendonly changed (WAITAOF's waits). */
  onDurable: () => void = () => {};
  /** Rewrites started (INFO aof_rewrites). */
  rewrites = 0;
  consecutiveFailures = 0;
  lastRewriteSec = -1;
  lastRewriteOk = true;
  /** AOF size after the last rewrite, the base of the growth that triggers the next (aof_rewrite_base_size). */
  baseSize = 0;
  loader: AofLoader<C> | null = null;
  /** The RDB file: SAVE and loading at start. */
  readonly rdb: RdbFiles<C>;
  /** Settles when the data is loaded (or there was nothing to load); rejects with an AofLoadError. */
  ready: Promise<void> = Promise.resolve();
  private started = false;
  private closed = false;
  private unsubscribe: (() => void) | null = null;
  private tick: NodeJS.Timeout | null = null;
  /** The manifest write whose fsyncs are in the thread pool (see ManifestCommit): one at a time. */
  private manifestJob: { job: ManifestCommit; rewrite: AofRewrite | null; renamed: string[] } | null = null;
  /** What waits for it to end: a switch or a history cleanup. */
  private afterManifest: (() => void)[] = [];
  private limitDelayMinutes = 0;
  private limitUntil = 0;
  /** DEBUG AOF-FLUSH-SLEEP: how long each AOF write waits before it starts, in microseconds (a testing aid). */
  flushSleepMicros = 0;

  /**
   * @param writeHeld writes replies that appendfsync always held until the
   * disk had what they acknowledge
   */
  constructor(
    private readonly server: PersistenceHost<C>,
    private readonly writeHeld: (replies: HeldReply<C>[]) => void,
  ) {
    this.rdb = new RdbFiles(server, () => this.rewrite !== null, () => this.io);
  }

  /** The file operations that can fail; tests put a failing disk here. */
  get io(): AofIo {
    return this.fileIo;
  }

  set io(io: AofIo) {
    this.fileIo = io;
    if (this.writer !== null) this.writer.io = io;
  }

  private get config() {
    return this.server.config;
  }

  get dir(): string {
    return this.config.str('dir');
  }

  get aofDir(): string {
    return path.join(this.dir, this.config.str('appenddirname'));
  }

  get prefix(): string {
    return this.config.str('appendfilename');
  }

  private get nowSec(): number {
    return Math.floor(Date.now() / 1000);
  }

  /** Called once the server listens: loads the AOF when appendonly is on, then starts appending. */
  start(): void {
    this.started = true;
    // Save points and BGSAVE SCHEDULE are the cron's whatever the AOF does.
    this.startTick();
    this.ready = this.startup();
    // Whoever started the server awaits `ready`; an unobserved failure must not also crash the process.
    this.ready.catch(() => {});
  }

  /**
   * Loads the data: the AOF when appendonly is on, else the RDB file, as
   * Redis does. One difference: with appendonly on (sluice-server's default)
   * and no AOF at all, an RDB file there is loaded and the AOF's first base
   * is written from it by a rewrite, so that a Redis dump.rdb is not passed
   * over (Redis would start empty).
   */
  private async startup(): Promise<void> {
    this.applyPolicy();
    if (!this.config.bool('appendonly')) {
      await this.rdb.loadAtStart();
      return;
    }
    this.state = 'on';
    try {
      const manifest = this.openManifest();
      if (manifest.empty && (await this.rdb.loadAtStart())) {
        this.manifest = manifest;
        this.turnOn();
        return;
      }
      if (!manifest.empty) await this.load(manifest);
      if (this.closed) throw new AofLoadError('The server closed while the AOF was loading');
      this.openOnStart(manifest);
    } catch (e) {
      this.state = 'off';
      throw e;
    }
    this.subscribe();
    this.startTick();
  }

  /**
   * DEBUG LOADAOF: what the AOF buffer holds written out (and fsynced as
   * the policy says), the dataset and the function libraries emptied, and
   * the files the manifest on disk names loaded back while the server
   * waits, as Redis's. The error is the reply, or null. Refused while a
   * rewrite runs: its new writes are in a file the manifest does not name
   * yet (Redis's are in one it already names).
   */
  loadAofNow(): string | null {
    if (this.rewrite !== null) return 'ERR DEBUG LOADAOF is not possible while an AOF rewrite is in progress';
    const server = this.server;
    const ks = server.keyspace;
    this.writer?.flush(true, this.nowSec);
    ks.flushAll();
    server.scripting.functions.flush();
    const dirty = ks.dirty;
    // Commands replay as at start: loading (XADD's replayed LIMIT is obeyed, as Redis's AOF client's), nothing expired.
    server.loading = true;
    ks.readOnlyExpiry = true;
    ks.loadingNoExpiry = true;
    try {
      const manifest = this.openManifest();
      // As Redis's, the manifest read is the server's from now on (a sequence goes on from the disk's), its history deleted.
      if (this.manifestJob === null) {
        this.manifest = manifest;
        this.deleteHistory(true);
      }
      if (manifest.empty) throw new AofLoadError(`The AOF manifest in ${this.aofDir} names no files`);
      new AofLoader(server, this.aofDir, manifest.files, this.config.bool('aof-load-truncated')).runSync();
    } catch (e) {
      if (!(e instanceof AofLoadError)) throw e;
      server.log.warning(e.message);
      return 'ERR Error trying to load the AOF files, check server logs.';
    } finally {
      server.loading = false;
      ks.readOnlyExpiry = false;
      ks.loadingNoExpiry = false;
      ks.dirty = dirty;
    }
    server.log.notice('Append Only File loaded by DEBUG LOADAOF');
    return null;
  }

  /**
   * The manifest on disk (none: an empty one), upgraded from an old
   * single-file AOF (`dir`/appendfilename) where Redis's
   * loadAppendOnlyFiles upgrades: there is no AOF directory, or no
   * manifest in it, or a manifest that names nothing, or names only that
   * file as its base while the directory lacks it (an upgrade cut short
   * before the file was moved).
   */
  private openManifest(): AofManifest {
    let manifest: AofManifest | null;
    try {
      manifest = readManifest(this.aofDir, this.prefix);
    } catch (e) {
      if (e instanceof ManifestError) {
        throw new AofLoadError(`Fatal AOF manifest file error in ${path.join(this.aofDir, manifestName(this.prefix))}: ${e.message}`);
      }
      throw e;
    }
    const m = manifest ?? new AofManifest();
    const old = path.join(this.dir, this.prefix);
    const interrupted = m.base !== null && m.incrs.length === 0 && m.base.name === this.prefix && !fs.existsSync(path.join(this.aofDir, this.prefix));
    if (fs.existsSync(old) && (m.empty || interrupted)) {
      m.base = { name: this.prefix, seq: 1, type: 'b' };
      m.baseSeq = 1;
      fs.mkdirSync(this.aofDir, { recursive: true });
      writeManifest(this.aofDir, this.prefix, m);
      fs.renameSync(old, path.join(this.aofDir, this.prefix));
      this.server.log.notice(`Successfully migrated an old-style AOF file (${this.prefix}) into the AOF directory (${this.aofDir}).`);
    }
    return m;
  }

  private async load(manifest: AofManifest): Promise<void> {
    // A file the manifest names that is not there refuses the start, in the words of Redis's getAppendOnlyFileSize.
    for (const f of manifest.files) {
      try {
        fs.statSync(path.join(this.aofDir, f.name));
      } catch (e) {
        throw new AofLoadError(`Unable to obtain the AOF file ${f.name} length. stat: ${strerror(e)}`);
      }
    }
    const server = this.server;
    const ks = server.keyspace;
    const dirty = ks.dirty;
    server.loading = true;
    ks.readOnlyExpiry = true;
    ks.loadingNoExpiry = true;
    this.loader = new AofLoader(server, this.aofDir, manifest.files, this.config.bool('aof-load-truncated'));
    try {
      await this.loader.run();
    } finally {
      server.loading = false;
      ks.readOnlyExpiry = false;
      ks.loadingNoExpiry = false;
      ks.dirty = dirty;
      this.loader = null;
    }
    this.baseSize = manifest.base === null ? 0 : fs.statSync(path.join(this.aofDir, manifest.base.name)).size;
  }

  /**
   * Redis's aofOpenIfNeededOnServerStart: an empty base when there is no
   * AOF yet, the last incremental file opened for appending (or a new
   * one), and the manifest written.
   */
  private openOnStart(manifest: AofManifest): void {
    const log = this.server.log;
    fs.mkdirSync(this.aofDir, { recursive: true });
    if (manifest.empty) {
      // The base of the (empty) data, in the form a rewrite would write it: an RDB file holds at least its header.
      const rdbForm = this.config.bool('aof-use-rdb-preamble');
      const base = manifest.newBase(this.prefix, rdbForm);
      const fd = fs.openSync(path.join(this.aofDir, base.name), 'w', 0o644);
      try {
        if (rdbForm) writeRdb(fd, { keyspace: this.server.keyspace, ...this.rdb.options(), aofBase: true }, Date.now());
        fs.fdatasyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
      log.notice(`Creating AOF base file ${base.name} on server start`);
    }
    this.removeStaleTemps();
    const existing = manifest.incrs.length > 0;
    const incr = existing ? manifest.incrs[manifest.incrs.length - 1] : manifest.newIncr(this.prefix);
    const fd = fs.openSync(path.join(this.aofDir, incr.name), 'a', 0o644);
    writeManifest(this.aofDir, this.prefix, manifest);
    log.notice(`${existing ? 'Opening' : 'Creating'} AOF incr file ${incr.name} on server start`);
    let total = 0;
    for (const f of manifest.files) total += fs.statSync(path.join(this.aofDir, f.name)).size;
    const incrSize = fs.fstatSync(fd).size;
    this.manifest = manifest;
    this.setWriter(this.newWriter(fd, incr.name, total - incrSize, incrSize));
    if (manifest.history.length > 0) this.deleteHistory();
  }

  /** Temporary files of rewrites a crash interrupted. */
  private removeStaleTemps(): void {
    const stale = (dir: string, test: (name: string) => boolean) => {
      for (const name of fs.readdirSync(dir)) if (test(name)) fs.rm(path.join(dir, name), { force: true }, () => {});
    };
    stale(this.dir, (n) => n.startsWith('temp-rewriteaof-bg-') && n.endsWith('.aof'));
    stale(this.aofDir, (n) => n.startsWith(`temp-${this.prefix}.`) && n.endsWith('.incr'));
  }

  /**
   * How far the write stream is on disk (Redis's fsynced_reploff): -1 with
   * the AOF off, 0 while it waits for its first rewrite, then the offset the
   * last fsync covered.
   */
  get fsyncedOffset(): number {
    if (this.state === 'off') return -1;
    if (this.state === 'wait-rewrite' || this.writer === null) return this.rewrite === null ? -1 : 0;
    return this.writer.syncedOffset;
  }

  private newWriter(fd: number, name: string, otherSize: number, incrSize: number, synced = this.offset): AofWriter {
    const log = this.server.log;
    const w = new AofWriter(fd, name, otherSize, incrSize, this.policy, this.io, {
      warning: (m) => log.warning(m),
      notice: (m) => log.notice(m),
    }, this.nowSec, synced);
    w.fedOffset = w.writtenOffset = this.offset;
    w.onSynced = () => this.onDurable();
    w.timestamps = this.config.bool('aof-timestamp-enabled');
    w.latency = this.server.latency;
    w.inBackground = () => this.rewrite !== null || this.rdb.background !== null;
    w.flushSleep = () => this.flushSleepMicros;
    return w;
  }

  private setWriter(w: AofWriter | null): void {
    this.held?.releaseAll();
    this.writer = w;
    this.held = w === null ? null : new HeldReplies<C>(w, this.writeHeld);
  }

  private get policy(): FsyncPolicy {
    return this.config.str('appendfsync') as FsyncPolicy;
  }

  private applyPolicy(): void {
    const w = this.writer;
    if (w === null) return;
    w.policy = this.policy;
    w.timestamps = this.config.bool('aof-timestamp-enabled');
  }

  /**
   * After any CONFIG SET: the fsync policy and, once started, appendonly
   * switched at run time as Redis does (on: a rewrite writes the base from
   * the current data; off: flush, fsync, close). Throws to refuse the change.
   */
  configChanged(): void {
    this.applyPolicy();
    this.rdb.background?.setKeyDelay(this.config.num('rdb-key-save-delay'));
    if (!this.started || this.closed) return;
    // aof-disable-auto-gc no again: the history kept meanwhile goes now, as Redis's updateAofAutoGCEnabled.
    this.deleteHistory(true);
    const want = this.config.bool('appendonly');
    if (want === (this.state !== 'off')) return;
    if (this.server.loading) throw new Error('loading flag is set');
    if (want) this.turnOn();
    else this.turnOff();
  }

  private turnOn(): void {
    const log = this.server.log;
    this.state = 'wait-rewrite';
    if (this.rewrite !== null) {
      log.warning('AOF was enabled but there is already an AOF rewriting in background. Stopping background AOF and starting a rewrite now.');
      this.abandonRewrite();
    }
    try {
      this.manifest ??= this.openManifest();
    } catch (e) {
      log.warning(`Can't read the AOF manifest: ${(e as Error).message}`);
    }
    if (this.manifest !== null && this.rdb.background !== null) {
      this.rewriteScheduled = true;
      log.notice('AOF was enabled but there is already another background operation. An AOF background was scheduled to start when possible.');
      this.startTick();
      return;
    }
    if (this.manifest === null || !this.startRewrite()) {
      this.state = 'off';
      log.warning("Redis needs to enable the AOF but can't trigger a background AOF rewrite operation. Check the above logs for more info about the error.");
      throw new Error('Unable to turn on AOF. Check server logs.');
    }
    this.startTick();
  }

  private turnOff(): void {
    this.writer?.close(this.nowSec);
    this.setWriter(null);
    this.state = 'off';
    this.rewriteScheduled = false;
    if (this.rewrite !== null) this.abandonRewrite();
    this.maybeUnsubscribe();
    this.onDurable();
  }

  private subscribe(): void {
    if (this.unsubscribe === null) this.unsubscribe = this.server.propagation.subscribe(this.onEffects);
  }

  /** Nobody needs the effects any more: commands stop building them. */
  private maybeUnsubscribe(): void {
    if (this.writer !== null || this.rewrite !== null || this.unsubscribe === null) return;
    this.unsubscribe();
    this.unsubscribe = null;
  }

  private readonly onEffects = (all: readonly Effect[]): void => {
    const batch = aofEffects(all);
    if (batch.length === 0) return;
    const w = this.writer;
    // As Redis, whose propagation skips the AOF (and so the offset) while it is off, a BGREWRITEAOF's effects included.
    if (this.state !== 'off') this.offset++;
    if (w !== null) w.feed(batch, Math.floor(this.server.keyspace.now / 1000), this.offset);
    this.rewrite?.onEffects(batch);
  };

  /**
   * Whether the end-of-turn step is about to fdatasync (appendfsync always,
   * effects fed this turn, nothing held, the disk working).
   */
  get fsyncDue(): boolean {
    const w = this.writer;
    return w !== null && w.policy === 'always' && w.fedThisTurn && w.error === null && !this.held!.pending;
  }

  /**
   * The server's end-of-turn step, before any reply of the turn is written
   * (Redis's beforeSleep): the turn's effects go to the file. Under
   * `always` they are fdatasynced there and then, the event loop waiting
   * as Redis's does; only when that fails, or replies are still held from
   * an earlier failure, are the replies taken aside until an fsync covers
   * them (see HeldReplies) and false is returned: the AOF writes them.
   */
  beforeReplies(takeReplies: () => HeldReply<C>[]): boolean {
    const w = this.writer;
    const rw = this.rewrite;
    if (w === null && rw === null) return true;
    rw?.flushFuture();
    if (w === null) return true;
    const nowSec = this.nowSec;
    const fed = w.fedThisTurn;
    w.fedThisTurn = false;
    const held = this.held!;
    if (w.policy !== 'always') {
      w.flush(false, nowSec);
      if (held.pending) held.kick();
      return true;
    }
    if (!held.pending && (w.durable || (w.error === null && w.flush(true, nowSec)))) return true;
    held.add(takeReplies(), fed);
    return false;
  }

  /** The MISCONF error that refuses writes (and PING, as Redis) while the AOF cannot be written; null when it can. */
  get writeRefusal(): string | null {
    if (this.rdb.refusesWrites) return RDB_MISCONF;
    const error = this.writer?.error ?? null;
    return error === null ? null : `MISCONF Errors writing to the AOF file: ${strerror(error)}`;
  }

  private startTick(): void {
    if (this.tick !== null) return;
    this.tick = setInterval(this.cron, TICK_MS);
    this.tick.unref();
  }

  /** Periodic work: retry failed writes, background fsyncs, writes held for an fsync, automatic rewrites. */
  private readonly cron = (): void => {
    const nowSec = this.nowSec;
    this.rewrite?.flushFuture();
    const w = this.writer;
    if (w !== null) {
      if (w.policy !== 'always') w.flush(false, nowSec);
      // Under always, or replies still held from before a switch to another policy.
      if (w.policy === 'always' || this.held!.pending) this.held!.kick();
    }
    this.onDurable();
    if (this.rewrite !== null) return;
    this.rdb.cron();
    if (this.rdb.background !== null) return;
    if (this.rewriteScheduled && !this.rewriteLimited()) {
      this.startRewrite();
      return;
    }
    if (this.state !== 'on' || w === null) return;
    const perc = this.config.num('auto-aof-rewrite-percentage');
    const minSize = this.config.num('auto-aof-rewrite-min-size');
    if (perc === 0 || w.currentSize <= minSize) return;
    const growth = Math.floor((w.currentSize * 100) / (this.baseSize || 1)) - 100;
    if (growth >= perc && !this.rewriteLimited()) {
      this.server.log.notice(`Starting automatic rewriting of AOF on ${growth}% growth`);
      this.startRewrite();
    }
  };

  /** Redis's aofRewriteLimited: after repeated failures, wait 1, 2, 4… up to 60 minutes between automatic rewrites. */
  private rewriteLimited(): boolean {
    if (this.consecutiveFailures < REWRITE_LIMIT_THRESHOLD) {
      this.limitDelayMinutes = 0;
      this.limitUntil = 0;
      return false;
    }
    const now = this.nowSec;
    if (this.limitUntil !== 0) {
      if (now < this.limitUntil) return true;
      this.limitUntil = 0;
      return false;
    }
    this.limitDelayMinutes = Math.min(REWRITE_LIMIT_MAX_MINUTES, this.limitDelayMinutes === 0 ? 1 : this.limitDelayMinutes * 2);
    this.limitUntil = now + this.limitDelayMinutes * 60;
    this.server.log.warning(
      `Background AOF rewrite has repeatedly failed and triggered the limit, will retry in ${this.limitDelayMinutes} minutes`,
    );
    return true;
  }

  /** BGREWRITEAOF's reply text, or throws its error. Inside a transaction it is scheduled, as in Redis. */
  bgrewrite(c: Ctx): string {
    if (this.rewrite !== null) throw new CommandError('ERR Background append only file rewriting already in progress');
    if (c.denyBlocking || this.rdb.background !== null) {
      this.rewriteScheduled = true;
      this.consecutiveFailures = 0;
      this.startTick();
      return 'Background append only file rewriting scheduled';
    }
    if (!this.startRewrite()) {
      throw new CommandError("ERR Can't execute an AOF background rewriting. Please check the server logs for more information.");
    }
    return 'Background append only file rewriting started';
  }

  /**
   * A replica's full synchronisation replaced the dataset behind the AOF's
   * back: a rewrite makes the AOF hold the new one (Redis's
   * restartAOFAfterSYNC), at once or as soon as it can start.
   */
  rewriteAfterSync(): void {
    if (this.state === 'off') return;
    if (this.rewrite !== null) this.abandonRewrite();
    if (this.startRewrite()) return;
    this.rewriteScheduled = true;
    this.startTick();
  }

  /** Starts a rewrite: a new base built from the keyspace in slices. False (logged) when it cannot start. */
  startRewrite(): boolean {
    if (this.rewrite !== null || this.rdb.background !== null) return false;
    const log = this.server.log;
    let baseTemp = '';
    let futureTemp = '';
    const opened: number[] = [];
    try {
      this.manifest ??= this.openManifest();
      fs.mkdirSync(this.aofDir, { recursive: true });
      this.writer?.flush(true, this.nowSec);
      // Names of their own: an abandoned rewrite's files are removed in the background.
      const id = `${process.pid}-${this.rewrites + 1}`;
      baseTemp = path.join(this.dir, `temp-rewriteaof-bg-${id}.aof`);
      futureTemp = path.join(this.aofDir, tempIncrName(`${this.prefix}.${id}`));
      opened.push(fs.openSync(baseTemp, 'w', 0o644));
      opened.push(fs.openSync(futureTemp, 'w', 0o644));
    } catch (e) {
      for (const fd of opened) fs.closeSync(fd);
      log.warning(`Can't rewrite append only file in background: ${(e as Error).message}`);
      this.lastRewriteOk = false;
      return false;
    }
    const events: RewriteEvents = {
      ready: (rw) => this.completeRewrite(rw),
      failed: (rw, reason) => this.rewriteFailed(rw, reason),
      restart: () => {
        log.verbose('Restarting the AOF rewrite: a transaction flushed or swapped databases during it');
        this.abandonRewrite(false, false);
        this.startRewrite();
      },
    };
    const host = {
      keyspace: this.server.keyspace,
      lookup: (argv: string[]) => this.server.lookup(argv),
      libraryCodes: () => this.server.scripting.functions.codes(),
      nextSlice: (slice: () => void) => this.server.nextSlice(slice),
    };
    const rdbBase = this.config.bool('aof-use-rdb-preamble') ? this.rdb.options() : null;
    const rw = new AofRewrite(host, this.io, opened[0], baseTemp, opened[1], futureTemp, events, rdbBase, this.offset);
    this.rewrite = rw;
    this.rewriteScheduled = false;
    this.rewrites++;
    this.subscribe();
    this.startTick();
    log.notice('Background append only file rewriting started');
    rw.timestamped = this.config.bool('aof-timestamp-enabled');
    rw.start();
    return true;
  }

  /**
   * `exiting`: the temporary files go before the process does, not in the
   * background. `told`: logged as Redis's killAppendOnlyChild logs it (the
   * rewrite is this process's own work, so the pid is the server's, as in
   * "Background saving started by pid").
   */
  private abandonRewrite(exiting = false, told = true): void {
    const rw = this.rewrite;
    if (rw !== null) {
      if (told) this.server.log.notice(`Killing running AOF rewrite child: ${process.pid}`);
      this.cancelSwitch(rw);
    }
    rw?.discard(exiting);
    this.rewrite = null;
    this.maybeUnsubscribe();
  }

  private rewriteFailed(rw: AofRewrite, reason: string): void {
    this.cancelSwitch(rw);
    rw.discard();
    if (this.rewrite === rw) this.rewrite = null;
    this.lastRewriteOk = false;
    this.consecutiveFailures++;
    this.lastRewriteSec = Math.floor((Date.now() - rw.startedAt) / 1000);
    this.server.log.warning(`Background AOF rewrite terminated with error: ${reason}`);
    // AOF being turned on waits for a base: try again.
    if (this.state === 'wait-rewrite') this.rewriteScheduled = true;
    this.maybeUnsubscribe();
  }

  /**
   * The base is complete and on disk: fsync what the new incremental file
   * got since, move both into the AOF directory under their new names,
   * switch the manifest atomically, and go on appending to the new file.
   * The old files become history and are deleted after the switch.
   *
   * Unless appendfsync is always, the fsyncs run in the thread pool (see
   * ManifestCommit) while writes go on into both the old files and the new
   * incremental one, and the switch happens once they are done. Under
   * always every write's reply waits for its own fsync, and the one that
   * makes the switch durable is waited for here like those.
   */
  private completeRewrite(rw: AofRewrite): void {
    if (this.manifestJob !== null) {
      this.afterManifest.push(() => {
        if (this.rewrite === rw && rw.phase === 'ready') this.completeRewrite(rw);
      });
      return;
    }
    const renamed: string[] = [];
    const next = (this.manifest ?? new AofManifest()).clone();
    const inBackground = this.policy !== 'always';
    // With the AOF off the new base is all the manifest lists, as in Redis: no incremental file follows it.
    const aofOn = this.state !== 'off';
    try {
      if (!timed(this.server.latency, 'aof-rewrite-diff-write', () => rw.flushFuture())) return;
      if (!aofOn && !rw.rdbForm) appendFutureToBase(rw);
      if (!inBackground && aofOn) this.io.fsync(rw.futureFd);
      const syncedIncrSize = rw.futureBytes;
      const base = next.newBase(this.prefix, rw.rdbForm);
      const basePath = path.join(this.aofDir, base.name);
      timed(this.server.latency, 'aof-rename', () => fs.renameSync(rw.baseTemp, basePath));
      renamed.push(basePath);
      let incr: AofFileInfo | null = null;
      if (aofOn) {
        incr = next.newIncr(this.prefix);
        const incrPath = path.join(this.aofDir, incr.name);
        timed(this.server.latency, 'aof-rename', () => fs.renameSync(rw.futureTemp, incrPath));
        renamed.push(incrPath);
      }
      next.retireIncrsExcept(incr);
      // The files replaced leave the manifest with the switch (unless aof-disable-auto-gc), so none is listed once the rewrite is over, as in Redis.
      const gone = this.config.bool('aof-disable-auto-gc') ? [] : next.history.splice(0);
      const incrName = incr?.name ?? '';
      if (!inBackground) {
        writeManifest(this.aofDir, this.prefix, next);
        this.switchFiles(rw, next, incrName, syncedIncrSize, gone);
        return;
      }
      // What came meanwhile goes to the new file before the switch; a failure to write it fails the rewrite.
      const flushed = () => !aofOn || rw.flushFuture();
      const job = new ManifestCommit(this.aofDir, this.prefix, next, aofOn ? [rw.futureFd] : [], (fd, done) => this.io.fsyncAsync(fd, done), flushed, (err) => {
        this.manifestJob = null;
        if (err !== null) this.switchFailed(rw, renamed, err);
        else this.switchFiles(rw, next, incrName, syncedIncrSize, gone);
        this.nextManifestWrite();
      });
      job.start();
      this.manifestJob = { job, rewrite: rw, renamed };
    } catch (e) {
      this.switchFailed(rw, renamed, e);
    }
  }

  private switchFailed(rw: AofRewrite, renamed: string[], e: unknown): void {
    for (const f of renamed) fs.rm(f, { force: true }, () => {});
    this.rewriteFailed(rw, `switching to the new AOF files failed: ${strerror(e)}`);
  }

  /**
   * A switch waiting for its fsyncs is called off (the rewrite failed or
   * was abandoned): the old manifest stays, and the new files it would
   * have named are removed.
   */
  private cancelSwitch(rw: AofRewrite): void {
    const pending = this.manifestJob;
    if (pending === null || pending.rewrite !== rw) return;
    pending.job.cancel();
    for (const f of pending.renamed) fs.rm(f, { force: true }, () => {});
    this.manifestJob = null;
    this.nextManifestWrite();
  }

  /** The manifest is in place: appends go to the new incremental file from here on. */
  private switchFiles(rw: AofRewrite, next: AofManifest, incrName: string, syncedIncrSize: number, gone: AofFileInfo[]): void {
    const log = this.server.log;
    const nowSec = this.nowSec;
    this.manifest = next;
    if (this.state === 'on' && this.writer !== null) {
      this.writer.switchTo(rw.futureFd, incrName, rw.baseBytes, rw.futureBytes, syncedIncrSize, rw.futureDb, nowSec);
      // Everything written so far is in the new file.
      this.held!.switched();
    } else if (this.state === 'wait-rewrite') {
      // The base holds every write from before the rewrite began, and is on disk; the new file is, up to syncedIncrSize.
      const synced = syncedIncrSize === rw.futureBytes ? this.offset : rw.startOffset;
      this.setWriter(this.newWriter(rw.futureFd, incrName, rw.baseBytes, rw.futureBytes, synced));
      this.writer!.selectedDb = rw.futureDb;
      this.state = 'on';
      this.onDurable();
    } else {
      fs.closeSync(rw.futureFd);
      fs.rm(rw.futureTemp, { force: true }, () => {});
    }
    rw.release();
    this.rewrite = null;
    this.baseSize = rw.baseBytes + rw.futureBytes;
    this.lastRewriteOk = true;
    this.consecutiveFailures = 0;
    this.lastRewriteSec = Math.floor((Date.now() - rw.startedAt) / 1000);
    log.notice(`Background AOF rewrite terminated with success (${rw.keys} keys in the new base)`);
    this.removeHistoryFiles(gone);
    log.notice('Background AOF rewrite finished successfully');
    this.maybeUnsubscribe();
    setImmediate(() => this.deleteHistory());
  }

  /** Files no manifest names any more go, in the background (Redis's bg_unlink). */
  private removeHistoryFiles(gone: AofFileInfo[]): void {
    for (const f of gone) {
      this.server.log.notice(`Removing the history file ${f.name} in the background`);
      fs.rm(path.join(this.aofDir, f.name), { force: true }, () => {});
    }
  }

  /** The manifest write in the background is over or called off: the next one waiting starts, in a later turn. */
  private nextManifestWrite(): void {
    const waiting = this.afterManifest;
    this.afterManifest = [];
    if (waiting.length > 0) setImmediate(() => waiting.forEach((f) => f()));
  }

  /**
   * Removes the files the last switch made history: the manifest drops
   * them first, then they go. After a rewrite the manifest is written as
   * ManifestCommit writes it, its fsyncs in the thread pool; `now` (a
   * command asked: CONFIG SET aof-disable-auto-gc, DEBUG LOADAOF) writes it
   * before returning, as Redis does. With aof-disable-auto-gc they stay,
   * listed as history.
   */
  private deleteHistory(now = false): void {
    const m = this.manifest;
    if (m === null || m.history.length === 0 || this.closed || this.config.bool('aof-disable-auto-gc')) return;
    if (this.manifestJob !== null) {
      this.afterManifest.push(() => this.deleteHistory());
      return;
    }
    const gone = m.history;
    m.history = [];
    const failed = (e: unknown) => {
      m.history = gone;
      this.server.log.warning(`Can't update the AOF manifest after a rewrite: ${strerror(e)}`);
    };
    const remove = () => this.removeHistoryFiles(gone);
    if (now) {
      try {
        writeManifest(this.aofDir, this.prefix, m);
      } catch (e) {
        failed(e);
        return;
      }
      remove();
      return;
    }
    const job = new ManifestCommit(this.aofDir, this.prefix, m, [], (fd, done) => this.io.fsyncAsync(fd, done), () => true, (err) => {
      this.manifestJob = null;
      if (err !== null) failed(err);
      else remove();
      this.nextManifestWrite();
    });
    try {
      job.start();
    } catch (e) {
      failed(e);
      return;
    }
    this.manifestJob = { job, rewrite: null, renamed: [] };
  }

  /**
   * prepareForShutdown's part before the files close: a BGSAVE in progress
   * is stopped, then the final snapshot is saved when there are save points
   * (unless NOSAVE) or SAVE asks for it. False when that save failed and
   * FORCE was not given: the server must then go on running.
   */
  finalSave(mode: { save: boolean; nosave: boolean; force: boolean }): boolean {
    const log = this.server.log;
    if (this.rdb.background !== null) {
      log.warning('There is a child saving an .rdb. Killing it!');
      this.rdb.abandonBackground();
    }
    if (this.rewrite !== null) {
      // The first base of an AOF just turned on is the only copy of the data it will hold.
      if (this.state === 'wait-rewrite') {
        if (!mode.force) return this.refuseShutdown("Writing initial AOF, can't exit.");
        log.warning('Writing initial AOF. Exit anyway.');
      }
      log.warning('There is a child rewriting the AOF. Killing it!');
      this.abandonRewrite(true);
    }
    if (this.writer !== null) {
      log.notice('Calling fsync() on the AOF file.');
      this.writer.sync(this.nowSec);
      this.syncedForShutdown = true;
    }
    if (!((this.config.str('save') !== '' && !mode.nosave) || mode.save)) return true;
    log.notice('Saving the final RDB snapshot before exiting.');
    if (this.rdb.save()) return true;
    if (mode.force) {
      log.warning('Error trying to save the DB. Exit anyway.');
      return true;
    }
    return this.refuseShutdown("Error trying to save the DB, can't exit.");
  }

  private refuseShutdown(why: string): false {
    this.syncedForShutdown = false;
    this.server.log.warning(why);
    this.server.log.warning('Errors trying to shut down the server. Check the logs for more information.');
    return false;
  }

  /** Shutdown: whatever is buffered is written and fsynced, files are closed. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.tick !== null) clearInterval(this.tick);
    if (this.rewrite !== null) this.abandonRewrite(true, false);
    // A history cleanup still waiting: the history stays listed, and the next start removes it.
    this.manifestJob?.job.cancel();
    this.manifestJob = null;
    this.afterManifest = [];
    this.rdb.abandonBackground();
    this.rdb.abortLoad();
    this.loader?.abort();
    if (this.writer !== null) {
      // Said once: a shutdown has said it before its final save, as Redis does.
      if (!this.syncedForShutdown) this.server.log.notice('Calling fsync() on the AOF file.');
      this.writer.close(this.nowSec);
      this.setWriter(null);
    }
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /** Whether the AOF's last write succeeded (INFO's aof_last_write_status). */
  get lastWriteOk(): boolean {
    return this.writer === null || this.writer.error === null;
  }

  /** INFO persistence's AOF and loading fields, in Redis's order. */
  infoLines(): string[] {
    const rw = this.rewrite;
    const w = this.writer;
    const lines = [
      `aof_enabled:${this.state === 'off' ? 0 : 1}`,
      `aof_rewrite_in_progress:${rw === null ? 0 : 1}`,
      `aof_rewrite_scheduled:${this.rewriteScheduled ? 1 : 0}`,
      `aof_last_rewrite_time_sec:${this.lastRewriteSec}`,
      `aof_current_rewrite_time_sec:${rw === null ? -1 : Math.floor((Date.now() - rw.startedAt) / 1000)}`,
      `aof_last_bgrewrite_status:${this.lastRewriteOk ? 'ok' : 'err'}`,
      `aof_rewrites:${this.rewrites}`,
      `aof_rewrites_consecutive_failures:${this.consecutiveFailures}`,
      `aof_last_write_status:${this.lastWriteOk ? 'ok' : 'err'}`,
      // No child copies pages: a rewrite writes from the event loop, and there are no modules.
      'aof_last_cow_size:0',
      'module_fork_in_progress:0',
      'module_fork_last_cow_size:0',
    ];
    if (this.state !== 'off') {
      lines.push(
        `aof_current_size:${w?.currentSize ?? 0}`,
        `aof_base_size:${this.baseSize}`,
        `aof_pending_rewrite:${this.rewriteScheduled ? 1 : 0}`,
        `aof_buffer_length:${w?.buffer.length ?? 0}`,
        `aof_pending_bio_fsync:${w?.fsyncsInFlight ?? 0}`,
        `aof_delayed_fsync:${w?.delayedFsyncs ?? 0}`,
      );
    }
    const p = this.loader?.progress ?? this.rdb.loading?.progress;
    if (this.server.loading && p !== undefined) {
      const elapsed = this.nowSec - p.startSec;
      const remaining = p.totalBytes - p.loadedBytes;
      const eta = elapsed === 0 ? 1 : Math.floor((elapsed * remaining) / (p.loadedBytes + 1));
      lines.push(
        `loading_start_time:${p.startSec}`,
        `loading_total_bytes:${p.totalBytes}`,
        'loading_rdb_used_mem:0',
        `loading_loaded_bytes:${p.loadedBytes}`,
        `loading_loaded_perc:${((p.loadedBytes / (p.totalBytes + 1)) * 100).toFixed(2)}`,
        `loading_eta_seconds:${eta}`,
      );
    }
    return lines;
  }
}

/**
 * An AOF-form base is the walk's keys plus the corrections the new
 * incremental file holds: with the AOF off that file is not kept, so what
 * it holds goes at the end of the base (fsynced), which then stands alone
 * as the data at this moment.
 */
function appendFutureToBase(rw: AofRewrite): void {
  const from = fs.openSync(rw.futureTemp, 'r');
  const to = fs.openSync(rw.baseTemp, 'a');
  try {
    const chunk = Buffer.allocUnsafe(1024 * 1024);
    for (let at = 0; at < rw.futureBytes; ) {
      const n = fs.readSync(from, chunk, 0, Math.min(chunk.length, rw.futureBytes - at), at);
      if (n === 0) throw new Error(`${rw.futureTemp} ended at ${at} of ${rw.futureBytes} bytes`);
      fs.writeSync(to, chunk, 0, n);
      at += n;
    }
    fs.fdatasyncSync(to);
  } finally {
    fs.closeSync(from);
    fs.closeSync(to);
  }
}

export { AofLoadError };
