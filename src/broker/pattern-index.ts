import { globMatch } from '../core/glob.js';

/** The characters that end a pattern's literal prefix: globMatch gives each a meaning. */
function isMeta(code: number): boolean {
  return code === 42 /* * */ || code === 63 /* ? */ || code === 91 /* [ */ || code === 92 /* \ */;
}

/** The text before a pattern's first glob metacharacter: every channel it matches starts with it. */
export function literalPrefix(pattern: string): string {
  for (let i = 0; i < pattern.length; i++) if (isMeta(pattern.charCodeAt(i))) return pattern.slice(0, i);
  return pattern;
}

const NONE: readonly string[] = [];
/** Channels whose matches are remembered; past this the memory starts afresh. */
const CACHE_LIMIT = 4096;

/**
 * The subscribed patterns, grouped by literal prefix, so that PUBLISH only
 * glob-matches the patterns that can match (Redis tries every pattern). A
 * channel can only match patterns whose prefix is one of its own prefixes,
 * so a lookup tries the channel's prefix of each length some pattern's
 * prefix has: a handful of map lookups, whatever the number of patterns.
 * The matches of recently published channels are remembered until the
 * patterns change, so a busy channel costs one lookup per publish.
 */
export class PatternIndex {
  /** Literal prefix → the patterns (with at least one metacharacter) that share it. */
  private readonly buckets = new Map<string, Set<string>>();
  /** Patterns made only of literal text: they match a channel exactly equal to them. */
  private readonly literals = new Set<string>();
  /** How many buckets have a prefix of each length, and those lengths sorted. */
  private readonly lengthCounts = new Map<number, number>();
  private lengths: number[] = [];
  private readonly cache = new Map<string, readonly string[]>();

  add(pattern: string): void {
    this.cache.clear();
    const prefix = literalPrefix(pattern);
    if (prefix.length === pattern.length) {
      this.literals.add(pattern);
      return;
    }
    let bucket = this.buckets.get(prefix);
    if (bucket === undefined) {
      bucket = new Set();
      this.buckets.set(prefix, bucket);
      const n = this.lengthCounts.get(prefix.length) ?? 0;
      this.lengthCounts.set(prefix.length, n + 1);
      if (n === 0) this.lengths = [...this.lengthCounts.keys()].sort((a, b) => a - b);
    }
    bucket.add(pattern);
  }

  remove(pattern: string): void {
    this.cache.clear();
    const prefix = literalPrefix(pattern);
    if (prefix.length === pattern.length) {
      this.literals.delete(pattern);
      return;
    }
    const bucket = this.buckets.get(prefix);
    if (bucket === undefined || !bucket.delete(pattern) || bucket.size !== 0) return;
    this.buckets.delete(prefix);
    const n = this.lengthCounts.get(prefix.length)! - 1;
    if (n === 0) {
      this.lengthCounts.delete(prefix.length);
      this.lengths = [...this.lengthCounts.keys()].sort((a, b) => a - b);
    } else {
      this.lengthCounts.set(prefix.length, n);
    }
  }

  /**
   * The patterns that match a channel, collected before anyone is written
   * to, so that a subscriber dropped during delivery cannot disturb the walk.
   */
  match(channel: string): readonly string[] {
    let found = this.cache.get(channel);
    if (found === undefined) {
      found = this.search(channel);
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(channel, found);
    }
    return found;
  }

  private search(channel: string): readonly string[] {
    let out: string[] | null = null;
    if (this.literals.size !== 0 && this.literals.has(channel)) out = [channel];
    const lengths = this.lengths;
    for (let i = 0; i < lengths.length; i++) {
      const len = lengths[i];
      if (len > channel.length) break;
      const bucket = this.buckets.get(len === channel.length ? channel : channel.slice(0, len));
      if (bucket === undefined) continue;
      for (const p of bucket) {
        if (globMatch(p, channel)) (out ??= []).push(p);
      }
    }
    return out ?? NONE;
  }
}
