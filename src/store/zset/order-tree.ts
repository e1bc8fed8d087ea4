import {
  firstMember, firstScore, Inner, INNER_CAP, INNER_MIN, Leaf, LEAF_CAP, LEAF_MIN, visit, type Node, type Owner, type Scores,
} from './tree-nodes.js';

/** A frozen tree: what a snapshot reads, the AOF rewrite's entries in order. */
export class FrozenTree {
  constructor(
    private readonly root: Node,
    readonly size: number,
  ) {}

  /** OrderTree.forRange on the frozen entries (a background save writes a big sorted set a range at a time). */
  forRange(start: number, count: number, reverse: boolean, fn: (member: string, score: number) => void): void {
    new OrderTree(this.root, this.size).forRange(start, count, reverse, fn);
  }

  /** Entries in order, a leaf's worth at a time. */
  *leaves(): Generator<{ memberAt(i: number): string; scores: Readonly<Scores>; n: number }> {
    const stack: Node[] = [this.root];
    while (stack.length !== 0) {
      const node = stack.pop()!;
      if (node.isLeaf) {
        if (node.n !== 0) yield node;
      } else {
        for (let i = node.n - 1; i >= 0; i--) stack.push(node.children[i]);
      }
    }
  }
}

/**
 * The inner nodes an insert or delete passed through, root first, and the
 * child taken at each: shared by every tree (a change runs to its end
 * before the next starts) rather than two arrays made per change.
 */
const path: Inner[] = [];
const at: number[] = [];

/** Lets go of the nodes a change passed through, which would otherwise keep a dropped tree alive. */
function forget(depth: number): void {
  for (let i = 0; i < depth; i++) path[i] = undefined as unknown as Inner;
}

/**
 * The order of a sorted set: (score, member) pairs, by score then member
 * bytes, in a B+tree whose inner nodes count the entries under each child,
 * so that rank, select and range cost O(log n). Nodes are shared
 * copy-on-write with snapshots and clones: a write copies each node on its
 * path that another tree may still read, once.
 */
export class OrderTree {
  private root: Node;
  private count = 0;
  private owner: Owner = {};

  constructor(root?: Node, count = 0) {
    this.root = root ?? Leaf.empty(this.owner);
    this.count = count;
  }

  get size(): number {
    return this.count;
  }

  /** A tree holding these entries, already in order. */
  static fromSorted(members: readonly string[], scores: ArrayLike<number>): OrderTree {
    const tree = new OrderTree();
    const n = members.length;
    if (n === 0) return tree;
    let level: Node[] = [];
    let counts: number[] = [];
    for (let i = 0; i < n; i += LEAF_CAP) {
      const leaf = Leaf.empty(tree.owner);
      const end = Math.min(n, i + LEAF_CAP);
      for (let j = i; j < end; j++) {
        leaf.members.set(j - i, members[j]);
        leaf.scores[j - i] = scores[j];
      }
      leaf.n = end - i;
      level.push(leaf);
      counts.push(leaf.n);
    }
    while (level.length > 1) {
      const up: Node[] = [];
      const upCounts: number[] = [];
      for (let i = 0; i < level.length; i += INNER_CAP) {
        const inner = Inner.empty(tree.owner);
        const end = Math.min(level.length, i + INNER_CAP);
        for (let j = i; j < end; j++) {
          inner.insertChild(j - i, level[j], counts[j], firstScore(level[j]), firstMember(level[j]));
        }
        up.push(inner);
        upCounts.push(inner.total());
      }
      level = up;
      counts = upCounts;
    }
    tree.root = level[0];
    tree.count = n;
    return tree;
  }

  /** The entries as they are now, unchanged by later writes to this tree. O(1). */
  freeze(): FrozenTree {
    this.owner = {};
    return new FrozenTree(this.root, this.count);
  }

  /** An independent copy sharing every node until either side writes. O(1). */
  clone(): OrderTree {
    this.owner = {};
    return new OrderTree(this.root, this.count);
  }

  private own<T extends Node>(node: T): T {
    return node.owner === this.owner ? node : (node.copy(this.owner) as T);
  }

  insert(score: number, member: string): void {
    let node: Node = (this.root = this.own(this.root));
    let depth = 0;
    while (!node.isLeaf) {
      const i = node.route(score, member);
      const child: Node = (node.children[i] = this.own(node.children[i]));
      node.counts[i]++;
      path[depth] = node;
      at[depth++] = i;
      node = child;
    }
    this.count++;
    const leaf = node;
    const pos = leaf.lowerBound(score, member);
    if (leaf.n < LEAF_CAP) {
      leaf.insertAt(pos, score, member);
      forget(depth);
      return;
    }
    // Entries arriving in order (timestamps) fill leaves whole: at either end the new entry starts a leaf of its own.
    const mid = pos === LEAF_CAP ? LEAF_CAP : pos === 0 ? 0 : LEAF_CAP >> 1;
    const right = Leaf.empty(this.owner);
    leaf.moveTail(mid, right);
    if (pos < mid || pos === 0) leaf.insertAt(pos, score, member);
    else right.insertAt(pos - mid, score, member);
    this.grow(depth, leaf, right, leaf.n, right.n, pos === LEAF_CAP || pos === 0 ? pos : -1);
    forget(depth);
  }

  /**
   * Puts `right` (split from `left`, which sits at at[depth - 1] under path[depth - 1])
   * into the parent, splitting parents in turn while they are full; a full
   * root gets a new root above it. `edge` is where the insertion went when it
   * was at an end (0 or the capacity), so that parents split there too.
   */
  private grow(depth: number, left: Node, right: Node, leftCount: number, rightCount: number, edge: number): void {
    for (let level = depth - 1; ; level--) {
      if (level < 0) {
        const root = Inner.empty(this.owner);
        root.insertChild(0, left, leftCount, firstScore(left), firstMember(left));
        root.insertChild(1, right, rightCount, firstScore(right), firstMember(right));
        this.root = root;
        return;
      }
      const parent = path[level];
      const i = at[level];
      parent.counts[i] = leftCount;
      if (parent.n < INNER_CAP) {
        parent.insertChild(i + 1, right, rightCount, firstScore(right), firstMember(right));
        return;
      }
      const pos = i + 1;
      const mid = edge === LEAF_CAP && pos === INNER_CAP ? INNER_CAP : edge === 0 && i === 0 ? 1 : INNER_CAP >> 1;
      const sibling = Inner.empty(this.owner);
      parent.moveTail(mid, sibling);
      if (pos <= mid && parent.n < INNER_CAP) parent.insertChild(pos, right, rightCount, firstScore(right), firstMember(right));
      else sibling.insertChild(pos - mid, right, rightCount, firstScore(right), firstMember(right));
      left = parent;
      right = sibling;
      leftCount = parent.total();
      rightCount = sibling.total();
    }
  }

  /** Removes (score, member), which must be in the tree. */
  delete(score: number, member: string): void {
    let node: Node = (this.root = this.own(this.root));
    let depth = 0;
    while (!node.isLeaf) {
      const i = node.route(score, member);
      const child: Node = (node.children[i] = this.own(node.children[i]));
      node.counts[i]--;
      path[depth] = node;
      at[depth++] = i;
      node = child;
    }
    node.removeAt(node.lowerBound(score, member));
    this.count--;
    this.rebalance(depth, node);
    forget(depth);
  }

  /** Restores the minimum fill from `node` (at at[depth - 1] under path[depth - 1]) up, and drops a root with one child. */
  private rebalance(depth: number, node: Node): void {
    for (let level = depth - 1; level >= 0; level--) {
      const min = node.isLeaf ? LEAF_MIN : INNER_MIN;
      if (node.n >= min) break;
      const parent = path[level];
      const i = at[level];
      if (parent.n === 1) break;
      const j = i > 0 ? i - 1 : i + 1;
      parent.children[j] = this.own(parent.children[j]);
      const [l, r] = i < j ? [i, j] : [j, i];
      this.balancePair(parent, l, r);
      node = parent;
    }
    let root = this.root;
    while (!root.isLeaf && root.n === 1) root = root.children[0];
    this.root = root;
  }

  /** Children l and l + 1 of `parent`, both writable: merged when they fit in one node, else evened out. */
  private balancePair(parent: Inner, l: number, r: number): void {
    const left = parent.children[l];
    const right = parent.children[r];
    const cap = left.isLeaf ? LEAF_CAP : INNER_CAP;
    if (left.n + right.n <= cap) {
      if (left.isLeaf) {
        (right as Leaf).moveHead(right.n, left);
      } else {
        const ri = right as Inner;
        ri.sepScores[0] = parent.sepScores[r];
        ri.sepMembers[0] = parent.sepMembers[r];
        ri.moveTail(0, left);
      }
      parent.counts[l] += parent.counts[r];
      parent.removeChild(r);
      return;
    }
    const move = (Math.abs(left.n - right.n) + 1) >> 1;
    let moved: number;
    if (left.isLeaf) {
      const rl = right as Leaf;
      if (left.n < rl.n) {
        rl.moveHead(move, left);
      } else {
        rl.takeTail(move, left);
      }
      moved = left.n - parent.counts[l];
    } else {
      const ri = right as Inner;
      // Its first child's bound is never read while it is first; it will not stay first.
      ri.sepScores[0] = parent.sepScores[r];
      ri.sepMembers[0] = parent.sepMembers[r];
      if (left.n < ri.n) {
        const rest = Inner.empty(this.owner);
        ri.moveTail(move, rest);
        ri.moveTail(0, left);
        rest.moveTail(0, ri);
      } else {
        const tail = Inner.empty(this.owner);
        left.moveTail(left.n - move, tail);
        ri.moveTail(0, tail);
        tail.moveTail(0, ri);
      }
      moved = left.total() - parent.counts[l];
    }
    parent.counts[l] += moved;
    parent.counts[r] -= moved;
    parent.sepScores[r] = firstScore(right);
    parent.sepMembers[r] = firstMember(right);
  }

  /**
   * How many entries come before the first one for which `inPrefix` is
   * false. `inPrefix` must hold for a prefix of the order (everything before
   * some point, nothing after): a score bound, a rank's key.
   */
  countWhile(inPrefix: (score: number, member: string) => boolean): number {
    let node = this.root;
    let before = 0;
    while (!node.isLeaf) {
      let lo = 0;
      let hi = node.n - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >>> 1;
        if (inPrefix(node.sepScores[mid], node.sepMembers[mid])) lo = mid;
        else hi = mid - 1;
      }
      for (let i = 0; i < lo; i++) before += node.counts[i];
      node = node.children[lo];
    }
    let lo = 0;
    let hi = node.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (inPrefix(node.scores[mid], node.memberAt(mid))) lo = mid + 1;
      else hi = mid;
    }
    return before + lo;
  }

  /** The 0-based rank of (score, member), which must be in the tree. */
  rank(score: number, member: string): number {
    let node = this.root;
    let before = 0;
    while (!node.isLeaf) {
      const i = node.route(score, member);
      for (let k = 0; k < i; k++) before += node.counts[k];
      node = node.children[i];
    }
    return before + node.lowerBound(score, member);
  }

  /** The leaf holding rank `r` (< size) and the position in it. */
  private locate(r: number): { leaf: Leaf; pos: number } {
    let node = this.root;
    while (!node.isLeaf) {
      let i = 0;
      while (r >= node.counts[i]) r -= node.counts[i++];
      node = node.children[i];
    }
    return { leaf: node, pos: r };
  }

  memberAt(r: number): string {
    const { leaf, pos } = this.locate(r);
    return leaf.memberAt(pos);
  }

  scoreAt(r: number): number {
    const { leaf, pos } = this.locate(r);
    return leaf.scores[pos];
  }

  /** Calls `fn` for `count` entries from rank `start` on, or from it backwards when `reverse`. */
  forRange(start: number, count: number, reverse: boolean, fn: (member: string, score: number) => void): void {
    if (count <= 0) return;
    if (reverse) visit(this.root, start - count + 1, start + 1, true, fn);
    else visit(this.root, start, start + count, false, fn);
  }
}
