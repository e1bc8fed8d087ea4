import type { CompiledChunk, LuaFunction } from './lua/index.js';
import type { ScriptFlags } from './shebang.js';

/** A script in the cache: its body (what SCRIPT LOAD got), its shebang flags and its compiled main function. */
export interface CachedScript {
  sha: string;
  body: string;
  flags: ScriptFlags;
  fn: LuaFunction;
  /** What fn was instantiated from, and the chunk's generation then (it changes when a first form is made whole). */
  readonly chunk: CompiledChunk;
  generation: number;
  /** Added by EVAL and never loaded with SCRIPT LOAD: it may be evicted. */
  evictable: boolean;
}

/**
 * How many scripts EVAL may leave in the cache: Redis 7.4 bounds them so
 * that a client generating scripts (values inlined into the body) cannot
 * grow memory without limit; scripts loaded with SCRIPT LOAD stay.
 */
export const EVAL_SCRIPTS_LIMIT = 500;

/** A script's entry: its place in the use order while it is evictable (linked only then). */
interface Entry {
  readonly script: CachedScript;
  older: Entry | null;
  newer: Entry | null;
}

/**
 * The scripts cache by SHA1. Scripts EVAL added are kept in use order and
 * the least recently used is dropped past EVAL_SCRIPTS_LIMIT, as Redis 7.4
 * does; EVALSHA of a dropped script then answers NOSCRIPT, which clients
 * handle by sending EVAL again. The use order is a linked list through the
 * entries, as Redis's is: BullMQ's clients call evictable scripts (sent by
 * EVAL after a NOSCRIPT) on every job, and a use then moves a few links,
 * where reordering a Map takes a delete and an insert.
 */
export class ScriptCache {
  private readonly scripts = new Map<string, Entry>();
  private oldest: Entry | null = null;
  private newest: Entry | null = null;
  private evictable = 0;
  /** Bytes of script bodies held, for INFO's used_memory_scripts_eval. */
  bodyBytes = 0;

  get size(): number {
    return this.scripts.size;
  }

  get(sha: string): CachedScript | undefined {
    const e = this.scripts.get(sha);
    if (e === undefined) return undefined;
    if (e.script.evictable && e !== this.newest) {
      this.unlink(e);
      this.append(e);
    }
    return e.script;
  }

  has(sha: string): boolean {
    return this.scripts.has(sha);
  }

  /** The script, without counting it as used. */
  peek(sha: string): CachedScript | undefined {
    return this.scripts.get(sha)?.script;
  }

  add(script: CachedScript): void {
    this.remove(script.sha);
    const e: Entry = { script, older: null, newer: null };
    this.scripts.set(script.sha, e);
    this.bodyBytes += script.body.length + script.sha.length;
    if (!script.evictable) return;
    this.append(e);
    if (++this.evictable > EVAL_SCRIPTS_LIMIT) this.remove(this.oldest!.script.sha);
  }

  /** SCRIPT LOAD of a script EVAL added: it is kept from then on. */
  pin(script: CachedScript): void {
    const e = this.scripts.get(script.sha);
    if (e !== undefined && e.script === script && script.evictable) {
      this.unlink(e);
      this.evictable--;
    }
    script.evictable = false;
  }

  private remove(sha: string): void {
    const e = this.scripts.get(sha);
    if (e === undefined) return;
    this.scripts.delete(sha);
    if (e.script.evictable) {
      this.unlink(e);
      this.evictable--;
    }
    this.bodyBytes -= e.script.body.length + e.script.sha.length;
  }

  private unlink(e: Entry): void {
    if (e.older === null) this.oldest = e.newer;
    else e.older.newer = e.newer;
    if (e.newer === null) this.newest = e.older;
    else e.newer.older = e.older;
    e.older = null;
    e.newer = null;
  }

  private append(e: Entry): void {
    e.older = this.newest;
    if (this.newest === null) this.oldest = e;
    else this.newest.newer = e;
    this.newest = e;
  }

  clear(): void {
    this.scripts.clear();
    this.oldest = null;
    this.newest = null;
    this.evictable = 0;
    this.bodyBytes = 0;
  }
}
