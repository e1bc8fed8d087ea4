import { ByteChunk } from '../../keyspace/compact/byte-chunk.js';
/*
 * The nodes of OrderTree (order-tree.ts): leaves hold entries, inner nodes
 * their children with the count of entries under each and each one's lower
 * bound. Both have a fixed capacity, allocated whole.
 */

/**
 * Entries per leaf and children per inner node. Measured on 1,000,000
 * members (CPU time of ZRANK's tree walk for random members): 32 took 10 to
 * 15% longer than 64, 128 no less. Leaves hold 256 since they keep their
 * members in a ByteChunk, a buffer each, which the collector tracks and
 * sweeps one by one, on the main thread when the other core is busy:
 * moving members among a million at random, 128-entry leaves had
 * mark-compacts of 6.2-6.6 ms, 3.7-4.2 of them sweeping buffers, 256 none
 * over 3 ms, at the same rate; loading the million, scavenges of at most
 * 3.4 ms at 128 (4-5.5 at 64), 2.6-3.1 at 256.
 */
export const LEAF_CAP = 256;
export const INNER_CAP = 64;
/** Below this a node takes entries from a neighbour or merges with it. */
export const LEAF_MIN = LEAF_CAP >> 2;
export const INNER_MIN = INNER_CAP >> 2;

/**
 * Scores live in plain arrays of doubles (one heap object each, whose
 * elements V8 keeps unboxed once the first is a double), not Float64Arrays:
 * a node's typed array is three objects apart from the node (the view, its
 * buffer, the memory outside the heap), and a descent through a tree of a
 * million entries is bound by cache misses. Shifts are loops: a typed
 * array's copyWithin, 25 ns in a warm micro-benchmark, cost far more on the
 * tree's cold nodes, and an Array's copyWithin is a slow generic builtin.
 * Random moves in a tree of 1,000,000 (delete then insert) took 3.7 µs with
 * typed arrays and copyWithin, 2.5 with loops, 2.3 with arrays of doubles.
 */
export type Scores = number[];

/** An array of n doubles (0.5 until written), of V8's unboxed-double kind. */
function doubles(n: number): Scores {
  const a: number[] = [];
  for (let i = 0; i < n; i++) a.push(0.5);
  return a;
}

/** Who may write a node in place: nodes owned by another tree (a snapshot's, a clone's) are copied first. */
export type Owner = object;

/** Bytes a new leaf makes room for: 16-byte members filling three quarters of it; its chunk doubles as it needs. */
const LEAF_BYTES = 12 * LEAF_CAP;

/**
 * A leaf keeps its members as bytes in a ByteChunk, outside V8's heap: a
 * sorted set of a million members kept as strings handed every scavenge
 * while it loaded a new space full of survivors to copy (pauses of 18-24
 * ms, docs/benchmarks.md). A member read from a leaf is a new string.
 */
export class Leaf {
  readonly isLeaf = true;
  constructor(
    public n: number,
    public members: ByteChunk,
    public scores: Scores,
    public owner: Owner,
  ) {}

  static empty(owner: Owner): Leaf {
    return new Leaf(0, new ByteChunk(LEAF_CAP, LEAF_CAP, LEAF_BYTES), doubles(LEAF_CAP), owner);
  }

  copy(owner: Owner): Leaf {
    return new Leaf(this.n, this.members.copy(), this.scores.slice(), owner);
  }

  memberAt(pos: number): string {
    return this.members.get(pos) as string;
  }

  /** The first position whose entry is not before (score, member). */
  lowerBound(score: number, member: string): number {
    const scores = this.scores;
    const members = this.members;
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const s = scores[mid];
      if (s < score || (s === score && members.compare(mid, member) < 0)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  insertAt(pos: number, score: number, member: string): void {
    const scores = this.scores;
    for (let i = this.n; i > pos; i--) scores[i] = scores[i - 1];
    this.members.insertAt(pos, member);
    scores[pos] = score;
    this.n++;
  }

  removeAt(pos: number): void {
    const last = this.n - 1;
    const scores = this.scores;
    for (let i = pos; i < last; i++) scores[i] = scores[i + 1];
    this.members.removeAt(pos);
    this.n = last;
  }

  /** Moves the entries from `from` on to the end of `to` (another leaf with room for them). */
  moveTail(from: number, to: Leaf): void {
    const count = this.n - from;
    for (let i = 0; i < count; i++) {
      to.members.copyFrom(to.n + i, this.members, from + i);
      to.scores[to.n + i] = this.scores[from + i];
    }
    to.n += count;
    this.dropTail(count);
  }

  /** Moves the first `count` entries to the end of `to`. */
  moveHead(count: number, to: Leaf): void {
    for (let i = 0; i < count; i++) {
      to.members.copyFrom(to.n + i, this.members, i);
      to.scores[to.n + i] = this.scores[i];
    }
    to.n += count;
    this.dropHead(count);
  }

  /** Moves the last `count` entries of `from` (another leaf) to the front of this one. */
  takeTail(count: number, from: Leaf): void {
    const scores = this.scores;
    for (let i = this.n - 1; i >= 0; i--) scores[i + count] = scores[i];
    this.members.shiftUp(0, count);
    const start = from.n - count;
    for (let k = 0; k < count; k++) {
      this.members.copyFrom(k, from.members, start + k);
      scores[k] = from.scores[start + k];
    }
    this.n += count;
    from.dropTail(count);
  }

  dropTail(count: number): void {
    this.members.removeAt(this.n - count, count);
    this.n -= count;
  }

  dropHead(count: number): void {
    const rest = this.n - count;
    const scores = this.scores;
    for (let i = 0; i < rest; i++) scores[i] = scores[i + count];
    this.members.removeAt(0, count);
    this.n = rest;
  }
}

export class Inner {
  readonly isLeaf = false;
  constructor(
    public n: number,
    public children: Node[],
    /** Entries under each child. */
    public counts: number[],
    /**
     * Each child's lower bound: no entry under child i is before
     * (sepScores[i], sepMembers[i]), every entry under child i - 1 is.
     * Child 0's is never read.
     */
    public sepScores: Scores,
    public sepMembers: string[],
    public owner: Owner,
  ) {}

  static empty(owner: Owner): Inner {
    return new Inner(0, new Array<Node>(INNER_CAP), new Array<number>(INNER_CAP).fill(0), doubles(INNER_CAP),
      new Array<string>(INNER_CAP), owner);
  }

  copy(owner: Owner): Inner {
    return new Inner(this.n, this.children.slice(), this.counts.slice(), this.sepScores.slice(), this.sepMembers.slice(), owner);
  }

  /** The child under which (score, member) belongs: the last whose lower bound is not after it. */
  route(score: number, member: string): number {
    const scores = this.sepScores;
    const members = this.sepMembers;
    let lo = 0;
    let hi = this.n - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      const s = scores[mid];
      if (s < score || (s === score && members[mid] <= member)) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  insertChild(pos: number, child: Node, count: number, sepScore: number, sepMember: string): void {
    const { children, counts, sepScores, sepMembers } = this;
    for (let i = this.n; i > pos; i--) {
      children[i] = children[i - 1];
      counts[i] = counts[i - 1];
      sepScores[i] = sepScores[i - 1];
      sepMembers[i] = sepMembers[i - 1];
    }
    children[pos] = child;
    counts[pos] = count;
    sepScores[pos] = sepScore;
    sepMembers[pos] = sepMember;
    this.n++;
  }

  removeChild(pos: number): void {
    const { children, counts, sepScores, sepMembers } = this;
    const last = this.n - 1;
    for (let i = pos; i < last; i++) {
      children[i] = children[i + 1];
      counts[i] = counts[i + 1];
      sepScores[i] = sepScores[i + 1];
      sepMembers[i] = sepMembers[i + 1];
    }
    children[last] = undefined as unknown as Node;
    sepMembers[last] = undefined as unknown as string;
    counts[last] = 0;
    this.n = last;
  }

  /** Moves children [from, n) to the end of `to`; returns how many entries they hold. */
  moveTail(from: number, to: Inner): number {
    let moved = 0;
    for (let i = from; i < this.n; i++) {
      to.children[to.n] = this.children[i];
      to.counts[to.n] = this.counts[i];
      to.sepScores[to.n] = this.sepScores[i];
      to.sepMembers[to.n] = this.sepMembers[i];
      to.n++;
      moved += this.counts[i];
      this.children[i] = undefined as unknown as Node;
      this.sepMembers[i] = undefined as unknown as string;
      this.counts[i] = 0;
    }
    this.n = from;
    return moved;
  }

  total(): number {
    let t = 0;
    for (let i = 0; i < this.n; i++) t += this.counts[i];
    return t;
  }
}

export type Node = Leaf | Inner;

/** The first entry under a node: its lower bound once it stands right of a split. */
export function firstScore(node: Node): number {
  while (!node.isLeaf) node = node.children[0];
  return node.scores[0];
}

export function firstMember(node: Node): string {
  while (!node.isLeaf) node = node.children[0];
  return node.memberAt(0);
}

/** Calls `fn` for entries [from, to) under `node`, in order or in reverse. */
export function visit(node: Node, from: number, to: number, reverse: boolean, fn: (member: string, score: number) => void): void {
  if (node.isLeaf) {
    const scores = node.scores;
    if (reverse) for (let i = to - 1; i >= from; i--) fn(node.memberAt(i), scores[i]);
    else for (let i = from; i < to; i++) fn(node.memberAt(i), scores[i]);
    return;
  }
  const { children, counts, n } = node;
  if (!reverse) {
    let offset = 0;
    for (let i = 0; i < n && offset < to; i++) {
      const end = offset + counts[i];
      if (end > from) visit(children[i], Math.max(from - offset, 0), Math.min(to, end) - offset, false, fn);
      offset = end;
    }
    return;
  }
  let offset = node.total();
  for (let i = n - 1; i >= 0 && offset > from; i--) {
    const start = offset - counts[i];
    if (start < to) visit(children[i], Math.max(from - start, 0), Math.min(to, offset) - start, true, fn);
    offset = start;
  }
}
