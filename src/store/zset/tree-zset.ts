import { DenseMap } from '../../keyspace/compact/dense-map.js';
import { OrderTree, type FrozenTree } from './order-tree.js';
import { DoubleSlots } from '../../keyspace/compact/double-slots.js';

/** Past this share of the set, a range removal rebuilds the tree from what stays instead of deleting one by one. */
const REBUILD_SHARE = 16;
/** Rebuilding gathers the entries in arrays; past this many V8's array limit comes near, so they are deleted one by one. */
const MAX_REBUILD = 2 ** 25;

/**
 * A sorted set past the listpack thresholds, what Redis calls the skiplist
 * encoding: member → score through a DenseMap (members as bytes outside
 * V8's heap, not capped at V8's 2^24 entries, walked by ZSCAN by position)
 * of each member's slot in DoubleSlots, and the order in an OrderTree, so
 * that score lookups are O(1) and rank and range operations O(log n).
 */
export class TreeZset {
  /** Member → its slot in `scores`. */
  private readonly dict = new DenseMap<number>();
  private readonly scores = new DoubleSlots();
  /**
   * The member score() last found, and its slot: a member's slot stays its
   * own until it is dropped, and ZADD's update right after its score()
   * then compares two strings (usually the very same one) instead of
   * hashing the member and comparing it with the dictionary's bytes.
   */
  private lastMember: string | null = null;
  private lastSlot = -1;
  /** The members' bytes together, for estimating a reply's size. */
  memberBytes = 0;

  constructor(public tree = new OrderTree()) {}

  get size(): number {
    return this.tree.size;
  }

  /** Entries given in order. */
  static fromSorted(members: readonly string[], scores: ArrayLike<number>): TreeZset {
    const z = new TreeZset(OrderTree.fromSorted(members, scores));
    for (let i = 0; i < members.length; i++) z.add(members[i], scores[i]);
    return z;
  }

  score(member: string): number | undefined {
    const slot = this.dict.get(member);
    if (slot === undefined) return undefined;
    this.lastMember = member;
    this.lastSlot = slot;
    return this.scores.get(slot);
  }

  /** ZSCAN's step: each member from the cursor on with its score, read at the position (see DenseTable.scanPositions); returns the next cursor. */
  scan(cursor: number, count: number, visit: (member: string, score: number) => void): number {
    const dict = this.dict;
    return dict.scanPositions(cursor, count, (i) => visit(dict.keyAt(i), this.scores.get(dict.valueAt(i))));
  }

  insert(member: string, score: number): void {
    this.add(member, score);
    this.tree.insert(score, member);
  }

  /** Into the dictionary only. */
  private add(member: string, score: number): void {
    this.dict.set(member, this.scores.add(score));
    this.memberBytes += member.length;
  }

  /** Out of the dictionary only; `slot` is the member's. */
  private drop(member: string, slot = this.dict.get(member)!): void {
    this.lastMember = null;
    this.scores.release(slot);
    this.dict.delete(member);
    this.memberBytes -= member.length;
  }

  /** Moves a member to a new score; ZADD has just read its old one (score), whose slot is then not looked up again. */
  update(member: string, from: number, to: number): void {
    this.tree.delete(from, member);
    this.tree.insert(to, member);
    this.scores.set(member === this.lastMember ? this.lastSlot : this.dict.get(member)!, to);
  }

  remove(member: string): boolean {
    const slot = this.dict.get(member);
    if (slot === undefined) return false;
    const score = this.scores.get(slot);
    this.drop(member, slot);
    this.tree.delete(score, member);
    return true;
  }

  rank(member: string): number {
    const score = this.score(member);
    return score === undefined ? -1 : this.tree.rank(score, member);
  }

  countScoresBelow(bound: number, inclusive: boolean): number {
    return this.tree.countWhile(inclusive ? (s) => s <= bound : (s) => s < bound);
  }

  countWhile(inPrefix: (score: number, member: string) => boolean): number {
    return this.tree.countWhile(inPrefix);
  }

  memberAt(r: number): string {
    return this.tree.memberAt(r);
  }

  scoreAt(r: number): number {
    return this.tree.scoreAt(r);
  }

  forRange(start: number, count: number, reverse: boolean, fn: (member: string, score: number) => void): void {
    this.tree.forRange(start, count, reverse, fn);
  }

  /**
   * Removes `count` entries from rank `start` on: one by one when they are
   * few, else by rebuilding the tree from the entries that stay (O(n), where
   * deleting each would cost O(count log n)).
   */
  removeRange(start: number, count: number): void {
    const tree = this.tree;
    const n = tree.size;
    if (count * REBUILD_SHARE <= n || n > MAX_REBUILD) {
      const members: string[] = [];
      const scores: number[] = [];
      tree.forRange(start, count, false, (m, s) => {
        members.push(m);
        scores.push(s);
      });
      for (let i = 0; i < count; i++) {
        tree.delete(scores[i], members[i]);
        this.drop(members[i]);
      }
      return;
    }
    const members: string[] = [];
    const scores: number[] = [];
    tree.forRange(0, n, false, (m, s) => {
      members.push(m);
      scores.push(s);
    });
    for (let i = start; i < start + count; i++) this.drop(members[i]);
    members.splice(start, count);
    scores.splice(start, count);
    this.tree = OrderTree.fromSorted(members, scores);
  }

  /** An independent copy: the dictionary is copied, the tree's nodes are shared copy-on-write. */
  clone(): TreeZset {
    const copy = new TreeZset(this.tree.clone());
    this.tree.forRange(0, this.tree.size, false, (m, s) => copy.add(m, s));
    return copy;
  }

  freeze(): FrozenTree {
    return this.tree.freeze();
  }
}
