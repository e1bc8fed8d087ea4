/** What a SCAN-style cursor can walk: the keyspace's BigMap. */
export interface ScanSource<K> {
  readonly size: number;
  /** Bumped on every insertion and deletion (BigMap.version). */
  readonly version: number;
  keys(): Iterator<K>;
}

interface ParkedScan<K> {
  source: ScanSource<K>;
  it: Iterator<K>;
  /** Keys taken from the iterator but not yet visited (the look-ahead, plus refreshes). */
  buffered: K[];
  /** source.version when the iterator last moved. */
  version: number;
}

/** Parked iterations kept per table; the least recently used is dropped first. */
const DEFAULT_CAPACITY = 1024;
/** A parked iterator is moved on after this many changes to its map (or a quarter of its size). */
const REFRESH_CHANGES = 1024;
/** A parked iteration that buffered this many keys while idle is dropped. */
const MAX_BUFFERED = 1024;
const ID_RANGE = 2 ** 52;

/**
 * Whether an iterator parked at `version` of `source` should be moved on:
 * enough insertions and deletions have happened for its Map to have
 * rehashed (V8 rehashes after about half its capacity in changes).
 */
export function shouldNudge(source: ScanSource<unknown>, version: number): boolean {
  return source.version - version >= Math.max(REFRESH_CHANGES, source.size >> 2);
}

/**
 * SCAN cursors over JS Maps.
 *
 * Redis's cursor is a reverse-binary position in its hash table's buckets;
 * a V8 Map exposes no buckets, but its iterators survive concurrent inserts
 * and deletes and visit every entry that is present throughout. So a cursor
 * here is the id of a parked iterator: each call resumes it, visits up to
 * COUNT entries (work per call bounded by COUNT, as in Redis), reads one
 * entry ahead so that the last batch already answers cursor 0, and parks the
 * iterator again under a fresh random id. A key present for the whole
 * iteration is therefore returned exactly once, unless the iteration had to
 * restart (below), when it may be returned again: SCAN allows duplicates.
 *
 * Bounded memory: at most `capacity` parked iterations, least recently used
 * evicted first; a FLUSHDB forgets the iterations over the flushed map. A
 * parked V8 iterator pins every hash table its Map rehashes into after it
 * last moved, so `maintain()` (run from the server cron) moves each parked
 * iterator on by one entry, into its buffer, once its map has changed enough
 * to have rehashed; an iteration idle long enough to fill its buffer is
 * dropped.
 *
 * Fallback: a cursor that is unknown (evicted, dropped, already used, from
 * another database, or simply made up) restarts the iteration from the
 * beginning. That keeps the guarantee (every key present throughout is
 * returned at least once) at the price of duplicates; a client whose cursors
 * keep being evicted (more than `capacity` iterations in flight) may never
 * finish, which Redis's stateless cursors cannot suffer.
 */
export class ScanCursors<K> {
  private readonly parked = new Map<string, ParkedScan<K>>();

  constructor(private readonly capacity = DEFAULT_CAPACITY) {}

  get size(): number {
    return this.parked.size;
  }

  /**
   * Resumes the iteration `cursor` names over `source` (0, or anything
   * unknown, starts one), hands up to `count` keys to `visit`, and returns
   * the cursor to continue with: "0" once the iteration is complete.
   */
  step(cursor: string, source: ScanSource<K>, count: number, visit: (key: K) => void): string {
    let scan: ParkedScan<K> | undefined;
    if (cursor !== '0') {
      scan = this.parked.get(cursor);
      if (scan !== undefined) this.parked.delete(cursor);
      if (scan !== undefined && scan.source !== source) scan = undefined;
    }
    scan ??= { source, it: source.keys(), buffered: [], version: source.version };
    let visited = 0;
    let b = 0;
    const buffered = scan.buffered;
    for (; visited < count && b < buffered.length; visited++) visit(buffered[b++]);
    buffered.splice(0, b);
    for (; visited < count; visited++) {
      const r = scan.it.next();
      if (r.done) return '0';
      visit(r.value);
    }
    if (buffered.length === 0) {
      const ahead = scan.it.next();
      if (ahead.done) return '0';
      buffered.push(ahead.value);
    }
    scan.version = source.version;
    return this.park(scan);
  }

  private park(scan: ParkedScan<K>): string {
    let id: string;
    do id = String(1 + Math.floor(Math.random() * ID_RANGE));
    while (this.parked.has(id));
    this.parked.set(id, scan);
    if (this.parked.size > this.capacity) {
      const oldest = this.parked.keys().next().value as string;
      this.parked.delete(oldest);
    }
    return id;
  }

  /** Drops the iterations over a map that is being discarded (FLUSHDB). */
  forget(source: ScanSource<K>): void {
    for (const [id, scan] of this.parked) if (scan.source === source) this.parked.delete(id);
  }

  /** Keeps parked iterators from pinning old hash tables; see the class comment. */
  maintain(): void {
    for (const [id, scan] of this.parked) {
      if (!shouldNudge(scan.source, scan.version)) continue;
      if (scan.buffered.length >= MAX_BUFFERED) {
        this.parked.delete(id);
        continue;
      }
      const r = scan.it.next();
      scan.version = scan.source.version;
      if (!r.done) scan.buffered.push(r.value);
    }
  }
}
