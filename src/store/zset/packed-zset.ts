import { dataStart, encodeEntry, entryAt, entryEquals, findEntry, nextEntry, ownCopy, splice, type Packed } from '../../keyspace/compact/packed.js';
import { packedScoreAt, packedScoreText } from './score.js';

/**
 * `s` made flat now: a spliced string is a tree of two views of the old
 * string and the new piece, which keeps the old string alive until
 * something reads it (reading flattens it, as charCodeAt does here). The
 * copy is made once either way, as a listpack's memmove is.
 */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

/**
 * A small sorted set in one packed string, as Redis keeps it in a listpack:
 * member and score entries alternating, in order, each score as Redis
 * writes it there (an integer when it is one, so -0 reads back as 0, else
 * its shortest text). Every operation walks from the front, O(n) as a
 * listpack's are; sets leave this encoding past zset-max-listpack-entries.
 */
export class PackedZset {
  /**
   * Where the last member's entry starts, or -1 when not known: a score
   * past the last one (a timestamp, a counter: the common insert) is
   * appended without walking the set.
   */
  private tail = -1;

  constructor(
    public p: Packed = '',
    public size = 0,
  ) {}

  /** The position of the last member's entry (the set is not empty). */
  private lastPos(): number {
    if (this.tail < 0) this.tail = this.seek(this.size - 1);
    return this.tail;
  }

  /** Keeps `tail` true across a splice of [from, to) that inserts `added` chars. */
  private spliced(from: number, to: number, added: number): void {
    const tail = this.tail;
    if (tail < 0) return;
    if (tail >= to) this.tail = tail - (to - from) + added;
    else if (tail >= from) this.tail = from === to ? tail + added : -1;
  }

  /**
   * Entries given in order and distinct. Joined, not concatenated: a string
   * built with += stays a tree of pieces (and of views into the strings it
   * was cut from) until something reads it, several times its size.
   */
  static fromSorted(members: readonly string[], scores: ArrayLike<number>): PackedZset {
    const parts: string[] = [];
    for (let i = 0; i < members.length; i++) parts.push(encodeEntry(members[i]), encodeEntry(packedScoreText(scores[i])));
    return new PackedZset(parts.join(''), members.length);
  }

  /**
   * The set whose `n` member and score pairs arrive already packed
   * (loading a listpack), when fromSorted would build the same string from
   * them: every score written as fromSorted writes it, the pairs in order,
   * and the members no more than `maxMemberBytes` together; else null.
   */
  static ifCanonical(p: Packed, n: number, maxMemberBytes: number): PackedZset | null {
    let memberBytes = 0;
    let prevScore = -Infinity;
    let prevMember = -1;
    for (let i = 0, pos = 0; i < n; i++) {
      const scorePos = nextEntry(p, pos);
      memberBytes += scorePos - dataStart(p, pos);
      const score = packedScoreAt(p, scorePos);
      if (score !== score || !entryEquals(p, scorePos, packedScoreText(score))) return null;
      if (i > 0 && !(prevScore < score || (prevScore === score && entryAt(p, prevMember) < entryAt(p, pos)))) return null;
      prevScore = score;
      prevMember = pos;
      pos = nextEntry(p, scorePos);
    }
    return memberBytes <= maxMemberBytes ? new PackedZset(p, n) : null;
  }

  /** The bytes this encoding holds, what Redis's lpSafeToAdd weighs. */
  get bytes(): number {
    return this.p.length;
  }

  /** The position of `member`'s entry, or -1. */
  private find(member: string): number {
    return findEntry(this.p, member, 2);
  }

  score(member: string): number | undefined {
    const pos = this.find(member);
    return pos === -1 ? undefined : packedScoreAt(this.p, nextEntry(this.p, pos));
  }

  /** Adds a member that is not in the set, before the first entry that comes after it. */
  insert(member: string, score: number): void {
    const p = this.p;
    const entry = encodeEntry(member) + encodeEntry(packedScoreText(score));
    if (this.size > 0) {
      const last = this.lastPos();
      const lastScore = packedScoreAt(p, nextEntry(p, last));
      if (score > lastScore || (score === lastScore && entryAt(p, last) < member)) {
        this.p = flat(p + entry);
        this.tail = p.length;
        this.size++;
        return;
      }
    }
    let pos = 0;
    while (pos < p.length) {
      const scorePos = nextEntry(p, pos);
      const s = packedScoreAt(p, scorePos);
      if (s > score || (s === score && entryAt(p, pos) > member)) break;
      pos = nextEntry(p, scorePos);
    }
    this.p = flat(splice(p, pos, pos, entry));
    this.spliced(pos, pos, entry.length);
    if (this.size++ === 0) this.tail = 0;
  }

  /** Removes `member`; false when it is not there. */
  remove(member: string): boolean {
    const pos = this.find(member);
    if (pos === -1) return false;
    const end = nextEntry(this.p, nextEntry(this.p, pos));
    this.p = flat(splice(this.p, pos, end, ''));
    this.spliced(pos, end, 0);
    this.size--;
    return true;
  }

  /** The 0-based rank of `member`, or -1. */
  rank(member: string): number {
    const p = this.p;
    let rank = 0;
    for (let pos = 0; pos < p.length; pos = nextEntry(p, nextEntry(p, pos)), rank++) {
      if (entryEquals(p, pos, member)) return rank;
    }
    return -1;
  }

  /** How many entries from the front score below `bound` (at or below it when `inclusive`): countWhile without a member made or a closure called for each. */
  countScoresBelow(bound: number, inclusive: boolean): number {
    const p = this.p;
    let n = 0;
    for (let pos = 0; pos < p.length; n++) {
      const scorePos = nextEntry(p, pos);
      const s = packedScoreAt(p, scorePos);
      if (inclusive ? s > bound : s >= bound) break;
      pos = nextEntry(p, scorePos);
    }
    return n;
  }

  /** How many entries come before the first for which `inPrefix` is false, walking from the front. */
  countWhile(inPrefix: (score: number, member: string) => boolean): number {
    const p = this.p;
    let n = 0;
    for (let pos = 0; pos < p.length; n++) {
      const scorePos = nextEntry(p, pos);
      if (!inPrefix(packedScoreAt(p, scorePos), entryAt(p, pos))) break;
      pos = nextEntry(p, scorePos);
    }
    return n;
  }

  /** The position of the entry of rank r. */
  private seek(r: number): number {
    const p = this.p;
    let pos = 0;
    for (let i = 0; i < r; i++) pos = nextEntry(p, nextEntry(p, pos));
    return pos;
  }

  memberAt(r: number): string {
    return entryAt(this.p, this.seek(r));
  }

  scoreAt(r: number): number {
    return packedScoreAt(this.p, nextEntry(this.p, this.seek(r)));
  }

  /** The score of rank r as it is kept, the text ZSCAN gives. */
  scoreTextAt(r: number): string {
    return entryAt(this.p, nextEntry(this.p, this.seek(r)));
  }

  /**
   * Calls `fn` for `count` entries from rank `start` on, or from it
   * backwards when `reverse`; with `own`, members are copies (ownCopy).
   */
  forRange(start: number, count: number, reverse: boolean, fn: (member: string, score: number) => void, own = false): void {
    if (count <= 0) return;
    const first = reverse ? start - count + 1 : start;
    const p = this.p;
    let pos = this.seek(first);
    if (!reverse) {
      for (let i = 0; i < count; i++) {
        const scorePos = nextEntry(p, pos);
        const m = entryAt(p, pos);
        fn(own ? ownCopy(m) : m, packedScoreAt(p, scorePos));
        pos = nextEntry(p, scorePos);
      }
      return;
    }
    const members: string[] = [];
    const scores: number[] = [];
    for (let i = 0; i < count; i++) {
      const scorePos = nextEntry(p, pos);
      const m = entryAt(p, pos);
      members.push(own ? ownCopy(m) : m);
      scores.push(packedScoreAt(p, scorePos));
      pos = nextEntry(p, scorePos);
    }
    for (let i = count - 1; i >= 0; i--) fn(members[i], scores[i]);
  }

  /** Removes `count` entries from rank `start` on, in one splice. */
  removeRange(start: number, count: number): void {
    const from = this.seek(start);
    let to = from;
    for (let i = 0; i < count; i++) to = nextEntry(this.p, nextEntry(this.p, to));
    this.p = flat(splice(this.p, from, to, ''));
    this.spliced(from, to, 0);
    this.size -= count;
  }
}
