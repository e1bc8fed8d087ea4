import fs from 'node:fs';
import path from 'node:path';
import type { Ctx } from '../core/context.js';
import { CommandError } from '../core/errors.js';
import { timed } from '../core/latency.js';
import { loadInSlices, loadRdb, RdbLoad } from './rdb/apply-rdb.js';
import type { ParsedRdb } from './rdb/rdb-load.js';
import type { PersistenceHost } from './host.js';
import { FileQueue } from './file-queue.js';
import type { SnapshotSink } from './snapshot-sink.js';
import { fsyncDirQuietly, removeQuietly, replaceFileAtomic, strerror, type AofIo } from './io.js';
import { AofLoadError, type LoadProgress } from './loader.js';
import { BackgroundSave } from './rdb/background-save.js';
import { accessHints, writeRdb, type RdbOptions } from './rdb/rdb-save.js';
import { RdbVersionError, rdbTarget, type RdbTarget } from './rdb/rdb-version.js';
import { nextSavePoint } from './save-schedule.js';

/** How long one part of the load at start runs before clients get a turn, as the AOF loader's. */
const LOAD_SLICE_MS = 4;

/** After a failed BGSAVE, automatic ones wait this long (Redis's CONFIG_BGSAVE_RETRY_DELAY, seconds). */
const RETRY_DELAY_SEC = 5;

/** Why BGSAVE or SAVE cannot start: its reply is this error. */
export const BGSAVE_IN_PROGRESS = 'ERR Background save already in progress';

/**
 * The RDB file (`dir`/`dbfilename`): SAVE writes it at once, BGSAVE and the
 * save points in the background (see BackgroundSave), start-up loads it.
 */
export class RdbFiles<C extends Ctx> {
  /** Saves attempted, SAVE and BGSAVE (INFO rdb_saves). */
  saves = 0;
  /** Whether the last save, SAVE or BGSAVE, succeeded (rdb_last_bgsave_status). */
  lastSaveOk = true;
  /** The background save in progress. */
  background: BackgroundSave | null = null;
  /** BGSAVE SCHEDULE (or inside a transaction) while something else ran: it starts once it can. */
  scheduled = false;
  /** The change counter when the last save began: INFO's rdb_changes_since_last_save counts from it. */
  private dirtyAtSave = 0;

  /** Writes to the keyspace since the last save (INFO's rdb_changes_since_last_save). */
  get changesSinceSave(): number {
    return this.host.keyspace.dirty - this.dirtyAtSave;
  }
  private dirtyAtBackground = 0;
  /** Unix seconds of the last BGSAVE attempt, for the retry delay after a failure. */
  private lastTry = 0;
  private lastDurationSec = -1;
  private lastKeptBytes = 0;
  private temp = '';
  /** The temporary file while the walk writes it (null once it is closed, or handed to the final fsync). */
  private queue: FileQueue | null = null;
  lastLoadLoaded = 0;
  lastLoadExpired = 0;
  /** The load at start in progress, for INFO's loading fields. */
  loading: { load: RdbLoad<C>; progress: LoadProgress } | null = null;

  constructor(
    private readonly host: PersistenceHost<C>,
    /** True while another background job (the AOF rewrite) runs: a BGSAVE waits for it, as Redis has one child at a time. */
    private readonly otherJobRunning: () => boolean,
    /** The file operations BGSAVE's writes go through (a failing disk in tests). */
    private readonly io: () => AofIo,
  ) {}

  get file(): string {
    return path.join(this.host.config.str('dir'), this.host.config.str('dbfilename'));
  }

  /**
   * How files are written now: the configuration's settings and the
   * function libraries as they are; for a reader of RDB `rdbVersion` only
   * when given (RdbOptions.rdbVersion), else as Sluice's own files.
   */
  options(rdbVersion?: RdbTarget): RdbOptions {
    const host = this.host;
    const config = host.config;
    return {
      libraryCodes: host.scripting.functions.codes(),
      redisVersion: host.redisVersion,
      compress: config.bool('rdbcompression'),
      checksum: config.bool('rdbchecksum'),
      listFill: config.num('list-max-listpack-size'),
      usedMemory: process.memoryUsage().heapUsed,
      hints: accessHints(host.keyspace),
      keySaveDelayMicros: config.num('rdb-key-save-delay'),
      replInfo: host.replicationInfo?.() ?? null,
      ...(rdbVersion === undefined ? {} : { rdbVersion }),
    };
  }

  /**
   * A snapshot for replicas, written into `sink` rather than a file
   * (diskless replication): the same walk as BGSAVE's, and like it the one
   * background save at a time. `done` hears the end (null: every byte is
   * handed over). Null when another save or rewrite runs.
   */
  startSnapshot(sink: SnapshotSink, extra: Partial<RdbOptions>, done: (error: Error | null) => void): BackgroundSave | null {
    if (this.background !== null || this.otherJobRunning()) return null;
    const save: BackgroundSave = new BackgroundSave(this.host.keyspace, sink, { ...this.options(), ...extra }, (slice) => this.host.nextSlice(slice), (error) => {
      if (this.background !== save) return;
      this.background = null;
      this.lastDurationSec = Math.floor((Date.now() - save.startedAt) / 1000);
      this.lastKeptBytes = save.keptBytes;
      done(error);
      this.notifyEnd(error === null);
    });
    this.background = save;
    save.start();
    return save;
  }

  /** Stops a snapshot startSnapshot began (its replicas are gone). */
  abandonSnapshot(save: BackgroundSave): void {
    if (this.background !== save) return;
    save.abandon();
    this.background = null;
    this.notifyEnd(false);
  }

  /** Called once each time a background save (BGSAVE, a replicas' snapshot) ends, with whether it succeeded. */
  readonly backgroundEnded: ((ok: boolean) => void)[] = [];

  private notifyEnd(ok: boolean): void {
    for (const f of this.backgroundEnded.slice()) f(ok);
  }

  /**
   * A replica's full synchronisation: the dataset and the function
   * libraries are replaced by the snapshot in `file`. Throws AofLoadError.
   */
  loadReplicated(file: string): ParsedRdb {
    const started = Date.now();
    this.abandonBackground();
    this.host.keyspace.flushAll();
    this.host.scripting.functions.flush();
    const parsed = loadRdb(this.host, file, false, started, true);
    this.loadedFromMaster(parsed, true);
    return parsed;
  }

  /**
   * A snapshot from the master is in place (loadReplicated's, or one parsed
   * as it arrived): the last line and the INFO figures of a load; `onDisk`
   * when it is the RDB file's contents too.
   */
  loadedFromMaster(parsed: ParsedRdb, onDisk: boolean): void {
    if (onDisk) this.dirtyAtSave = this.host.keyspace.dirty;
    this.lastLoadLoaded = parsed.loaded;
    this.lastLoadExpired = parsed.expired;
    this.host.log.notice(doneLoading(parsed));
  }

  /**
   * How a snapshot for a replica is written: options() for the version
   * repl-rdb-version names (10 for a Redis 7.0 replica, 11 for 7.2), so
   * that a key the replica could not load throws RdbVersionError instead.
   */
  replicaOptions(): RdbOptions {
    return this.options(rdbTarget(this.host.config.num('repl-rdb-version')));
  }

  /**
   * The whole keyspace written to `file` at once, through a temporary file
   * beside it, fsynced and renamed over it (SAVE's writing, without its
   * bookkeeping). Throws what stopped it (RdbVersionError when `opts` has
   * an rdbVersion that cannot hold a key), leaving `file` as it was.
   */
  writeSnapshot(file: string, opts: RdbOptions = this.options(), nowMs = Date.now()): void {
    const temp = path.join(path.dirname(file), `temp-${process.pid}.rdb`);
    replaceFileAtomic(file, temp, (fd) => writeRdb(fd, { keyspace: this.host.keyspace, ...opts }, nowMs));
  }

  /** BGSAVE [SCHEDULE]'s reply text, or throws its error. */
  bgsave(schedule: boolean, inTransaction: boolean): string {
    if (this.background !== null) throw new CommandError(BGSAVE_IN_PROGRESS);
    if (this.otherJobRunning() || inTransaction) {
      if (!schedule && !inTransaction) {
        throw new CommandError(
          "ERR Another child process is active (AOF?): can't BGSAVE right now. Use BGSAVE SCHEDULE in order to schedule a BGSAVE whenever possible.",
        );
      }
      this.scheduled = true;
      return 'Background saving scheduled';
    }
    if (!this.startBackground()) throw new CommandError('ERR');
    return 'Background saving started';
  }

  /**
   * rdbSaveBackground: opens the temporary file and starts the walk. When
   * the file cannot be opened the save has started and failed at once, as a
   * forked child's would (logged, rdb_last_bgsave_status:err); false only
   * when another save or rewrite runs.
   */
  startBackground(extra: Partial<RdbOptions> = {}): boolean {
    if (this.background !== null || this.otherJobRunning()) return false;
    const host = this.host;
    this.saves++;
    this.dirtyAtBackground = host.keyspace.dirty;
    this.lastTry = Math.floor(Date.now() / 1000);
    const temp = path.join(host.config.str('dir'), `temp-${process.pid}.rdb`);
    let fd: number;
    try {
      fd = fs.openSync(temp, 'w', 0o644);
    } catch (e) {
      // Redis's child fails to create the file after the fork succeeded: BGSAVE has started, and failed.
      host.log.notice(`Background saving started by pid ${process.pid}`);
      host.log.warning(`Failed opening the temp RDB file ${path.basename(temp)} (in server root dir ${host.config.str('dir')}) for saving: ${(e as Error).message}`);
      host.log.warning('Background saving error');
      this.lastSaveOk = false;
      return true;
    }
    this.temp = temp;
    const file = this.file;
    const queue = new FileQueue(this.io(), fd, (error) => {
      save.abandon();
      this.closeQueue();
      this.backgroundFailed(save, strerror(error));
    });
    this.queue = queue;
    const save = new BackgroundSave(host.keyspace, queue, { ...this.options(), ...extra }, (slice) => host.nextSlice(slice), (error) => {
      if (error !== null) {
        this.closeQueue();
        if (error instanceof RdbVersionError) this.versionRefused(save, error);
        else this.backgroundFailed(save, error.message);
        return;
      }
      // Every byte is written: nothing is in flight, and the final fsync's chain closes the descriptor.
      this.queue = null;
      this.finishBackground(save, fd, temp, file);
    });
    this.background = save;
    this.scheduled = false;
    host.log.notice(`Background saving started by pid ${process.pid}`);
    save.start();
    return true;
  }

  /** The walk is written: fsync, rename over the dump and fsync the directory, off the event loop. */
  private finishBackground(save: BackgroundSave, fd: number, temp: string, file: string): void {
    fs.fdatasync(fd, (syncError) => {
      fs.close(fd, () => {
        if (this.background !== save) return;
        if (syncError !== null) {
          this.backgroundFailed(save, syncError.message);
          return;
        }
        fs.rename(temp, file, (renameError) => {
          if (this.background !== save) return;
          if (renameError !== null) {
            this.backgroundFailed(save, renameError.message);
            return;
          }
          fsyncDirQuietly(path.dirname(file));
          this.host.log.notice('DB saved on disk');
          this.host.log.notice('Background saving terminated with success');
          this.endBackground(save, true);
          this.dirtyAtSave = this.dirtyAtBackground;
          this.host.lastSave = Math.floor(Date.now() / 1000);
        });
      });
    });
  }

  private closeQueue(): void {
    this.queue?.close();
    this.queue = null;
  }

  /**
   * A snapshot for replicas that their RDB version cannot hold (a key the
   * version lacks a type for): that sync is abandoned, logged, and the
   * server's own saving is not held against it (no MISCONF: the disk is fine).
   */
  private versionRefused(save: BackgroundSave, error: RdbVersionError): void {
    if (this.background !== save) return;
    this.host.log.warning(`Can't write an RDB for the replicas (repl-rdb-version ${error.version}): ${error.message}`);
    removeQuietly(this.temp);
    this.background = null;
    this.notifyEnd(false);
  }

  private backgroundFailed(save: BackgroundSave, reason: string): void {
    if (this.background !== save) return;
    this.host.log.warning(`Write error saving DB on disk: ${reason}`);
    this.host.log.warning('Background saving error');
    removeQuietly(this.temp);
    this.endBackground(save, false);
  }

  private endBackground(save: BackgroundSave, ok: boolean): void {
    this.background = null;
    this.lastSaveOk = ok;
    this.lastDurationSec = Math.floor((Date.now() - save.startedAt) / 1000);
    this.lastKeptBytes = save.keptBytes;
    this.notifyEnd(ok);
  }

  /**
   * killRDBChild: a BGSAVE in progress stops and its temporary file goes
   * (SHUTDOWN, FLUSHALL, DEBUG RELOAD); the status is not an error, as a
   * child killed with SIGUSR1 is not in Redis.
   */
  abandonBackground(): void {
    const save = this.background;
    if (save === null) return;
    save.abandon();
    this.background = null;
    this.notifyEnd(false);
    // Stopped mid-walk, the queue closes the descriptor once no write is in flight; after the walk, the final fsync's chain does.
    this.closeQueue();
    timed(this.host.latency, 'rdb-unlink-temp-file', () => removeQuietly(this.temp));
    this.lastDurationSec = Math.floor((Date.now() - save.startedAt) / 1000);
  }

  /** rdbRemoveTempFile: the temporary file a save of this process writes goes now (a second SIGINT exits before any save could end). */
  removeTempFile(): void {
    removeQuietly(path.join(this.host.config.str('dir'), `temp-${process.pid}.rdb`));
  }

  /** FLUSHALL: a BGSAVE in progress stops, and with save points set the empty dataset is saved at once. */
  afterFlushAll(): void {
    this.abandonBackground();
    if (this.host.config.str('save') !== '') this.save();
  }

  /**
   * serverCron's part: a scheduled BGSAVE, else the first save point
   * reached (enough changes since the last save and enough seconds), unless
   * the last attempt failed less than five seconds ago.
   */
  cron(): void {
    // Nothing is saved while the data is loading (Redis runs no serverCron then).
    if (this.background !== null || this.otherJobRunning() || this.host.loading) return;
    const now = Math.floor(Date.now() / 1000);
    const mayRetry = this.lastSaveOk || now - this.lastTry > RETRY_DELAY_SEC;
    if (!mayRetry) return;
    if (this.scheduled) {
      this.startBackground();
      return;
    }
    const point = nextSavePoint(this.host.config.str('save'), this.host.keyspace.dirty - this.dirtyAtSave, now - this.host.lastSave);
    if (point === null) return;
    this.host.log.notice(`${point.changes} changes in ${point.seconds} seconds. Saving...`);
    this.startBackground();
  }

  /** True when writes are refused for a failed save (stop-writes-on-bgsave-error with save points set). */
  get refusesWrites(): boolean {
    const config = this.host.config;
    return !this.lastSaveOk && config.bool('stop-writes-on-bgsave-error') && config.str('save') !== '';
  }

  /**
   * rdbSave: the keyspace into a temporary file, fsynced, renamed over the
   * dump, the directory fsynced. False (logged) when it failed; the old dump
   * is then untouched.
   */
  save(): boolean {
    const host = this.host;
    const now = Date.now();
    const dirty = host.keyspace.dirty;
    try {
      this.writeSnapshot(this.file, this.options(), now);
    } catch (e) {
      // As Redis's rdbSave, a failed synchronous save leaves rdb_last_bgsave_status as it was.
      host.log.warning(`Write error saving DB on disk: ${(e as Error).message}`);
      return false;
    }
    host.log.notice('DB saved on disk');
    this.dirtyAtSave = dirty;
    this.lastSaveOk = true;
    host.lastSave = Math.floor(now / 1000);
    return true;
  }

  /**
   * rdbLoad at start-up, a part at a time with the event loop turning in
   * between, as Redis processes events while it loads: clients connect,
   * are answered -LOADING but for the commands allowed while loading
   * (INFO, DEBUG…), and go. Resolves to false when there is no file; a bad
   * file (its name, the offset and the reason are in the AofLoadError)
   * loads nothing: what went in before the fault was found is taken out
   * again. Keys whose deadline has passed are left out, and empty
   * collections, as Redis leaves them out.
   */
  loadAtStart(): Promise<boolean> {
    if (!fs.existsSync(this.file)) return Promise.resolve(false);
    const host = this.host;
    const config = host.config;
    const started = Date.now();
    const load = new RdbLoad(host, this.file, false, started, config.num('loading-process-events-interval-bytes'), config.num('key-load-delay'));
    const progress: LoadProgress = { startSec: Math.floor(started / 1000), totalBytes: load.size, loadedBytes: 0 };
    this.loading = { load, progress };
    host.loading = true;
    const closed = new AofLoadError('The server closed while the RDB file was loading');
    return loadInSlices(host, load, LOAD_SLICE_MS, (offset) => (progress.loadedBytes = offset), () => (this.loading?.load === load ? null : closed)).then(
      (parsed) => {
        this.endLoading();
        this.loaded(parsed, started);
        host.replicationRestored?.(parsed.aux, load.expiredKeys);
        return true;
      },
      (e: unknown) => {
        if (this.loading?.load === load) this.endLoading();
        throw e;
      },
    );
  }

  private endLoading(): void {
    this.loading = null;
    this.host.loading = false;
  }

  /** The server is closing: a load at start stops, what it put in taken out again. */
  abortLoad(): void {
    if (this.loading === null) return;
    this.loading.load.abort();
    this.endLoading();
  }

  /**
   * DEBUG RELOAD [MERGE] [NOFLUSH] [NOSAVE]: save (unless NOSAVE), empty
   * the dataset and the function libraries (unless NOFLUSH), load the file
   * back; with MERGE, keys and libraries in the file replace those of the
   * same name. Where Redis stops the server on a key that is both in the
   * dataset and the file (NOFLUSH without MERGE), Sluice refuses the load
   * before changing anything. The error is the reply, or null.
   */
  reload(opts: { save: boolean; flush: boolean; merge: boolean }): string | null {
    if (opts.save && !this.save()) return 'ERR';
    if (opts.flush) {
      this.host.keyspace.flushAll();
      this.host.scripting.functions.flush();
    }
    try {
      this.loadFile({ merge: opts.merge });
    } catch (e) {
      if (!(e instanceof AofLoadError)) throw e;
      this.host.log.warning(e.message);
      return 'ERR Error trying to load the RDB dump, check server logs.';
    }
    this.host.log.notice('DB reloaded by DEBUG RELOAD');
    return null;
  }

  /**
   * rdbLoad (see loadRdb): the file's keys go into the keyspace. Keys
   * whose deadline has passed are left out, and empty
   * collections, as Redis leaves them out. A key already in the keyspace is
   * refused (nothing is loaded) unless `merge`. Throws AofLoadError naming
   * the file, the offset and the reason.
   */
  private loadFile(opts: { merge: boolean }): void {
    const started = Date.now();
    this.loaded(loadRdb(this.host, this.file, opts.merge, started), started);
  }

  private loaded(parsed: ParsedRdb, started: number): void {
    const host = this.host;
    const log = host.log;
    this.dirtyAtSave = host.keyspace.dirty;
    this.lastLoadLoaded = parsed.loaded;
    this.lastLoadExpired = parsed.expired;
    host.lastSave = Math.floor(Date.now() / 1000);
    log.notice(doneLoading(parsed));
    log.notice(`DB loaded from disk: ${((Date.now() - started) / 1000).toFixed(3)} seconds`);
  }

  /**
   * INFO persistence's rdb_* fields, in Redis's order; the copy-on-write
   * size is what writes made the last BGSAVE keep. `rewrite` is an AOF
   * rewrite's progress, which Redis reports in the same fields as a save's.
   */
  infoLines(rewrite: { processed: number; total: number } | null = null): string[] {
    const bg = this.background;
    // A BGSAVE's progress, as Redis reports its child's; the bytes it wrote early stand for copy-on-write.
    const kept = bg === null ? 0 : bg.keptBytes;
    const processed = bg !== null ? bg.keys : rewrite?.processed ?? 0;
    const total = bg !== null ? bg.total : rewrite?.total ?? 0;
    return [
      `current_cow_peak:${kept}`,
      `current_cow_size:${kept}`,
      'current_cow_size_age:0',
      `current_fork_perc:${(total === 0 ? 0 : (processed * 100) / total).toFixed(2)}`,
      `current_save_keys_processed:${processed}`,
      `current_save_keys_total:${total}`,
      `rdb_changes_since_last_save:${this.changesSinceSave}`,
      `rdb_bgsave_in_progress:${bg === null ? 0 : 1}`,
      `rdb_last_save_time:${this.host.lastSave}`,
      `rdb_last_bgsave_status:${this.lastSaveOk ? 'ok' : 'err'}`,
      `rdb_last_bgsave_time_sec:${this.lastDurationSec}`,
      `rdb_current_bgsave_time_sec:${bg === null ? -1 : Math.floor((Date.now() - bg.startedAt) / 1000)}`,
      `rdb_saves:${this.saves}`,
      `rdb_last_cow_size:${this.lastKeptBytes}`,
      `rdb_last_load_keys_expired:${this.lastLoadExpired}`,
      `rdb_last_load_keys_loaded:${this.lastLoadLoaded}`,
    ];
  }
}

/** rdbLoad's last line. */
function doneLoading(parsed: ParsedRdb): string {
  const counts = `keys loaded: ${parsed.loaded}, keys expired: ${parsed.expired}`;
  return parsed.empty.length === 0 ? `Done loading RDB, ${counts}.` : `Done loading RDB, ${counts}, empty keys skipped: ${parsed.empty.length}.`;
}
