import { createHash } from 'node:crypto';
import { CompiledChunk, compileLua } from './compile.js';
import { defaultStoreRoot } from '../../core/user-store.js';
import { CompileStore } from './compile-store.js';

interface Entry {
  readonly source: string;
  readonly chunk: CompiledChunk;
}

/**
 * Compiled chunks by chunk name and source, least recently used first, so
 * that every engine in the process compiles a given script once: a test
 * suite starts many embedded servers, and each of them would otherwise
 * parse and generate BullMQ's scripts again. A CompiledChunk holds no
 * engine's state (instantiate() binds one), so sharing it is exact.
 *
 * Bounded by entries and by the bytes of source held, since scripts with
 * values inlined into their bodies each make a chunk of their own; a
 * source larger than the byte bound is compiled but not kept.
 *
 * Below it, a CompileStore may keep chunks on disk for the next process.
 */
export class ChunkCache {
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(
    readonly maxEntries: number,
    readonly maxBytes: number,
    private readonly store: CompileStore | null = null,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /** Bytes of source the cached chunks hold. */
  get sourceBytes(): number {
    return this.bytes;
  }

  /**
   * The compiled chunk for this source, compiled now unless cached; throws
   * LuaSyntaxError as compileLua does. A `durable` chunk is looked for in
   * and written to the store too; `firstForm` is compileLua's.
   */
  compile(source: string, chunkName: string, durable = false, firstForm = false): CompiledChunk {
    // The source is compared on a hit, so a key collision could cost a compile, never a wrong chunk.
    const key = createHash('sha1').update(chunkName).update('\0').update(source).digest('hex');
    const hit = this.entries.get(key);
    if (hit !== undefined && hit.source === source) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit.chunk;
    }
    const store = durable ? this.store : null;
    const fromStore = store === null ? undefined : this.readStored(store, key, chunkName, source);
    const chunk = fromStore ?? compileLua(source, chunkName, firstForm);
    if (source.length <= this.maxBytes) this.keep(key, { source, chunk });
    // The store writes after a pause, once the caller has run it: a whole chunk's V8 cache then holds the functions the
    // run compiled. A chunk in its first form is made whole in that pause (CompiledChunk.stored) rather than at a run.
    if (store !== null && (fromStore === undefined || chunk.v8CacheRejected)) store.write(key, chunkName, source, () => chunk.stored());
    return chunk;
  }

  /** The chunk the store kept for this source, or undefined (then compiled again, and the file replaced). */
  private readStored(store: CompileStore, key: string, chunkName: string, source: string): CompiledChunk | undefined {
    const stored = store.read(key, chunkName, source);
    if (stored === undefined) return undefined;
    try {
      return CompiledChunk.fromStore(source, chunkName, stored);
    } catch {
      // Code V8 does not take for a factory: a damaged file.
      return undefined;
    }
  }

  /** Readies the store in the background (an engine calls this when it is made); resolves when it is ready. */
  prepare(): Promise<void> {
    return this.store?.prepare() ?? Promise.resolve();
  }

  /** Does the store's deferred writes now; resolves when they are done (a closing server calls this, the process may exit next). */
  settled(): Promise<void> {
    return this.store?.settled() ?? Promise.resolve();
  }

  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private keep(key: string, entry: Entry): void {
    this.drop(key);
    this.entries.set(key, entry);
    this.bytes += entry.source.length;
    while (this.entries.size > this.maxEntries || this.bytes > this.maxBytes) {
      this.drop(this.entries.keys().next().value as string);
    }
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (entry === undefined) return;
    this.entries.delete(key);
    this.bytes -= entry.source.length;
  }
}

/**
 * The process's cache, which every LuaEngine compiles through. As many
 * chunks as one server's script cache keeps of EVAL's (EVAL_SCRIPTS_LIMIT),
 * and source enough for every script of BullMQ ten times over: a chunk's
 * generated code and V8's compilation of it weigh several times its source,
 * and an embedding process should not keep much past what its servers hold.
 * On disk, in the user's store (compile-store.ts).
 */
export const SHARED_CHUNKS = new ChunkCache(500, 4 * 1024 * 1024, new CompileStore(defaultStoreRoot()));
