import { encodedSize, ownCopy } from '../../keyspace/compact/packed.js';
import { PackedZset } from './packed-zset.js';
import { packedScoreText } from './score.js';
import { TreeZset } from './tree-zset.js';
import { PACKED_MAX_BYTES, type ZSetValue, type ZsetLimits } from './zset-value.js';

/** What ZADD's loop does to a set, one pair at a time. */
export interface ZaddTarget {
  score(member: string): number | undefined;
  add(member: string, score: number, limits: ZsetLimits): void;
  update(member: string, from: number, to: number): void;
}

/**
 * A packed set opened for a ZADD of many pairs: its entries in arrays while
 * the pairs are applied, packed into one string at `close()`. Applying each
 * pair to the packed string would build a new string per pair, garbage that
 * a big load of small sets leaves in the heap. The same conversion rule
 * applies as pair by pair: the pair that takes the set past the thresholds
 * turns it into a tree, which the remaining pairs go to.
 */
export class PackedEditor implements ZaddTarget {
  private readonly members: string[] = [];
  private readonly scores: number[] = [];
  private bytes: number;
  private converted = false;

  constructor(private readonly z: ZSetValue) {
    const body = z.body as PackedZset;
    this.bytes = body.bytes;
    body.forRange(0, body.size, false, (m, s) => {
      this.members.push(m);
      this.scores.push(s);
    });
  }

  private find(member: string): number {
    return this.members.indexOf(member);
  }

  score(member: string): number | undefined {
    if (this.converted) return this.z.score(member);
    const i = this.find(member);
    return i === -1 ? undefined : this.scores[i];
  }

  add(member: string, score: number, limits: ZsetLimits): void {
    if (!this.converted) {
      const n = this.members.length;
      if (n + 1 <= limits.entries && member.length <= limits.value && this.bytes + member.length <= PACKED_MAX_BYTES) {
        this.insert(member, score);
        return;
      }
      this.z.body = TreeZset.fromSorted(this.members.map(ownCopy), this.scores);
      this.converted = true;
    }
    this.z.add(member, score, limits);
  }

  update(member: string, from: number, to: number): void {
    if (this.converted) {
      this.z.update(member, from, to);
      return;
    }
    const i = this.find(member);
    this.bytes -= encodedSize(member) + encodedSize(packedScoreText(this.scores[i]));
    this.members.splice(i, 1);
    this.scores.splice(i, 1);
    this.insert(member, to);
  }

  /** Inserts in order, the score as the packed string would give it back (-0 as 0). */
  private insert(member: string, score: number): void {
    const stored = score === 0 ? 0 : score;
    const { members, scores } = this;
    let lo = 0;
    let hi = members.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (scores[mid] < stored || (scores[mid] === stored && members[mid] < member)) lo = mid + 1;
      else hi = mid;
    }
    members.splice(lo, 0, member);
    scores.splice(lo, 0, stored);
    this.bytes += encodedSize(member) + encodedSize(packedScoreText(stored));
  }

  /** Writes the entries back as one packed string, unless the set became a tree meanwhile. */
  close(): void {
    if (!this.converted) this.z.body = PackedZset.fromSorted(this.members, this.scores);
  }
}
