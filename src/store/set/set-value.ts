import { encodeEntry, encodedSize, entryAt, findEntry, nextEntry, ownCopy, splice } from '../../keyspace/compact/packed.js';
import type { FrozenChunks } from '../../keyspace/compact/dense-table.js';
import { stringSize, VALUE_OBJECT } from '../../keyspace/heap-size.js';
import type { TypedValue, ValueSnapshot } from '../../keyspace/value.js';
import { HashSet } from './hash-set.js';
import {
  intAt, intInsert, intRemove, intSearch, intsetOf, intText, parseIntMember, widthFor, widthOfAll, type IntMember,
} from './intset.js';
import {
  ENCODING_NAMES, HASHTABLE, INTSET, intsetCap, LISTPACK, PACKED_LIMIT, type SetLimits,
} from './set-encoding.js';
import { SetSnapshot } from './set-snapshot.js';

/** Memory a hashtable set takes per member besides its bytes (measured, Node 20: its slot's offset and length, its hash and the index). */
const HASHTABLE_SLOT_BYTES = 31;

/** SADD takes members into a listpack or intset in one go (addAll) when it brings at least this many. */
const BATCH_MIN = 8;
/** Nor past this many in all, within what a JS Set holds. */
const BATCH_MAX = 1 << 23;

/**
 * A set value in one of Redis 7.2's three encodings, converted as t_set.c
 * converts them:
 *
 * - intset: while every member is an integer as string2ll reads it and
 *   there are at most set-max-intset-entries (a sorted string of 2-, 4- or
 *   8-byte integers, intset.ts);
 * - listpack: while there are at most set-max-listpack-entries members of
 *   at most set-max-listpack-value bytes (a packed string, compact/packed.ts);
 * - hashtable: otherwise (hash-set.ts).
 *
 * As in Redis a set never returns to a smaller encoding by itself; only a
 * command that builds a new set (SPOP's rebuild, SINTERSTORE) chooses again.
 * Methods taking SetLimits are the ones where the thresholds decide.
 */
export class SetValue implements TypedValue {
  readonly type = 'set' as const;

  private constructor(
    private enc: number,
    /** The intset's or listpack's bytes; '' for a hashtable. */
    private packed: string,
    /** Bytes per intset member. */
    private width: number,
    /** Members of an intset or listpack. */
    private n: number,
    private table: HashSet | null,
  ) {}

  warm(): number {
    return this.packed.length;
  }

  static intset(): SetValue {
    return new SetValue(INTSET, '', 2, 0, null);
  }

  static listpack(): SetValue {
    return new SetValue(LISTPACK, '', 2, 0, null);
  }

  /**
   * Redis's setTypeCreate: an empty set in the encoding that suits
   * `sizeHint` members about to arrive, the first of them `first`.
   */
  static create(first: string, sizeHint: number, lim: SetLimits): SetValue {
    if (parseIntMember(first) !== null && sizeHint <= lim.intsetEntries) return SetValue.intset();
    if (sizeHint <= lim.listpackEntries) return SetValue.listpack();
    return new SetValue(HASHTABLE, '', 2, 0, new HashSet());
  }

  /**
   * A set of `n` distinct members that arrive already packed (loading a
   * listpack), the longest `longest` long: the listpack that creating the
   * set and adding them makes, else null (an intset, a hashtable), for
   * create and addAll to decide.
   */
  static packedIfFits(packed: string, n: number, longest: number, lim: SetLimits): SetValue | null {
    if (n > lim.listpackEntries || longest > lim.listpackValue || packed.length > PACKED_LIMIT) return null;
    if (n <= lim.intsetEntries && parseIntMember(entryAt(packed, 0)) !== null) return null;
    return new SetValue(LISTPACK, packed, 2, n, null);
  }

  get size(): number {
    return this.table === null ? this.n : this.table.size;
  }

  encoding(): string {
    return ENCODING_NAMES[this.enc];
  }

  get isListpack(): boolean {
    return this.enc === LISTPACK;
  }

  /** Bytes per member of an intset: the narrowest that held every member it has had, as Redis's intset never narrows. */
  get intsetWidth(): number {
    return this.width;
  }

  get isIntset(): boolean {
    return this.enc === INTSET;
  }

  /** Redis's setTypeMaybeConvert: a small encoding that `sizeHint` new members would overflow becomes a hashtable at once. */
  maybeConvert(sizeHint: number, lim: SetLimits): void {
    if ((this.enc === LISTPACK && sizeHint > lim.listpackEntries) || (this.enc === INTSET && sizeHint > lim.intsetEntries)) {
      this.toHashtable();
    }
  }

  has(m: string): boolean {
    if (this.enc === HASHTABLE) return this.table!.has(m);
    if (this.enc === LISTPACK) return findEntry(this.packed, m) >= 0;
    const v = parseIntMember(m);
    return v !== null && intSearch(this.packed, this.width, this.n, v) >= 0;
  }

  /** Adds a member (Redis's setTypeAddAux), converting the encoding where Redis does; false if it was one already. */
  add(m: string, lim: SetLimits): boolean {
    if (this.enc === HASHTABLE) return this.table!.add(m);
    if (this.enc === LISTPACK) {
      if (findEntry(this.packed, m) >= 0) return false;
      if (this.n < lim.listpackEntries && m.length <= lim.listpackValue && this.packed.length + encodedSize(m) <= PACKED_LIMIT) {
        this.packed += encodeEntry(m);
        this.n++;
      } else {
        this.toHashtable();
        this.table!.add(m);
      }
      return true;
    }
    const v = parseIntMember(m);
    if (v !== null) return this.addInt(v, lim);
    if (this.listpackCanTake(m, lim)) {
      this.intsetToListpack();
      this.packed += encodeEntry(m);
      this.n++;
    } else {
      this.toHashtable();
      this.table!.add(m);
    }
    return true;
  }

  /**
   * SADD's adds of argv[from..], with add()'s results and conversions, and
   * how many were new. A listpack taking many members is searched through a
   * lookup of its members built once and grown by one join, and an intset
   * rebuilt once with all the integers that fit, rather than each scanned
   * or copied once per member.
   */
  addAll(argv: readonly string[], from: number, lim: SetLimits): number {
    let added = 0;
    let i = from;
    while (i < argv.length) {
      const batch = this.enc !== HASHTABLE && argv.length - i >= BATCH_MIN && this.n + argv.length - i <= BATCH_MAX;
      if (!batch) {
        if (this.add(argv[i++], lim)) added++;
        continue;
      }
      if (this.enc === INTSET) {
        const before = this.n;
        i = this.takeInts(argv, i, lim);
        added += this.n - before;
        if (i < argv.length && this.add(argv[i++], lim)) added++;
        continue;
      }
      const known = new Set<string>();
      this.each((m) => {
        known.add(m);
      });
      const parts = [this.packed];
      let bytes = this.packed.length;
      for (; i < argv.length; i++) {
        const m = argv[i];
        if (known.has(m)) continue;
        const size = encodedSize(m);
        // A member the listpack cannot take converts it: add() below does that, then the rest go one by one.
        if (!(this.n < lim.listpackEntries && m.length <= lim.listpackValue && bytes + size <= PACKED_LIMIT)) break;
        known.add(m);
        parts.push(encodeEntry(m));
        bytes += size;
        this.n++;
        added++;
      }
      this.packed = parts.join('');
      if (i < argv.length && this.add(argv[i++], lim)) added++;
    }
    return added;
  }

  /**
   * addAll's intset part: the integers from argv[from] on, up to the first
   * member that would convert the set (a non-integer, or one integer too
   * many), merged into the intset in one rebuild. Returns the index of
   * the member it stopped at.
   */
  private takeInts(argv: readonly string[], from: number, lim: SetLimits): number {
    const cap = intsetCap(lim);
    const fresh: IntMember[] = [];
    const seen = new Set<IntMember>();
    let i = from;
    for (; i < argv.length; i++) {
      const v = parseIntMember(argv[i]);
      if (v === null) break;
      if (seen.has(v) || intSearch(this.packed, this.width, this.n, v) >= 0) continue;
      if (this.n + fresh.length + 1 > cap) break;
      seen.add(v);
      fresh.push(v);
    }
    if (fresh.length === 0) return i;
    for (let k = 0; k < this.n; k++) fresh.push(intAt(this.packed, this.width, k));
    this.width = Math.max(this.width, widthOfAll(fresh));
    this.packed = intsetOf(fresh, this.width);
    this.n = fresh.length;
    return i;
  }

  private addInt(v: IntMember, lim: SetLimits): boolean {
    const at = intSearch(this.packed, this.width, this.n, v);
    if (at >= 0) return false;
    this.packed = intInsert(this.packed, this.width, this.n, v, -at - 1);
    this.width = Math.max(this.width, widthFor(v));
    this.n++;
    if (this.n > intsetCap(lim)) this.toHashtable();
    return true;
  }

  /**
   * Whether an intset taking the non-integer `m` becomes a listpack rather
   * than a hashtable: Redis sizes every member as the longer of the
   * smallest and largest in decimal.
   */
  private listpackCanTake(m: string, lim: SetLimits): boolean {
    const n = this.n;
    const longest = n === 0 ? 0 : Math.max(intText(this.packed, this.width, 0).length, intText(this.packed, this.width, n - 1).length);
    return n < lim.listpackEntries && m.length <= lim.listpackValue && longest <= lim.listpackValue
      && n * (longest + 1) + encodedSize(m) <= PACKED_LIMIT;
  }

  /** Removes a member; false if it was not one. */
  remove(m: string): boolean {
    if (this.enc === HASHTABLE) return this.table!.delete(m);
    if (this.enc === LISTPACK) {
      const pos = findEntry(this.packed, m);
      if (pos < 0) return false;
      this.packed = splice(this.packed, pos, nextEntry(this.packed, pos), '');
      this.n--;
      return true;
    }
    const v = parseIntMember(m);
    if (v === null) return false;
    const at = intSearch(this.packed, this.width, this.n, v);
    if (at < 0) return false;
    this.packed = intRemove(this.packed, this.width, at);
    this.n--;
    return true;
  }

  /**
   * Calls `f` with every member in the encoding's order (an intset's is
   * ascending), until it returns false; false if it was stopped. A
   * listpack's members are views into its string unless `own` asks for
   * copies (see ownCopy).
   */
  each(f: (m: string) => boolean | void, own = false): boolean {
    if (this.enc === HASHTABLE) return this.table!.each(f);
    const p = this.packed;
    if (this.enc === LISTPACK) {
      for (let pos = 0; pos < p.length; pos = nextEntry(p, pos)) {
        const m = entryAt(p, pos);
        if (f(own ? ownCopy(m) : m) === false) return false;
      }
      return true;
    }
    for (let i = 0; i < this.n; i++) if (f(intText(p, this.width, i)) === false) return false;
    return true;
  }

  /** The member at position `i` of the encoding's order: O(1) but for a listpack. */
  memberAt(i: number): string {
    if (this.enc === HASHTABLE) return this.table!.at(i);
    if (this.enc === INTSET) return intText(this.packed, this.width, i);
    return entryAt(this.packed, this.positionOf(i));
  }

  /** Removes the member at position `i` and returns it. */
  removeAt(i: number): string {
    if (this.enc === HASHTABLE) return this.table!.removeAt(i);
    let m: string;
    if (this.enc === INTSET) {
      m = intText(this.packed, this.width, i);
      this.packed = intRemove(this.packed, this.width, i);
    } else {
      const pos = this.positionOf(i);
      m = entryAt(this.packed, pos);
      this.packed = splice(this.packed, pos, nextEntry(this.packed, pos), '');
    }
    this.n--;
    return m;
  }

  private positionOf(i: number): number {
    let pos = 0;
    for (; i > 0; i--) pos = nextEntry(this.packed, pos);
    return pos;
  }

  /** A uniformly random member; the set must not be empty. */
  random(): string {
    return this.memberAt(Math.floor(Math.random() * this.size));
  }

  /** Removes a uniformly random member and returns it; the set must not be empty. */
  popRandom(): string {
    return this.removeAt(Math.floor(Math.random() * this.size));
  }

  /**
   * A listpack's members at the positions `chosen` marks, in order,
   * removed from the set when `remove` (one pass, as Redis's lpBatchDelete).
   */
  listpackTake(chosen: Uint8Array, remove: boolean): string[] {
    const p = this.packed;
    const out: string[] = [];
    const kept: string[] = [];
    let i = 0;
    for (let pos = 0; pos < p.length; i++) {
      const next = nextEntry(p, pos);
      if (chosen[i] === 1) out.push(entryAt(p, pos));
      else if (remove) kept.push(p.slice(pos, next));
      pos = next;
    }
    if (remove) {
      this.packed = kept.join('');
      this.n -= out.length;
    }
    return out;
  }

  /** Takes over `other`'s members and encoding (SPOP's rebuilt set replacing the old one). */
  adopt(other: SetValue): void {
    this.enc = other.enc;
    this.packed = other.packed;
    this.width = other.width;
    this.n = other.n;
    this.table = other.table;
  }

  /**
   * Redis's maybeConvertToIntset, for a set whose members are all integers:
   * it becomes an intset unless it has too many members for one.
   */
  toIntsetIfFits(lim: SetLimits): void {
    if (this.enc === INTSET || this.size > intsetCap(lim)) return;
    const values: IntMember[] = [];
    this.each((m) => {
      values.push(parseIntMember(m)!);
    });
    this.width = widthOfAll(values);
    this.packed = intsetOf(values, this.width);
    this.n = values.length;
    this.enc = INTSET;
    this.table = null;
  }

  /** The average member length in bytes (an intset's is its width's longest decimal). */
  averageLength(): number {
    if (this.enc === HASHTABLE) return this.table!.bytes / this.table!.size;
    if (this.enc === LISTPACK) return this.packed.length / this.n;
    return this.width === 2 ? 6 : this.width === 4 ? 11 : 20;
  }

  /** Every member, as the iteration order gives them. */
  members(): string[] {
    const out: string[] = [];
    this.each((m) => {
      out.push(m);
    });
    return out;
  }

  /**
   * SSCAN's step from `cursor`: an intset or listpack gives every member
   * and cursor 0, as Redis's do; a hashtable `count` positions (HashSet.scan).
   */
  scan(cursor: number, count: number): { next: number; members: string[] } {
    if (this.table === null) return { next: 0, members: this.members() };
    const members: string[] = [];
    return { next: this.table.scan(cursor, count, members), members };
  }

  private toHashtable(): void {
    const table = new HashSet();
    this.each((m) => {
      table.add(m);
    }, true);
    this.enc = HASHTABLE;
    this.table = table;
    this.packed = '';
    this.n = 0;
  }

  private intsetToListpack(): void {
    const parts: string[] = [];
    for (let i = 0; i < this.n; i++) parts.push(encodeEntry(intText(this.packed, this.width, i)));
    this.packed = parts.join('');
    this.enc = LISTPACK;
  }

  /**
   * A packed encoding is its one string; a hashtable's members are counted
   * exactly from its byte total, plus what the table takes per member
   * (HASHTABLE_SLOT_BYTES).
   */
  memoryUsage(): number {
    if (this.table === null) return VALUE_OBJECT + stringSize(this.packed.length);
    const t = this.table;
    return 2 * VALUE_OBJECT + t.size * HASHTABLE_SLOT_BYTES + t.bytes;
  }

  /** COPY: the same members in the same encoding; a hashtable's chunks are shared copy-on-write. */
  clone(): SetValue {
    return new SetValue(this.enc, this.packed, this.width, this.n, this.table === null ? null : this.table.clone());
  }

  /** O(1) for the packed encodings (their strings never change), O(size / 1024) for a hashtable. */
  snapshot(): ValueSnapshot {
    return new SetSnapshot(this.enc, this.packed, this.width, this.n, this.frozenMembers());
  }

  /** A hashtable's members as they are now, in position order, unchanged by later writes; null for the packed encodings. */
  frozenMembers(): FrozenChunks | null {
    return this.table === null ? null : this.table.frozen();
  }
}
