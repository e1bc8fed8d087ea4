/** Entries per chunk: the most a compaction step looks at or moves at once. */
const CHUNK = 1024;
/**
 * A compaction pass starts once stale entries outnumber a quarter of the
 * members. Measured against an eighth and a half: an eighth nearly doubled
 * what compaction adds to a DEL for a few bytes per key, a half left up to
 * half as many entries again in the log under churn.
 */
const STALE_RATIO = 4;
/**
 * Entries a pass looks at per removal: a pass over the log (about 5/4 of the
 * members) ends within about a fifth of the members' worth of removals,
 * before as many new stale entries have piled up again.
 */
const SWEEP_PER_REMOVAL = 6;
/**
 * Entries a pass looks at per arrival. A pass holds iterators over the
 * collection's Maps, which keep every table their Map rehashes into alive
 * until they move, so arrivals move it along too.
 */
const SWEEP_PER_ARRIVAL = 1;

/**
 * Consecutive entries of the log: `n` keys (`keys` may be allocated longer).
 * `seqs` is null while the entries' sequence numbers are `base`, `base + 1`…:
 * appends number entries consecutively, so only a chunk that compaction has
 * thinned out needs them written down. `base` is always the first entry's
 * sequence number.
 */
interface Chunk<K> {
  keys: K[];
  n: number;
  seqs: number[] | null;
  base: number;
}

/**
 * What compaction reads from the collection: how many members it has, and
 * the members part by part (a BigMap's Maps; a plain Map or Set is one
 * part), each part in the order its members arrived, which is a Map's or
 * Set's own iteration order.
 */
export interface ScanMembers<K> {
  readonly size: number;
  readonly partCount: number;
  partKeys(part: number): Iterator<K>;
}

/**
 * The order SCAN-style commands walk a collection in, with cursors that need
 * no server-side state: any number of iterations at once, and a cursor may be
 * sent again (a retry) and still continue correctly.
 *
 * A JS Map or Set cannot be entered at a position, so the collection tells
 * this of every member that arrives (`added`) or leaves (`removed`), and this
 * keeps a log of keys in arrival order, each entry with a sequence number
 * that only grows. A cursor is the sequence number to continue from (0 starts
 * and ends an iteration). A call hands out entries from there and returns the
 * sequence number of the first entry it did not hand out; the caller skips
 * keys that are not members (it looks each one up anyway).
 *
 * Nothing is recorded per member: a departure leaves its entry in place
 * (stale), and a member that returns gets a new entry, so until compaction
 * its old entry makes it appear twice. Compaction drops stale and superseded
 * entries without reordering or renumbering the others, and keeps at least
 * one entry of every member; a new entry lands after every cursor handed out
 * so far. Hence SCAN's guarantee: an iteration meets, while it is a member,
 * at least one entry of every member present from its start to its end, and
 * returns it. Members added or removed meanwhile may or may not be returned,
 * and a member that left and came back (before compaction reached its old
 * entry) may be returned twice. Sequence numbers belong to one server
 * lifetime: a collection rebuilt elsewhere (an AOF reload) numbers its
 * members afresh, and an old cursor is then just some position in the new
 * order.
 *
 * Compaction cannot ask which entry is a member's current one without
 * per-member bookkeeping, so it walks the log and the collection side by
 * side: each part's members, in their own order, are exactly the latest
 * entries of that part's members in log order, so an entry is kept when it
 * is the member its part's walk expects next, and dropped otherwise. That
 * costs a comparison per entry and no hash lookups. A pass judges the entries
 * that existed when it started, a chunk at a time, paid for by removals and
 * arrivals (see the constants), so no call does more than a chunk's worth;
 * a thinned chunk is folded into the one before it.
 */
export class ScanOrder<K> {
  private chunks: Chunk<K>[] = [];
  /** Entries of members that left or came back since; counted here so that arrivals count nothing. */
  private stale = 0;
  private pass: Pass<K> | null = null;
  /** The chunk the pass compacts next. */
  private sweep = 0;
  /** Entries the pass may look at before it has to wait for further changes. */
  private credit = 0;
  /**
   * The last chunk while its sequence numbers are implicit, so that the
   * common append is a store (kept small enough for V8 to inline into the
   * map's insertion); null when `append` must look.
   */
  private open: Chunk<K> | null = null;

  constructor(
    private readonly members: ScanMembers<K>,
    private next = 1,
  ) {}

  /** The sequence number the next arrival gets; a successor (after FLUSHDB) starts there. */
  get nextSeq(): number {
    return this.next;
  }

  /** Entries, stale ones included. */
  get length(): number {
    return this.members.size + this.stale;
  }

  /**
   * Whether a compaction pass is under way. Its walks follow the
   * collection's parts as they were when it began, so a collection that
   * moves members from one part to another (a table splitting a shard)
   * waits until this is false.
   */
  get compacting(): boolean {
    return this.pass !== null;
  }

  /** `key` has just become a member (it was not one); the collection already counts it. */
  added(key: K): void {
    const open = this.open;
    if (open !== null && open.n < CHUNK) {
      open.keys[open.n++] = key;
      this.next++;
    } else {
      this.append(key);
    }
    if (this.pass !== null) this.advance(SWEEP_PER_ARRIVAL);
  }

  /**
   * `added`'s general case: a full tail, or one whose sequence numbers are
   * written down. A first chunk grows as needed (a small collection stays
   * small); later ones are allocated whole, which spares growing them.
   */
  private append(key: K): void {
    const chunks = this.chunks;
    let tail = chunks[chunks.length - 1];
    if (tail === undefined || tail.n === CHUNK) {
      tail = { keys: chunks.length === 0 ? [] : new Array<K>(CHUNK), n: 0, seqs: null, base: this.next };
      chunks.push(tail);
    }
    tail.keys[tail.n++] = key;
    if (tail.seqs === null) this.open = tail;
    else tail.seqs.push(this.next);
    this.next++;
  }

  /**
   * A member has just left, and the collection no longer counts it (which
   * one does not matter: compaction finds out).
   */
  removed(): void {
    const live = this.members.size;
    if (live === 0) {
      this.clear();
      return;
    }
    this.stale++;
    if (this.pass === null) {
      if (this.stale * STALE_RATIO <= live) return;
      this.pass = new Pass(this.members, this.next);
      this.sweep = 0;
      this.credit = 0;
    }
    this.advance(SWEEP_PER_REMOVAL);
  }

  /** Every member is gone. */
  clear(): void {
    this.chunks = [];
    this.stale = 0;
    this.pass = null;
    this.sweep = 0;
    this.credit = 0;
    this.open = null;
  }

  /**
   * Appends to `out` the keys of up to `count` entries from `cursor` on and
   * returns the cursor to continue from: 0 when no entry is left after them.
   */
  scan(cursor: number, count: number, out: K[]): number {
    const chunks = this.chunks;
    let c = 0;
    let i = 0;
    if (cursor > 0 && chunks.length !== 0) {
      c = this.chunkAt(cursor);
      i = indexIn(chunks[c], cursor);
    }
    let taken = 0;
    for (; c < chunks.length; c++, i = 0) {
      const { keys, n, seqs, base } = chunks[c];
      for (; i < n; i++) {
        if (taken === count) return seqs === null ? base + i : seqs[i];
        out.push(keys[i]);
        taken++;
      }
    }
    return 0;
  }

  /**
   * The key of an entry drawn uniformly among all entries, stale ones
   * included (the caller looks the key up, and draws again when it is no
   * longer a member), or undefined when there are none: RANDOMKEY-style
   * sampling without walking the collection. A chunk is drawn, then a slot
   * of a full chunk's size, drawing again when the slot is past the chunk's
   * entries, so every entry has the same chance; compaction keeps chunks
   * more than half full on average, so few draws miss.
   */
  sample(random: () => number = Math.random): K | undefined {
    const chunks = this.chunks;
    if (chunks.length === 0) return undefined;
    const span = chunks.length === 1 ? chunks[0].n : CHUNK;
    for (;;) {
      const chunk = chunks[Math.floor(random() * chunks.length)];
      const i = Math.floor(random() * span);
      if (i < chunk.n) return chunk.keys[i];
    }
  }

  /** The last chunk that starts at or before `seq` (the first if none does). */
  private chunkAt(seq: number): number {
    const chunks = this.chunks;
    let lo = 0;
    let hi = chunks.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (chunks[mid].base <= seq) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  private advance(credit: number): void {
    this.credit += credit;
    if (this.credit > 0) this.credit -= this.sweepStep(this.pass!);
  }

  /**
   * Compacts the chunk under the sweep and folds it into the previous one
   * when both fit in one chunk; ends the pass after its last chunk. Returns
   * the entries it looked at or moved.
   */
  private sweepStep(pass: Pass<K>): number {
    this.open = null;
    const chunks = this.chunks;
    const p = this.sweep;
    const chunk = chunks[p];
    let work = chunk.n;
    this.compact(chunk, pass);
    const n = chunk.n;
    const prev = p > 0 ? chunks[p - 1] : undefined;
    if (n === 0) {
      chunks.splice(p, 1);
    } else if (prev !== undefined && prev.n + n <= CHUNK) {
      const seqs = (prev.seqs ??= consecutive(prev.base, prev.n));
      for (let i = 0; i < n; i++) {
        prev.keys[prev.n++] = chunk.keys[i];
        seqs.push(chunk.seqs === null ? chunk.base + i : chunk.seqs[i]);
      }
      chunks.splice(p, 1);
      work += n;
    } else {
      this.sweep = p + 1;
    }
    if (this.sweep >= chunks.length || chunks[this.sweep].base >= pass.end) {
      this.pass = null;
      this.sweep = 0;
    }
    return work;
  }

  /** Drops the chunk's entries the pass finds stale, keeping the others in order with their sequence numbers. */
  private compact(chunk: Chunk<K>, pass: Pass<K>): void {
    const { keys, n, base } = chunk;
    const given = chunk.seqs;
    let seqs = given;
    let w = 0;
    for (let r = 0; r < n; r++) {
      const key = keys[r];
      const seq = given === null ? base + r : given[r];
      if (seq < pass.end && !pass.expected(key)) {
        seqs ??= consecutive(base, r);
        continue;
      }
      if (w !== r) {
        keys[w] = key;
        seqs![w] = seq;
      }
      w++;
    }
    if (w === n) return;
    this.stale -= n - w;
    // Also gives back the room of a chunk allocated whole.
    keys.length = w;
    seqs!.length = w;
    chunk.n = w;
    chunk.seqs = seqs;
    if (w !== 0) chunk.base = seqs![0];
  }
}

/**
 * One compaction pass: a walk over each part's members, in step with the
 * log. Entries from `end` on arrived after the pass began and are left
 * alone, since a walk that has ended does not see later arrivals; members
 * that arrived meanwhile come after all the others in their part's walk, so
 * they never stand in the way of an older entry.
 */
class Pass<K> {
  private readonly walks: Iterator<K>[] = [];
  /** Per part, the member the walk expects next. */
  private readonly heads: IteratorResult<K>[] = [];

  constructor(
    members: ScanMembers<K>,
    readonly end: number,
  ) {
    for (let i = 0; i < members.partCount; i++) {
      const walk = members.partKeys(i);
      this.walks.push(walk);
      this.heads.push(walk.next());
    }
  }

  /**
   * Whether `key` is the member some part's walk expects next (then the walk
   * moves on). When a member has two entries (it left and came back), the
   * first one seen is taken: either entry is a safe place for it.
   */
  expected(key: K): boolean {
    const heads = this.heads;
    for (let i = 0; i < heads.length; i++) {
      const head = heads[i];
      if (head.done !== true && head.value === key) {
        heads[i] = this.walks[i].next();
        return true;
      }
    }
    return false;
  }
}

/** Where in `chunk` the entries from sequence number `seq` on begin. */
function indexIn<K>(chunk: Chunk<K>, seq: number): number {
  const n = chunk.n;
  const seqs = chunk.seqs;
  if (seqs === null) return Math.min(n, Math.max(0, seq - chunk.base));
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (seqs[mid] < seq) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function consecutive(base: number, n: number): number[] {
  const seqs: number[] = [];
  for (let i = 0; i < n; i++) seqs.push(base + i);
  return seqs;
}
