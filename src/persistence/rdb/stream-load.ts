import { performance } from 'node:perf_hooks';
import type { Ctx } from '../../core/context.js';
import { CommandError } from '../../core/errors.js';
import { RdbError } from '../../codecs/rdb/rdb-error.js';
import { LibrarySet } from '../../scripting/library-set.js';
import type { PersistenceHost } from '../host.js';
import { AofLoadError } from '../loader.js';
import { Keyspace } from '../../keyspace/keyspace.js';
import { AddedKeys, auxLogger, delayed, logFile, restoreHints } from './apply-rdb.js';
import { loadLimits } from './decode-value.js';
import { KEEP_EXPIRED, MORE, rdbSteps, type AccessRecords, type ParsedRdb, type RdbSink } from './rdb-load.js';
import { StreamRdbReader } from './stream-reader.js';

/** How long one slice of parsing runs before clients get a turn. */
const SLICE_MS = 4;

/**
 * A snapshot parsed as its bytes arrive (a replica's diskless load, or its
 * disk load overlapped with the transfer): keys go into a keyspace of
 * their own, aside, as a file's go into an empty one (no lookups, indexed
 * at the end), and function libraries are gathered, while the server goes
 * on serving the data it has; `apply` then puts them in place of the
 * dataset in one step, whatever their number, or a failure drops them and
 * leaves the old data as it was. A record cut off by the end of what has
 * arrived is read again once more is in; the next try waits until twice as
 * many bytes are in hand, so that a big value is not parsed over and over.
 */
export class StreamLoad<C extends Ctx> {
  private readonly reader = new StreamRdbReader();
  private readonly steps: Generator<void | typeof MORE, ParsedRdb>;
  /** Where the keys are loaded: the server's keyspace is not touched until `apply`. */
  private readonly staged: Keyspace;
  private readonly keys: AddedKeys;
  /** The LRU/LFU records of keys, (database, key, records) …: the staged keyspace keeps no clocks, the server's takes them in `apply`. */
  private readonly hinted: (number | string | AccessRecords)[] = [];
  private readonly libraries = new LibrarySet();
  private readonly started = Date.now();
  /** AUX fields read while `holdLog`: logged by `logHeld`, where a load from a file logs them. */
  private readonly heldAux: [string, string][] = [];
  /** Logs an AUX field as Redis's loader does. */
  private readonly logAux: (name: string, value: string) => void;
  /** Bytes in hand before the parser is tried again after it ran short. */
  private waitFor = 0;
  private finished = false;
  private scheduled = false;
  private over = false;
  parsed: ParsedRdb | null = null;

  constructor(
    private readonly host: PersistenceHost<C>,
    private readonly events: {
      /** The whole snapshot is parsed; `apply` puts it in. */
      parsed(rdb: ParsedRdb): void;
      failed(error: AofLoadError): void;
      /** Parsing caught up with what arrived (the owner may read more). */
      drained(): void;
    },
    keyDelayMicros = 0,
    /** Whether the loader's lines wait for `apply` (the load overlaps a transfer Redis would load after). */
    holdLog = false,
  ) {
    const ks = host.keyspace;
    this.staged = new Keyspace(ks.dbs.length);
    if (ks.clusterMode) this.staged.enableSlotIndex();
    const keys = new AddedKeys(this.staged, 'RDB from the master');
    this.keys = keys;
    const functions = host.scripting.functions;
    const library = (code: string): void => {
      try {
        functions.create(code, false, 0, this.libraries);
      } catch (e) {
        if (e instanceof CommandError) throw new AofLoadError(`Bad RDB from the master: failed loading a function library: ${e.message}`);
        throw e;
      }
    };
    const put = keys.key;
    const hinted = this.hinted;
    const stage: RdbSink['key'] = (db, name, value, deadline, hints, offset) => {
      put(db, name, value, deadline, null, offset);
      if (hints !== null) hinted.push(db, name, hints);
    };
    const key = keyDelayMicros === 0 ? stage : delayed(stage, keyDelayMicros);
    // key-load-delay waits in `key`: every key goes that way then.
    const stringBytes = keyDelayMicros === 0 ? keys.stringBytes : undefined;
    const logAux = auxLogger(host, this.started);
    const aux = holdLog ? (name: string, value: string): void => void this.heldAux.push([name, value]) : logAux;
    this.logAux = logAux;
    this.steps = rdbSteps(this.reader, { limits: loadLimits(host), databases: ks.dbs.length, now: KEEP_EXPIRED }, { library, key, stringBytes, sizeHint: keys.sizeHint, aux }, 64 * 1024);
  }

  /** How far the snapshot has been parsed. */
  get offset(): number {
    return this.reader.pos;
  }

  /** Bytes the parser waits to have in hand before it tries again. */
  get wanted(): number {
    return this.waitFor;
  }

  /** Bytes that arrived and are not parsed yet. */
  get buffered(): number {
    return this.reader.buffered;
  }

  push(chunk: Buffer): void {
    if (this.over) return;
    this.reader.push(chunk);
    if (this.reader.buffered >= this.waitFor) this.schedule();
  }

  /** Every byte of the snapshot has arrived. */
  finish(): void {
    if (this.over) return;
    this.finished = true;
    this.reader.finish();
    this.schedule();
  }

  /** Stops: what was gathered is dropped. */
  abort(): void {
    this.over = true;
  }

  /** Logs the loader's lines held back (holdLog). */
  logHeld(): void {
    for (const [name, value] of this.heldAux) this.logAux(name, value);
    this.heldAux.length = 0;
  }

  /** Replaces the dataset and the function libraries with the snapshot's. Throws AofLoadError on a library clash (the keys are in by then). */
  apply(): void {
    const host = this.host;
    const ks = host.keyspace;
    const dirty = ks.dirty;
    ks.flushAll();
    host.scripting.functions.flush();
    ks.adopt(this.staged);
    const hinted = this.hinted;
    for (let i = 0; i < hinted.length; i += 3) restoreHints(ks, hinted[i] as number, hinted[i + 1] as string, hinted[i + 2] as AccessRecords);
    const clash = host.scripting.functions.libraries.join(this.libraries, false);
    ks.dirty = dirty;
    if (clash !== null) throw new AofLoadError(`Bad RDB from the master: ${clash}`);
    logFile(host, this.parsed!);
  }

  private schedule(): void {
    if (this.scheduled || this.over) return;
    this.scheduled = true;
    this.host.nextSlice(this.slice);
  }

  /**
   * Parses what is in hand to the end now, without giving clients a turn:
   * the events fire before this returns (parsed, failed, or drained when
   * more bytes are needed).
   */
  drainNow(): void {
    this.run(Infinity);
  }

  private readonly slice = (): void => {
    this.scheduled = false;
    this.run(performance.now() + SLICE_MS);
  };

  private run(deadline: number): void {
    if (this.over) return;
    try {
      for (;;) {
        const step = this.steps.next();
        if (step.done === true) {
          this.over = true;
          this.keys.complete();
          this.parsed = step.value;
          this.events.parsed(step.value);
          return;
        }
        if (step.value === MORE) {
          this.waitFor = this.finished ? 0 : this.reader.buffered * 2;
          this.events.drained();
          return;
        }
        if (performance.now() >= deadline) break;
      }
    } catch (e) {
      this.over = true;
      if (e instanceof RdbError) this.events.failed(new AofLoadError(`${e.reason} at offset ${e.offset}`));
      else if (e instanceof AofLoadError) this.events.failed(e);
      else this.events.failed(new AofLoadError(String(e)));
      return;
    }
    this.schedule();
  }
}
