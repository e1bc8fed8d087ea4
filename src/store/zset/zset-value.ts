import { formatDouble } from '../../protocol/double.js';
import { MAX_ARG_LENGTH } from '../../protocol/limits.js';
import { stringSize, VALUE_OBJECT } from '../../keyspace/heap-size.js';
import { REBUILD_ITEMS_PER_COMMAND, type TypedValue, type ValueSnapshot } from '../../keyspace/value.js';
import { entryAt, nextEntry, type Packed } from '../../keyspace/compact/packed.js';
import type { FrozenTree } from './order-tree.js';
import { PackedZset } from './packed-zset.js';
import { TreeZset } from './tree-zset.js';

/** zset-max-listpack-entries and zset-max-listpack-value, as a command reads them. */
export interface ZsetLimits {
  entries: number;
  value: number;
}

/**
 * The most bytes a listpack-encoded set may hold: Redis's lpSafeToAdd
 * allows 1 GiB, more than V8's longest string, so Sluice stops below that
 * (only a zset-max-listpack-value of megabytes can get there).
 */
export const PACKED_MAX_BYTES = Math.min(2 ** 30, MAX_ARG_LENGTH - 1024);

/**
 * What a skiplist sorted set takes per member besides its bytes, which the
 * dictionary and a tree leaf each keep outside the heap: its dictionary
 * slots, hash and index share, its score's slot (DoubleSlots), and its share
 * of a leaf's arrays (measured at 200,000 and 1,000,000 members, Node 20:
 * 92-96 bytes beyond one copy of its bytes).
 */
const TREE_ENTRY_BYTES = 78;

/**
 * A sorted set: a PackedZset while it is small (OBJECT ENCODING's
 * `listpack`), a TreeZset past zset-max-listpack-entries members or a
 * member longer than zset-max-listpack-value (`skiplist`). As in Redis
 * the conversion goes one way, except for the results of the *STORE
 * commands, which are encoded for their size.
 */
export class ZSetValue implements TypedValue {
  readonly type = 'zset' as const;

  constructor(public body: PackedZset | TreeZset) {}

  warm(): number {
    const body = this.body;
    return body instanceof PackedZset ? body.p.length : 1;
  }

  /** Redis's zsetTypeCreate: an empty set for about `sizeHint` members the first of which is `lenHint` bytes. */
  static create(sizeHint: number, lenHint: number, limits: ZsetLimits): ZSetValue {
    const small = sizeHint <= limits.entries && lenHint <= limits.value;
    return new ZSetValue(small ? new PackedZset() : new TreeZset());
  }

  /**
   * A set of these entries, given in order and distinct, encoded as Redis
   * encodes a computed result (zsetConvertToListpackIfNeeded): packed when
   * they are few and short enough.
   */
  static fromSorted(members: readonly string[], scores: ArrayLike<number>, limits: ZsetLimits): ZSetValue {
    let longest = 0;
    let total = 0;
    for (const m of members) {
      longest = Math.max(longest, m.length);
      total += m.length;
    }
    if (members.length <= limits.entries && longest <= limits.value && total <= PACKED_MAX_BYTES) {
      return new ZSetValue(PackedZset.fromSorted(members, scores));
    }
    return new ZSetValue(TreeZset.fromSorted(members, scores));
  }

  /**
   * A set of `n` distinct members whose pairs arrive already packed and
   * sorted (loading a listpack): the set fromSorted makes of them when it
   * keeps them packed and the string is the one it would write, else null.
   */
  static packedIfFits(packed: Packed, n: number, limits: ZsetLimits): ZSetValue | null {
    if (n > limits.entries) return null;
    const body = PackedZset.ifCanonical(packed, n, PACKED_MAX_BYTES);
    return body === null ? null : new ZSetValue(body);
  }

  get size(): number {
    return this.body.size;
  }

  /** About how many bytes the members take together (a packed set counts its scores too). */
  get memberBytes(): number {
    const body = this.body;
    return body instanceof PackedZset ? body.bytes : body.memberBytes;
  }

  get packed(): boolean {
    return this.body instanceof PackedZset;
  }

  encoding(): string {
    return this.packed ? 'listpack' : 'skiplist';
  }

  /** Redis's zsetTypeMaybeConvert: a command about to add `sizeHint` members converts a set it would outgrow. */
  maybeConvert(sizeHint: number, limits: ZsetLimits): void {
    if (this.body instanceof PackedZset && sizeHint > limits.entries) this.convert();
  }

  /** Redis's zsetConvert to a skiplist, which SORT applies to every sorted set it reads. */
  unpack(): void {
    if (this.body instanceof PackedZset) this.convert();
  }

  private convert(): void {
    const members: string[] = [];
    const scores: number[] = [];
    this.body.forRange(
      0, this.body.size, false, (m, s) => {
        members.push(m);
        scores.push(s);
      }, true,
    );
    this.body = TreeZset.fromSorted(members, scores);
  }

  score(member: string): number | undefined {
    return this.body.score(member);
  }

  /** Adds a member that is not in the set, converting a packed set it would take past the limits first. */
  add(member: string, score: number, limits: ZsetLimits): void {
    const body = this.body;
    if (body instanceof PackedZset) {
      if (body.size + 1 > limits.entries || member.length > limits.value || body.bytes + member.length > PACKED_MAX_BYTES) {
        this.convert();
      } else {
        body.insert(member, score);
        return;
      }
    }
    (this.body as TreeZset).insert(member, score);
  }

  /** Moves a member from score `from` to `to` (they differ). */
  update(member: string, from: number, to: number): void {
    const body = this.body;
    if (body instanceof TreeZset) {
      body.update(member, from, to);
    } else {
      body.remove(member);
      body.insert(member, to);
    }
  }

  remove(member: string): boolean {
    return this.body.remove(member);
  }

  /** The 0-based rank by ascending score, or -1 when the member is not there. */
  rank(member: string): number {
    return this.body.rank(member);
  }

  countWhile(inPrefix: (score: number, member: string) => boolean): number {
    return this.body.countWhile(inPrefix);
  }

  /** How many entries from the front score below `bound` (at or below it when `inclusive`). */
  countScoresBelow(bound: number, inclusive: boolean): number {
    return this.body.countScoresBelow(bound, inclusive);
  }

  memberAt(r: number): string {
    return this.body.memberAt(r);
  }

  scoreAt(r: number): number {
    return this.body.scoreAt(r);
  }

  /** Calls `fn` for `count` entries from rank `start` on, or from it backwards; `own` copies members a packed set would lend (ownCopy). */
  forRange(start: number, count: number, reverse: boolean, fn: (member: string, score: number) => void, own = false): void {
    if (this.body instanceof PackedZset) this.body.forRange(start, count, reverse, fn, own);
    else this.body.forRange(start, count, reverse, fn);
  }

  removeRange(start: number, count: number): void {
    this.body.removeRange(start, count);
  }

  /**
   * A listpack is its one string; a skiplist's members are counted exactly
   * from its byte total, twice (the dictionary's copy and the tree's), plus
   * what each member takes besides (TREE_ENTRY_BYTES).
   */
  memoryUsage(): number {
    const body = this.body;
    if (body instanceof PackedZset) return VALUE_OBJECT + stringSize(body.p.length);
    return 3 * VALUE_OBJECT + body.size * TREE_ENTRY_BYTES + 2 * body.memberBytes;
  }

  /** A copy in the same encoding (Redis's zsetDup): O(n) for the dictionary, the tree shared copy-on-write. */
  clone(): ZSetValue {
    const body = this.body;
    return new ZSetValue(body instanceof PackedZset ? new PackedZset(body.p, body.size) : body.clone());
  }

  /** O(1): a packed string never changes, and the tree's nodes are shared copy-on-write. */
  snapshot(): ValueSnapshot {
    const body = this.body;
    return body instanceof PackedZset ? new PackedSnapshot(body.p) : new TreeSnapshot(body.freeze());
  }
}

/** ZADD commands of up to REBUILD_ITEMS_PER_COMMAND pairs, scores written so that they read back exactly. */
class RebuildBatch {
  private cmd: string[] | null = null;

  constructor(private readonly key: string) {}

  /** Adds a pair; returns a full command when this one completed it. */
  add(scoreText: string, member: string): string[] | null {
    const cmd = (this.cmd ??= ['ZADD', this.key]);
    cmd.push(scoreText, member);
    if (cmd.length < 2 + 2 * REBUILD_ITEMS_PER_COMMAND) return null;
    this.cmd = null;
    return cmd;
  }

  rest(): string[] | null {
    const cmd = this.cmd;
    this.cmd = null;
    return cmd;
  }
}

class PackedSnapshot implements ValueSnapshot {
  constructor(private readonly p: Packed) {}

  *rebuildCommands(key: string): Iterator<string[]> {
    const p = this.p;
    const batch = new RebuildBatch(key);
    for (let pos = 0; pos < p.length; ) {
      const scorePos = nextEntry(p, pos);
      // The packed text is Redis's own: an integer, or the shortest digits that read back the same.
      const full = batch.add(entryAt(p, scorePos), entryAt(p, pos));
      if (full !== null) yield full;
      pos = nextEntry(p, scorePos);
    }
    const rest = batch.rest();
    if (rest !== null) yield rest;
  }
}

class TreeSnapshot implements ValueSnapshot {
  constructor(private readonly tree: FrozenTree) {}

  *rebuildCommands(key: string): Iterator<string[]> {
    const batch = new RebuildBatch(key);
    for (const leaf of this.tree.leaves()) {
      for (let i = 0; i < leaf.n; i++) {
        const full = batch.add(formatDouble(leaf.scores[i]), leaf.memberAt(i));
        if (full !== null) yield full;
      }
    }
    const rest = batch.rest();
    if (rest !== null) yield rest;
  }
}
