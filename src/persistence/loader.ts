import fs from 'node:fs';
import path from 'node:path';
import type { Command } from '../core/command.js';
import type { Ctx } from '../core/context.js';
import { CommandError } from '../core/errors.js';
import { errorText } from '../core/log.js';
import { debugDelay } from '../core/stall.js';
import type { PersistenceHost } from './host.js';
import { AofReader } from './aof-reader.js';
import { loadInSlices, loadRdb, RdbLoad } from './rdb/apply-rdb.js';
import type { ParsedRdb } from './rdb/rdb-load.js';
import type { AofFileInfo } from './manifest.js';

/** How long one loading slice runs before clients get a turn (answered -LOADING). */
const SLICE_MS = 4;
const CHECK_EVERY = 64;

/** Loading refused: the message names the file, the offset and the reason. */
export class AofLoadError extends Error {}

/** What INFO's loading_* fields report while a load runs. */
export interface LoadProgress {
  startSec: number;
  totalBytes: number;
  loadedBytes: number;
}

/** How one file's loading ended. */
type FileResult = 'ok' | 'empty' | 'truncated';

/** A file being replayed: where its commands stand between slices. */
interface Replay {
  f: AofFileInfo;
  file: string;
  last: boolean;
  reader: AofReader;
  /** Bytes of the earlier files, for the progress (the reader's offsets count from the file's start). */
  before: number;
  /** End of the last command applied, and where the open MULTI began. */
  validUpTo: number;
  multiStart: number;
}


/**
 * Replays the manifest's files (base, then incrementals) into the keyspace,
 * in slices of a few milliseconds so that the listening server answers
 * -LOADING meanwhile, as Redis does. Every command runs through the command
 * table's handler for a client without a connection, whose replies are
 * dropped, so each family's write semantics is reused; nothing propagates.
 * MULTI … EXEC blocks are applied whole, so a block cut off at the end of
 * the last file is left out (Redis's "Revert incomplete MULTI/EXEC").
 */
export class AofLoader<C extends Ctx> {
  readonly progress: LoadProgress;
  private readonly client: C;
  private queued: { cmd: Command<C>; argv: string[] }[] | null = null;
  private warnedInternal = false;
  private aborted = false;
  /** key-load-delay: microseconds each command waits (Redis's testing aid that slows loading down). */
  private readonly keyDelay: number;

  constructor(
    private readonly server: PersistenceHost<C>,
    private readonly dir: string,
    private readonly files: AofFileInfo[],
    private readonly allowTruncated: boolean,
  ) {
    let total = 0;
    for (const f of files) total += fs.statSync(path.join(dir, f.name)).size;
    this.progress = { startSec: Math.floor(Date.now() / 1000), totalBytes: total, loadedBytes: 0 };
    this.client = server.detachedClient();
    this.keyDelay = server.config.num('key-load-delay');
  }

  /** Loads every file in slices; rejects with an AofLoadError naming the file, offset and reason. */
  async run(): Promise<void> {
    const started = performance.now();
    for (let i = 0; i < this.files.length; i++) {
      const t0 = performance.now();
      this.loaded(this.files[i], t0, await this.loadFile(this.files[i], i === this.files.length - 1, false));
    }
    this.loadedAll(started);
  }

  /** Loads every file at once while the server waits (DEBUG LOADAOF); throws an AofLoadError. */
  runSync(): void {
    const started = performance.now();
    for (let i = 0; i < this.files.length; i++) {
      const t0 = performance.now();
      this.loaded(this.files[i], t0, this.loadFile(this.files[i], i === this.files.length - 1, true) as FileResult);
    }
    this.loadedAll(started);
  }

  private loaded(f: AofFileInfo, t0: number, result: FileResult): void {
    if (result === 'empty') return;
    const kind = f.type === 'b' ? 'base' : 'incr';
    this.server.log.notice(`DB loaded from ${kind} file ${f.name}: ${((performance.now() - t0) / 1000).toFixed(3)} seconds`);
  }

  private loadedAll(started: number): void {
    this.server.log.notice(`DB loaded from append only file: ${((performance.now() - started) / 1000).toFixed(3)} seconds`);
  }

  /** One file: a promise unless `sync`, which replays it in one go. The file is closed once it is read. */
  private loadFile(f: AofFileInfo, last: boolean, sync: boolean): FileResult | Promise<FileResult> {
    const file = path.join(this.dir, f.name);
    const fd = fs.openSync(file, 'r');
    let result: FileResult | Promise<FileResult>;
    try {
      const sig = Buffer.alloc(5);
      const size = fs.fstatSync(fd).size;
      const before = this.progress.loadedBytes;
      if (size === 0) {
        result = 'empty';
      } else if (fs.readSync(fd, sig, 0, 5, 0) === 5 && sig.toString('latin1') === 'REDIS') {
        const rest = (end: number): FileResult | Promise<FileResult> => {
          this.progress.loadedBytes = before + end;
          // Commands may follow the RDB part (an old single-file AOF with a preamble): they replay after it, as in Redis.
          return end < size ? this.replay(f, fd, file, last, sync, before, end) : 'ok';
        };
        const end = this.loadRdb(f, file, sync, before);
        result = typeof end === 'number' ? rest(end) : end.then(rest);
      } else {
        result = this.replay(f, fd, file, last, sync, before, 0);
      }
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
    if (result instanceof Promise) return result.finally(() => fs.closeSync(fd));
    fs.closeSync(fd);
    return result;
  }

  /**
   * A file in RDB form (aof-use-rdb-preamble yes: the base Redis and Sluice
   * write by default) is loaded as Redis loads an RDB preamble: its keys
   * put in a part at a time between event-loop turns (at once when `sync`);
   * the incremental files replay after it. Returns where the RDB part ends.
   */
  private loadRdb(f: AofFileInfo, file: string, sync: boolean, before: number): number | Promise<number> {
    const log = this.server.log;
    // An old single-file AOF is named as the AOF itself; Redis words its log line for it.
    const oldStyle = f.name === this.server.config.str('appendfilename');
    log.notice(oldStyle ? 'Reading RDB preamble from AOF file...' : 'Reading RDB base file on AOF loading...');
    const done = (parsed: ParsedRdb): number => {
      if (oldStyle) log.notice('Reading the remaining AOF tail...');
      return parsed.end;
    };
    if (sync) return done(loadRdb(this.server, file, false, Date.now()));
    const every = this.server.config.num('loading-process-events-interval-bytes');
    const load = new RdbLoad(this.server, file, false, Date.now(), every, this.keyDelay);
    const aborted = new AofLoadError('Loading of the AOF was aborted: the server is closing');
    return loadInSlices(this.server, load, SLICE_MS, (offset) => (this.progress.loadedBytes = before + offset), () => (this.aborted ? aborted : null)).then(done);
  }

  /** Replays a file of commands: in slices of a few milliseconds between event-loop turns, or at once when `sync`. */
  private replay(f: AofFileInfo, fd: number, file: string, last: boolean, sync: boolean, before: number, start: number): FileResult | Promise<FileResult> {
    this.queued = null;
    const r: Replay = { f, file, last, reader: new AofReader(fd, start), before, validUpTo: start, multiStart: start };
    if (sync) return this.replaySlice(r, Infinity)!;
    return new Promise<FileResult>((resolve, reject) => {
      const slice = (): void => {
        try {
          const result = this.replaySlice(r, performance.now() + SLICE_MS);
          if (result === null) this.server.nextSlice(slice);
          else resolve(result);
        } catch (e) {
          reject(e);
        }
      };
      slice();
    });
  }

  /** Applies commands until the file ends (its result) or `deadline` passes (null: more to do). */
  private replaySlice(r: Replay, deadline: number): FileResult | null {
    const { f, reader } = r;
    if (this.aborted) throw new AofLoadError('Loading of the AOF was aborted: the server is closing');
    this.server.startTurn();
    for (let n = 1; ; n++) {
      const step = reader.next();
      if (step.kind === 'command') {
        if (this.keyDelay !== 0) debugDelay(this.keyDelay);
        if (this.execute(f, step.argv, step.start)) r.multiStart = step.start;
        if (this.queued === null) r.validUpTo = step.end;
        if (n % CHECK_EVERY === 0) {
          this.progress.loadedBytes = r.before + reader.offset;
          if (performance.now() >= deadline) return null;
        }
        continue;
      }
      this.progress.loadedBytes = r.before + reader.offset;
      if (step.kind === 'bad') {
        throw new AofLoadError(
          `Bad file format reading the append only file ${f.name} at offset ${step.at}: ${step.reason}. ` +
            'Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>',
        );
      }
      if (step.kind === 'eof' && this.queued === null) return 'ok';
      if (step.kind === 'eof') this.server.log.warning(`Revert incomplete MULTI/EXEC transaction in AOF file ${f.name}`);
      return this.truncate(f, r.file, r.last, this.queued !== null ? r.multiStart : r.validUpTo);
    }
  }

  /** Stops at the next slice (the server is closing). */
  abort(): void {
    this.aborted = true;
  }

  /** A file that ends mid-command: cut it back to its last whole command when allowed. */
  private truncate(f: AofFileInfo, file: string, last: boolean, at: number): FileResult {
    const log = this.server.log;
    if (!this.allowTruncated) {
      throw new AofLoadError(
        `Unexpected end of file reading the append only file ${f.name} (the last complete command ends at offset ${at}). You can: ` +
          '1) Make a backup of your AOF file, then use ./redis-check-aof --fix <filename.manifest>. ' +
          "2) Alternatively you can set the 'aof-load-truncated' configuration option to yes and restart the server.",
      );
    }
    if (!last) {
      throw new AofLoadError(`Fatal error: the truncated file ${f.name} (cut at offset ${at}) is not the last file`);
    }
    log.warning(`!!! Warning: short read while loading the AOF file ${f.name}!!!`);
    log.warning(`!!! Truncating the AOF ${f.name} at offset ${at} !!!`);
    try {
      fs.truncateSync(file, at);
    } catch (e) {
      throw new AofLoadError(`Error truncating the AOF file ${f.name}: ${(e as Error).message}`);
    }
    log.warning(`AOF ${f.name} loaded anyway because aof-load-truncated is enabled`);
    this.queued = null;
    return 'truncated';
  }

  /** Applies (or queues, inside MULTI) one command; true when it opens a MULTI block. */
  private execute(f: AofFileInfo, argv: string[], at: number): boolean {
    const cmd = this.server.lookup(argv);
    if (cmd === undefined || cmd.handler === null) {
      throw new AofLoadError(`Unknown command '${argv[0].slice(0, 128)}' reading the append only file ${f.name} at offset ${at}`);
    }
    const name = cmd.fullName;
    if (this.queued === null) {
      if (name === 'multi') {
        this.queued = [];
        return true;
      }
      this.call(cmd, argv);
      return false;
    }
    if (name === 'exec') {
      const queued = this.queued;
      this.queued = null;
      for (const q of queued) this.call(q.cmd, q.argv);
    } else if (name !== 'multi') {
      this.queued.push({ cmd, argv });
    }
    return false;
  }

  /**
   * Runs one command's handler. As in Redis's loader a command that fails
   * (a wrong type, say) changes nothing; the host logs it as critical and
   * loading goes on, unless propagation-error-behavior makes the server
   * panic, which ends the load.
   */
  private call(cmd: Command<C>, argv: string[]): void {
    const c = this.client;
    const arity = cmd.arity;
    if ((arity > 0 && argv.length !== arity) || argv.length < -arity) return;
    c.propagateArgv = undefined;
    const reply = c.reply;
    const errors = reply.errors;
    try {
      cmd.handler!(c, argv);
    } catch (e) {
      if (e instanceof CommandError) reply.error(e.message);
      else if (!this.warnedInternal) {
        this.warnedInternal = true;
        this.server.log.warning({ err: e, command: cmd.fullName }, `Internal error while loading the AOF, executing '${cmd.fullName}': ${errorText(e)}`);
      }
    }
    if (reply.errors !== errors && this.server.aofCommandFailed(reply.lastError, cmd.fullName)) {
      throw new AofLoadError(`This server panicked sending an error to its AOF-loading-client after processing the command '${cmd.fullName}'`);
    }
  }
}
