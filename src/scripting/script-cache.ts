import type { LuaFunction } from './lua/index.js';
import type { ScriptFlags } from './shebang.js';

/** A script in the cache: its body (what SCRIPT LOAD got), its shebang flags and its compiled main function. */
export interface CachedScript {
  sha: string;
  body: string;
  flags: ScriptFlags;
  fn: LuaFunction;
  /** Added by EVAL and never loaded with SCRIPT LOAD: it may be evicted. */
  evictable: boolean;
}

/**
 * How many scripts EVAL may leave in the cache: Redis 7.4 bounds them so
 * that a client generating scripts (values inlined into the body) cannot
 * grow memory without limit; scripts loaded with SCRIPT LOAD stay.
 */
export const EVAL_SCRIPTS_LIMIT = 500;

/**
 * The scripts cache by SHA1. Scripts EVAL added are kept in use order and
 * the least recently used is dropped past EVAL_SCRIPTS_LIMIT, as Redis 7.4
 * does; EVALSHA of a dropped script then answers NOSCRIPT, which clients
 * handle by sending EVAL again.
 */
export class ScriptCache {
  private readonly scripts = new Map<string, CachedScript>();
  /** The evictable scripts, least recently used first (a Map keeps insertion order). */
  private readonly lru = new Map<string, CachedScript>();
  /** Bytes of script bodies held, for INFO's used_memory_scripts_eval. */
  bodyBytes = 0;

  get size(): number {
    return this.scripts.size;
  }

  get(sha: string): CachedScript | undefined {
    const s = this.scripts.get(sha);
    if (s !== undefined && s.evictable) {
      this.lru.delete(sha);
      this.lru.set(sha, s);
    }
    return s;
  }

  has(sha: string): boolean {
    return this.scripts.has(sha);
  }

  /** The script, without counting it as used. */
  peek(sha: string): CachedScript | undefined {
    return this.scripts.get(sha);
  }

  add(script: CachedScript): void {
    this.scripts.set(script.sha, script);
    this.bodyBytes += script.body.length + script.sha.length;
    if (!script.evictable) return;
    this.lru.set(script.sha, script);
    if (this.lru.size > EVAL_SCRIPTS_LIMIT) {
      const oldest = this.lru.keys().next().value as string;
      this.remove(oldest);
    }
  }

  /** SCRIPT LOAD of a script EVAL added: it is kept from then on. */
  pin(script: CachedScript): void {
    script.evictable = false;
    this.lru.delete(script.sha);
  }

  private remove(sha: string): void {
    const s = this.scripts.get(sha);
    if (s === undefined) return;
    this.scripts.delete(sha);
    this.lru.delete(sha);
    this.bodyBytes -= s.body.length + s.sha.length;
  }

  clear(): void {
    this.scripts.clear();
    this.lru.clear();
    this.bodyBytes = 0;
  }
}
