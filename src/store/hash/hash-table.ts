import { ScanOrder, type ScanMembers } from '../keyspace/scan-order.js';

/**
 * Average entries per shard before another shard is split off. A shard is
 * what a write copies away from a snapshot (tens of microseconds at this
 * size) and what a split rehashes.
 */
const SHARD_TARGET = 1024;

/** Per process, so that which fields share a shard cannot be worked out from outside. */
const SEED = (Math.random() * 0x100000000) >>> 0;

/** A 32-bit hash of a byte string (FNV-1a with a random seed, then murmur3's finaliser to spread the low bits). */
export function fieldHash(s: string): number {
  let h = SEED;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/**
 * The large encoding of a hash (Redis's `hashtable`): field → value in
 * Maps of about SHARD_TARGET entries each, chosen by a hash of the field
 * and grown by linear hashing (one shard split in two at a time, so growth
 * never rehashes everything at once). Sharding is what makes a snapshot
 * cheap: it copies the array of shard references, and a later write copies
 * only the shard it touches, once (ownership is a token: a shard belongs to
 * the table when it carries the table's current token). It also keeps every
 * Map far below V8's 2^24 entries, so the table has no such cap.
 *
 * A ScanOrder logs fields as they arrive, for HSCAN's stateless cursors and
 * for drawing random fields. Its compaction walks each shard in insertion
 * order beside the log, which holds as long as fields never move between
 * shards during a pass: a split copies part of a shard into a new one, so
 * splits wait while a pass runs. Shards never merge (a merged shard's order
 * would not be the log's); one that empties keeps only an empty Map.
 */
export class HashTable<V> implements ScanMembers<string> {
  private shards: Map<string, V>[];
  /** The token each shard carries: the table's own when it may be written in place. */
  private owners: object[];
  private token: object = {};
  /** Shards addressed by the low `level` bits of the hash, plus `split` of them by one bit more. */
  private level = 0;
  private split = 0;
  private count = 0;
  readonly order: ScanOrder<string>;

  /**
   * `shared`: the shards belong to another table too, so each is copied
   * before its first write here. `shardTarget` is for tests, which split
   * shards without thousands of fields.
   */
  constructor(
    shards: Map<string, V>[] = [new Map()], level = 0, split = 0, shared = false,
    private readonly shardTarget = SHARD_TARGET,
  ) {
    this.shards = shards;
    this.owners = new Array<object>(shards.length).fill(shared ? {} : this.token);
    this.level = level;
    this.split = split;
    for (const m of shards) this.count += m.size;
    this.order = new ScanOrder(this);
    for (const m of shards) for (const k of m.keys()) this.order.added(k);
  }

  get size(): number {
    return this.count;
  }

  get partCount(): number {
    return this.shards.length;
  }

  partKeys(part: number): Iterator<string> {
    return this.shards[part].keys();
  }

  private shardOf(field: string): number {
    if (this.shards.length === 1) return 0;
    const h = fieldHash(field);
    const i = h & ((1 << this.level) - 1);
    return i < this.split ? h & ((2 << this.level) - 1) : i;
  }

  /** The shard at `i`, copied first when a snapshot or clone still shares it. */
  private own(i: number): Map<string, V> {
    if (this.owners[i] === this.token) return this.shards[i];
    const copy = new Map(this.shards[i]);
    this.shards[i] = copy;
    this.owners[i] = this.token;
    return copy;
  }

  get(field: string): V | undefined {
    return this.shards[this.shardOf(field)].get(field);
  }

  has(field: string): boolean {
    return this.shards[this.shardOf(field)].has(field);
  }

  /** Stores a value (never undefined); true when the field is new. */
  set(field: string, value: V): boolean {
    const shard = this.own(this.shardOf(field));
    const before = shard.size;
    shard.set(field, value);
    if (shard.size === before) return false;
    this.count++;
    this.order.added(field);
    if (this.count > this.shards.length * this.shardTarget && !this.order.compacting) this.splitOne();
    return true;
  }

  delete(field: string): boolean {
    const i = this.shardOf(field);
    if (!this.shards[i].has(field)) return false;
    this.own(i).delete(field);
    this.count--;
    this.order.removed();
    return true;
  }

  /**
   * Splits the next shard in linear-hashing order: the fields whose hash
   * has the next bit set move to a new shard at the end, in the order they
   * had, so each shard still lists its fields in the order they arrived.
   */
  private splitOne(): void {
    const from = this.split;
    const to = from + (1 << this.level);
    const mask = (2 << this.level) - 1;
    const source = this.own(from);
    const target = new Map<string, V>();
    for (const [k, v] of source) {
      if ((fieldHash(k) & mask) === to) {
        target.set(k, v);
        source.delete(k);
      }
    }
    this.shards.push(target);
    this.owners.push(this.token);
    if (++this.split === 1 << this.level) {
      this.level++;
      this.split = 0;
    }
  }

  /** Every entry, shard by shard. */
  *entries(): IterableIterator<[string, V]> {
    for (const m of this.shards) yield* m.entries();
  }

  forEach(fn: (value: V, field: string) => void): void {
    for (const m of this.shards) m.forEach(fn);
  }

  /**
   * The shards as they are now, frozen: from here on the table copies a
   * shard before its first write to it. O(shards).
   */
  freeze(): readonly Map<string, V>[] {
    this.token = {};
    return this.shards.slice();
  }

  /** An independent table sharing the shards copy-on-write; its ScanOrder is rebuilt, O(fields). */
  clone(): HashTable<V> {
    return new HashTable(this.freeze().slice(), this.level, this.split, true, this.shardTarget);
  }

  /** A random field (drawn through the ScanOrder, so about uniformly), or undefined when empty. */
  randomField(random: () => number = Math.random): string | undefined {
    if (this.count === 0) return undefined;
    for (;;) {
      const k = this.order.sample(random)!;
      if (this.has(k)) return k;
    }
  }
}
