import { CHUNK, CHUNK_BITS, CHUNK_MASK, DenseTable } from '../compact/dense-table.js';
import { hashMember } from '../compact/member-hash.js';
import type { Value } from './value.js';

/**
 * A database's key → value dictionary: a DenseTable of key and value
 * pairs, and beside them, once a server keeps them, each key's access
 * stamp (Redis keeps 24 bits of it in every object).
 *
 * Dense positions are what the keyspace's own needs ask of it: SCAN's
 * stateless cursor (positions left to visit), RANDOMKEY and random
 * eviction in O(1), and a walk of the stamps for eviction candidates that
 * reads consecutive memory, where a JS Map offers none of these and every
 * lookup in a Map of a million keys costs several cache misses (a stamp
 * kept in a second Map cost one SET at the memory limit two of them).
 *
 * A command nearly always reads and then writes or removes the same key,
 * and a client often repeats one: every access tries the position the last
 * one found (`found`) before it hashes the key, which a JS Map does only once
 * per string (V8 keeps the hash in it) and this table in JavaScript each time.
 */
export class KeyTable extends DenseTable {
  /** The position of the key that the last get, set or indexOf found or inserted (or a caller that checked a position's key itself). */
  found = -1;
  /** Per chunk, the access stamp of each position; null until keepStamps. */
  private stamps: Int32Array[] | null = null;

  constructor(shardTarget?: number) {
    super(2, shardTarget);
  }

  /** `found` when it still holds `key`, else -1: the check every access makes before hashing. */
  private atFound(key: string): number {
    const at = this.found;
    return at >= 0 && at < this.size && this.keyAt(at) === key ? at : -1;
  }

  get(key: string): Value | undefined {
    const last = this.atFound(key);
    if (last >= 0) return this.companionAt(last) as Value;
    const slot = this.locate(key, hashMember(key));
    if (slot < 0) return undefined;
    const i = this.positionAt(slot);
    this.found = i;
    return this.companionAt(i) as Value;
  }

  has(key: string): boolean {
    return this.locate(key, hashMember(key)) >= 0;
  }

  /** The key's position, or -1; a position holds its key until a removal moves the last key into it. */
  indexOf(key: string): number {
    const slot = this.locate(key, hashMember(key));
    return slot < 0 ? -1 : (this.found = this.positionAt(slot));
  }

  /** The value at position `i` (0 ≤ i < size). */
  valueAt(i: number): Value {
    return this.companionAt(i) as Value;
  }

  /** Stores a value; returns the one it replaced, undefined when the key is new. */
  set(key: string, value: Value): Value | undefined {
    const last = this.atFound(key);
    if (last >= 0) {
      const old = this.companionAt(last) as Value;
      this.setCompanion(last, value);
      return old;
    }
    const h = hashMember(key);
    const slot = this.locate(key, h);
    if (slot >= 0) {
      const i = this.positionAt(slot);
      this.found = i;
      const old = this.companionAt(i) as Value;
      this.setCompanion(i, value);
      return old;
    }
    this.found = this.insert(key, h, slot, value);
    return undefined;
  }

  delete(key: string): boolean {
    return this.take(key) !== undefined;
  }

  /**
   * Removes a key; returns its value, undefined when it was not there. A
   * removal nearly always follows a lookup of the same key (DEL's, or the
   * evictor's check of its candidate), so the position `found` is tried
   * before the key is hashed and looked up again.
   */
  take(key: string): Value | undefined {
    const at = this.atFound(key);
    if (at >= 0) {
      const v = this.companionAt(at) as Value;
      this.removeEntry(at);
      return v;
    }
    const slot = this.locate(key, hashMember(key));
    if (slot < 0) return undefined;
    const i = this.positionAt(slot);
    const v = this.companionAt(i) as Value;
    this.removeEntry(i, slot);
    return v;
  }

  protected override insert(key: string, h: number, miss: number, value: unknown): number {
    const k = super.insert(key, h, miss, value);
    const stamps = this.stamps;
    if (stamps !== null && k >>> CHUNK_BITS === stamps.length) stamps.push(new Int32Array(CHUNK));
    return k;
  }

  /** The last key moves into the hole, and its stamp with it. */
  protected override removeEntry(i: number, slot = -1): void {
    const stamps = this.stamps;
    if (stamps !== null) {
      const last = this.size - 1;
      stamps[i >>> CHUNK_BITS][i & CHUNK_MASK] = stamps[last >>> CHUNK_BITS][last & CHUNK_MASK];
      if ((last & CHUNK_MASK) === 0) stamps.pop();
    }
    super.removeEntry(i, slot);
  }

  /** Starts keeping stamps, every key's set to `stamp`. A new key's is whatever setStampAt writes. */
  keepStamps(stamp: number): void {
    const chunks = Math.ceil(this.size / CHUNK);
    this.stamps = Array.from({ length: chunks }, () => new Int32Array(CHUNK).fill(stamp));
  }

  /** The stamp at position `i`; stamps must be kept. */
  stampAt(i: number): number {
    return this.stamps![i >>> CHUNK_BITS][i & CHUNK_MASK];
  }

  setStampAt(i: number, stamp: number): void {
    this.stamps![i >>> CHUNK_BITS][i & CHUNK_MASK] = stamp;
  }

  /** A uniformly random key, or undefined when empty. */
  randomKey(): string | undefined {
    return this.size === 0 ? undefined : this.keyAt(Math.floor(Math.random() * this.size));
  }

  /** One step of SCAN: up to `count` keys from the cursor on into `out`; returns the next cursor (see scanPositions). */
  scan(cursor: number, count: number, out: string[]): number {
    return this.scanPositions(cursor, count, (i) => out.push(this.keyAt(i)));
  }

  /** The keys in position order; the table must not change during the iteration. */
  *keys(): IterableIterator<string> {
    for (const chunk of this.chunks) for (let i = 0; i < chunk.length; i += 2) yield chunk[i] as string;
  }

  /** The entries in position order; the table must not change during the iteration. */
  *entries(): IterableIterator<[string, Value]> {
    for (const chunk of this.chunks) for (let i = 0; i < chunk.length; i += 2) yield [chunk[i] as string, chunk[i + 1] as Value];
  }

  /**
   * The entries, for a walk that spans event-loop turns while the table
   * changes (a BGSAVE, an AOF rewrite): from the last position down, as
   * SCAN goes, so every key present from the start to the end of the walk
   * is met at least once; a key may be met twice, and one added meanwhile
   * may or may not be. Each entry is read when the walk reaches it.
   */
  *liveEntries(): IterableIterator<[string, Value]> {
    let next = this.size;
    for (;;) {
      if (next > this.size) next = this.size;
      if (next === 0) return;
      next--;
      yield [this.keyAt(next), this.companionAt(next) as Value];
    }
  }
}
