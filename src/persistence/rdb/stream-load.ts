import { performance } from 'node:perf_hooks';
import type { Ctx } from '../../core/context.js';
import { CommandError } from '../../core/errors.js';
import { RdbError } from '../../codecs/rdb/rdb-error.js';
import { LibrarySet } from '../../scripting/library-set.js';
import type { PersistenceHost } from '../host.js';
import { AofLoadError } from '../loader.js';
import { auxLogger, delayed, logFile, MergedKeys } from './apply-rdb.js';
import { loadLimits } from './decode-value.js';
import { MORE, rdbSteps, type ParsedRdb } from './rdb-load.js';
import { StreamRdbReader } from './stream-reader.js';

/** How long one slice of parsing runs before clients get a turn. */
const SLICE_MS = 4;

/**
 * A snapshot parsed as its bytes arrive (a replica's diskless load,
 * repl-diskless-load swapdb or on-empty-db): keys and function libraries
 * are gathered aside while the server goes on serving the data it has;
 * `apply` then replaces the dataset with them in one step, or a failure
 * drops them and leaves the old data as it was (Redis's swapdb keeps a
 * backup to the same end). A record cut off by the end of what has arrived
 * is read again once more is in; the next try waits until twice as many
 * bytes are in hand, so that a big value is not parsed over and over.
 */
export class StreamLoad<C extends Ctx> {
  private readonly reader = new StreamRdbReader();
  private readonly steps: Generator<void | typeof MORE, ParsedRdb>;
  private readonly keys: MergedKeys;
  private readonly libraries = new LibrarySet();
  private readonly started = Date.now();
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
  ) {
    const ks = host.keyspace;
    this.keys = new MergedKeys(ks);
    const functions = host.scripting.functions;
    const library = (code: string): void => {
      try {
        functions.create(code, false, 0, this.libraries);
      } catch (e) {
        if (e instanceof CommandError) throw new AofLoadError(`Bad RDB from the master: failed loading a function library: ${e.message}`);
        throw e;
      }
    };
    const key = keyDelayMicros === 0 ? this.keys.key : delayed(this.keys.key, keyDelayMicros);
    this.steps = rdbSteps(this.reader, { limits: loadLimits(host), databases: ks.dbs.length, now: this.started }, { library, key, aux: auxLogger(host, this.started) }, 64 * 1024);
  }

  /** How far the snapshot has been parsed. */
  get offset(): number {
    return this.reader.pos;
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

  /** Replaces the dataset and the function libraries with the snapshot's. Throws AofLoadError on a library clash (nothing changed then). */
  apply(): void {
    const host = this.host;
    const ks = host.keyspace;
    const dirty = ks.dirty;
    ks.flushAll();
    host.scripting.functions.flush();
    this.keys.complete();
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

  private readonly slice = (): void => {
    this.scheduled = false;
    if (this.over) return;
    const deadline = performance.now() + SLICE_MS;
    try {
      for (;;) {
        const step = this.steps.next();
        if (step.done === true) {
          this.over = true;
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
  };
}
