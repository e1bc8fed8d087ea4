import { constants } from 'node:buffer';
import { encodeEntry, encodedSize, entryAt, entryEquals, findEntry, nextEntry, ownCopy, splice, type Packed } from '../../keyspace/compact/packed.js';
import type { Database } from '../../keyspace/database.js';
import type { Keyspace } from '../../keyspace/keyspace.js';
import { sampledSize, stringSize, VALUE_OBJECT } from '../../keyspace/heap-size.js';
import { keptAsBytes } from '../../keyspace/compact/byte-chunk.js';
import type { TypedValue, ValueSnapshot } from '../../keyspace/value.js';
import { FieldDeadlines } from './field-deadlines.js';
import { expireDueFields } from './hash-expiry.js';
import { PackedSnapshot, TableSnapshot } from './hash-snapshot.js';
import { DenseMap } from '../../keyspace/compact/dense-map.js';
import { deadlineAt, encodeTuple, forEachTuple, insertTuple, tupleEnd, valueAt } from './packed-tuples.js';

/** hash-max-listpack-entries and hash-max-listpack-value, read once per command. */
export interface HashLimits {
  entries: number;
  value: number;
}

/** What `deadline` answers for a field the hash does not have. */
export const NO_FIELD = -2;
/** What `deadline` answers for a field without a deadline. */
export const NO_DEADLINE = -1;

/**
 * A packed hash is one JS string; Redis converts a listpack that would pass
 * 1 GiB (lpSafeToAdd), and a string cannot pass V8's limit, half that. The
 * margin covers length prefixes.
 */
const PACKED_MAX = constants.MAX_STRING_LENGTH - 1024;

/**
 * Pairs up to which a new hash's fields are checked for repeats pairwise
 * (at most 120 comparisons) rather than through an index Map.
 */
const FRESH_PAIRS = 16;

/**
 * The packed size up to which a hash that Redis holds as a hashtable only
 * because a string passed hash-max-listpack-value stays packed here: 128
 * entries of 64 bytes, what an ordinary packed hash can reach anyway, so a
 * write's copy of the string costs what it costs there. A table of a few
 * fields takes several hundred bytes of its own (measured: a BullMQ job's
 * six fields, 1,016 bytes as a table by MEMORY USAGE, 328 packed).
 */
const SMALL_TABLE_CHARS = 128 * 64;

/** Memory a hashtable hash takes per field besides its field's and value's bytes (measured, Node 20: two slots' offsets and lengths, the hash and the index). */
const TABLE_ENTRY_BYTES = 40;

/** HSET's pairs up to which an existing packed hash takes them one by one (setPairs). */
const FEW_PAIRS = 8;

/**
 * A hash value. Small hashes are packed (Redis's `listpack`): field, value,
 * field, value… in one string, in insertion order, searched from the front.
 * Past hash-max-listpack-entries fields, or once a field or value is longer
 * than hash-max-listpack-value bytes, Redis's hash turns into a hashtable
 * for good: it never converts back. This one then reports `hashtable` for
 * good too, but moves into a DenseMap only past the entry limit or once
 * its packed string passes SMALL_TABLE_CHARS: a few long values (a job's
 * JSON) stay in one string rather than a table's objects.
 *
 * Fields may have deadlines (Redis 7.4's hash field expiration). A packed
 * hash that a field-expiry command has touched keeps a deadline beside
 * every pair (`listpackex`, see packed-tuples.ts); a table keeps them in
 * FieldDeadlines. The value stores deadlines and answers which fields are
 * due; what expiring one means (events, propagation) is hash-expiry.ts's.
 */
export class HashValue implements TypedValue {
  readonly type = 'hash' as const;
  /** The packed tuples; null once the hash is a table. */
  private packed: Packed | null;
  /** Tuples in `packed`. */
  private pairs: number;
  /** Packed tuples carry a deadline (listpackex). */
  private volatile: boolean;
  private table: DenseMap<string> | null;
  /** Redis would hold this hash as a hashtable (see the class comment); it may still be packed here. */
  private tableEncoded = false;
  /** A table's field deadlines, from its first. */
  private deadlines: FieldDeadlines | null = null;
  /**
   * The longest field and value a table has held (never lowered): what
   * bounds the reply of HRANDFIELD with a negative count.
   */
  private longestField = 0;
  private longestValue = 0;

  warm(): number {
    return this.packed === null ? 0 : this.packed.length;
  }

  constructor(packed: Packed | null = '', pairs = 0, table: DenseMap<string> | null = null, volatile = false) {
    this.packed = packed;
    this.pairs = pairs;
    this.table = table;
    this.volatile = volatile;
  }

  /**
   * A hash of `pairs` distinct fields whose pairs arrive already packed
   * (loading a listpack), the longest string `longest` and all of them
   * `bytes` long: the hash a fresh HSET of them makes when it keeps them
   * packed, else null, for that HSET (setPairs) to decide.
   */
  static packedIfFits(packed: Packed, pairs: number, longest: number, bytes: number, limits: HashLimits): HashValue | null {
    if (pairs > limits.entries || pairs > FRESH_PAIRS || longest > limits.value || bytes + 10 * pairs > PACKED_MAX) return null;
    return new HashValue(packed, pairs);
  }

  get size(): number {
    return this.table === null ? this.pairs : this.table.size;
  }

  encoding(): string {
    if (this.table !== null || this.tableEncoded) return 'hashtable';
    return this.volatile ? 'listpackex' : 'listpack';
  }

  /** The table, once the hash has one: HSCAN and HRANDFIELD work on it directly. */
  get large(): DenseMap<string> | null {
    return this.table;
  }

  /**
   * The table HSCAN walks, or null for a listpack, which it returns whole:
   * a hash Redis holds as a hashtable but kept packed here becomes a table
   * now, so that HSCAN pages it by COUNT as Redis's does (clients such as
   * BullMQ read a page's size from it).
   */
  scanTable(): DenseMap<string> | null {
    if (this.tableEncoded && this.table === null) this.convert();
    return this.table;
  }

  private get stride(): number {
    return this.volatile ? 3 : 2;
  }

  clone(): HashValue {
    if (this.table === null) {
      const copy = new HashValue(this.packed, this.pairs, null, this.volatile);
      copy.tableEncoded = this.tableEncoded;
      return copy;
    }
    const copy = new HashValue(null, 0, this.table.clone());
    copy.deadlines = this.deadlines?.clone() ?? null;
    copy.longestField = this.longestField;
    copy.longestValue = this.longestValue;
    return copy;
  }

  /**
   * A packed hash is its one string; a table's fields and values are
   * sampled, plus what the table takes per field (TABLE_ENTRY_BYTES).
   */
  memoryUsage(samples: number): number {
    if (this.table === null) return VALUE_OBJECT + stringSize(this.packed!.length);
    const t = this.table;
    const entries = sampledSize(t.size, samples, (i) => slotSize(t.keyAt(i)) + slotSize(t.valueAt(i)));
    return 3 * VALUE_OBJECT + t.size * TABLE_ENTRY_BYTES + entries;
  }

  /** A packed hash is an immutable string; a table's shards are frozen and copied by the next writes. */
  snapshot(): ValueSnapshot {
    if (this.table === null) return new PackedSnapshot(this.packed!, this.stride);
    return new TableSnapshot(this.table.freeze(), this.deadlines?.freeze() ?? []);
  }

  partDeadline(): number {
    return this.nextDeadline();
  }

  expireParts(ks: Keyspace, db: Database, key: string, now: number, budget: number): number {
    return expireDueFields(ks, db, key, this, now, budget);
  }

  /** The value of a field, whether or not its deadline has passed. */
  get(field: string): string | undefined {
    if (this.table !== null) return this.table.get(field);
    const p = this.packed!;
    const at = findEntry(p, field, this.stride);
    return at === -1 ? undefined : valueAt(p, at);
  }

  has(field: string): boolean {
    return this.table !== null ? this.table.has(field) : findEntry(this.packed!, field, this.stride) !== -1;
  }

  /** A field's deadline in ms, NO_DEADLINE, or NO_FIELD. */
  deadline(field: string): number {
    if (this.table !== null) {
      if (!this.table.has(field)) return NO_FIELD;
      return this.deadlines?.get(field) ?? NO_DEADLINE;
    }
    const p = this.packed!;
    const at = findEntry(p, field, this.stride);
    if (at === -1) return NO_FIELD;
    return this.volatile ? deadlineAt(p, at) : NO_DEADLINE;
  }

  /** Whether any field has a deadline: O(1), so that reads skip expiry checks otherwise. */
  hasDeadlines(): boolean {
    if (this.table !== null) return this.deadlines !== null && this.deadlines.size !== 0;
    // Fields with a deadline come first.
    return this.volatile && this.pairs > 0 && deadlineAt(this.packed!, 0) !== -1;
  }

  /** The earliest deadline of any field, -1 when none has one. */
  nextDeadline(): number {
    if (this.table !== null) return this.deadlines?.next() ?? -1;
    return this.volatile && this.pairs > 0 ? deadlineAt(this.packed!, 0) : -1;
  }

  /**
   * Readies the hash for field deadlines, as Redis's hashTypeSetExInit
   * does before a field-expiry command: a packed hash gets a deadline slot
   * beside every pair (listpackex), for good.
   */
  allowDeadlines(): void {
    if (this.table !== null || this.volatile) return;
    const parts: string[] = [];
    forEachTuple(this.packed!, 2, (f, v) => parts.push(encodeTuple(f, v, -1)));
    this.packed = parts.join('');
    this.volatile = true;
    this.settle();
  }

  /** Gives an existing field a deadline (allowDeadlines first). */
  setDeadline(field: string, when: number): void {
    if (this.table !== null) {
      (this.deadlines ??= new FieldDeadlines()).set(field, when);
      return;
    }
    const p = this.packed!;
    const at = findEntry(p, field, 3);
    const value = valueAt(p, at);
    this.packed = insertTuple(splice(p, at, tupleEnd(p, at, 3), ''), encodeTuple(field, value, when), when);
    this.settle();
  }

  /** Drops a field's deadline; true when it had one. A packed field moves to the end, as in Redis. */
  persist(field: string): boolean {
    if (this.table !== null) return this.deadlines?.delete(field) ?? false;
    if (!this.volatile) return false;
    const p = this.packed!;
    const at = findEntry(p, field, 3);
    if (at === -1 || deadlineAt(p, at) === -1) return false;
    this.packed = splice(p, at, tupleEnd(p, at, 3), '') + encodeTuple(field, valueAt(p, at), -1);
    return true;
  }

  /**
   * HSET's field/value pairs argv[from..]; returns how many fields are new.
   * Packed, several pairs are applied to the unpacked pairs and packed
   * once, rather than the packed string being rebuilt for each.
   */
  setPairs(argv: readonly string[], from: number, limits: HashLimits): number {
    // One pair: set() makes every check prepare() would, the entry limit's after the write, to the same effect.
    if (argv.length - from === 2) return this.set(argv[from], argv[from + 1], limits) ? 1 : 0;
    this.prepare(argv, from, limits);
    let added = 0;
    if (this.table !== null || this.volatile) {
      for (let i = from; i < argv.length; i += 2) if (this.set(argv[i], argv[i + 1], limits)) added++;
      return added;
    }
    if (this.pairs === 0 && argv.length - from <= 2 * FRESH_PAIRS && this.packFresh(argv, from)) {
      this.settle();
      return this.pairs;
    }
    // A few pairs are set one by one: unpacking every pair into arrays and a Map and packing them again costs more
    // than a few walks and splices of the string.
    if (argv.length - from <= 2 * FEW_PAIRS) {
      for (let i = from; i < argv.length; i += 2) if (this.set(argv[i], argv[i + 1], limits)) added++;
      return added;
    }
    const fields: string[] = [];
    const values: string[] = [];
    const index = new Map<string, number>();
    forEachTuple(this.packed!, 2, (f, v) => {
      index.set(f, fields.length);
      fields.push(f);
      values.push(v);
    });
    for (let i = from; i < argv.length; i += 2) {
      const at = index.get(argv[i]);
      if (at !== undefined) {
        values[at] = argv[i + 1];
        continue;
      }
      index.set(argv[i], fields.length);
      fields.push(argv[i]);
      values.push(argv[i + 1]);
      added++;
      if (fields.length > limits.entries) {
        // One field too many: the rest goes into the table, as Redis converts in the middle of an HSET.
        this.packed = null;
        this.pairs = 0;
        this.table = new DenseMap<string>();
        for (let j = 0; j < fields.length; j++) this.tableSet(ownCopy(fields[j]), ownCopy(values[j]));
        for (let j = i + 2; j < argv.length; j += 2) if (this.tableSet(argv[j], argv[j + 1])) added++;
        return added;
      }
    }
    const parts: string[] = [];
    for (let j = 0; j < fields.length; j++) parts.push(encodeEntry(fields[j]), encodeEntry(values[j]));
    this.packed = parts.join('');
    this.pairs = fields.length;
    this.settleWritten(limits);
    return added;
  }

  /**
   * An empty packed hash takes pairs with distinct fields (a new key's
   * HSET, a loaded listpack) packed in one go; false, changing nothing,
   * when a field repeats, which the general path resolves.
   */
  private packFresh(argv: readonly string[], from: number): boolean {
    for (let i = from + 2; i < argv.length; i += 2) {
      const f = argv[i];
      for (let j = from; j < i; j += 2) if (argv[j] === f) return false;
    }
    const parts: string[] = [];
    for (let i = from; i < argv.length; i++) parts.push(encodeEntry(argv[i]));
    this.packed = parts.join('');
    this.pairs = (argv.length - from) >> 1;
    return true;
  }

  /**
   * Redis's hashTypeTryConversion, before a write of the field/value
   * arguments argv[from..]: converts when they could not all stay packed
   * (more pairs than the entry limit, duplicates or not; a string over the
   * value limit; a packed string past its size limit).
   */
  private prepare(argv: readonly string[], from: number, limits: HashLimits): void {
    if (this.table !== null) return;
    if ((argv.length - from) >> 1 > limits.entries) {
      this.convert();
      return;
    }
    // With room for each entry's length prefix.
    let sum = 0;
    for (let i = from; i < argv.length; i++) {
      const len = argv[i].length;
      if (len > limits.value) this.tableEncoded = true;
      sum += len + 5;
    }
    if (this.packed!.length + sum > (this.tableEncoded ? SMALL_TABLE_CHARS : PACKED_MAX)) this.convert();
  }

  /**
   * Sets a field; true when it is new. Converts first for a long string,
   * after for one field too many. An update drops the field's deadline
   * unless `keepDeadline` (HINCRBY does, HSET does not).
   */
  set(field: string, value: string, limits: HashLimits, keepDeadline = false): boolean {
    if (field.length > limits.value || value.length > limits.value) this.tableEncoded = true;
    // A write that would outgrow SMALL_TABLE_CHARS converts first, so that a big value goes into the table as it came, never copied into a string first.
    if (this.tableEncoded && this.table === null && this.packed!.length + field.length + value.length + 10 > SMALL_TABLE_CHARS) this.convert();
    if (this.table !== null) {
      const added = this.tableSet(field, value);
      if (!added && !keepDeadline && this.deadlines !== null) this.deadlines.delete(field);
      return added;
    }
    const p = this.packed!;
    const stride = this.stride;
    const at = findEntry(p, field, stride);
    const grows = at === -1 ? encodedSize(field) + encodedSize(value) + stride - 1 : encodedSize(value);
    if (p.length + grows > PACKED_MAX) {
      this.convert();
      return this.set(field, value, limits, keepDeadline);
    }
    if (at !== -1) {
      const v = nextEntry(p, at);
      if (this.volatile && !keepDeadline && deadlineAt(p, at) !== -1) {
        this.packed = splice(p, at, tupleEnd(p, at, 3), '') + encodeTuple(field, value, -1);
      } else if (!entryEquals(p, v, value)) {
        // Rewriting a field with the value it holds changes no byte: the string is not rebuilt (nor flattened on the next read).
        this.packed = splice(p, v, nextEntry(p, v), encodeEntry(value));
      }
      this.settleWritten(limits);
      return false;
    }
    this.packed = this.volatile ? p + encodeTuple(field, value, -1) : p + encodeEntry(field) + encodeEntry(value);
    this.pairs++;
    this.settleWritten(limits);
    return true;
  }

  /**
   * After a field was written into the packed string: past the entry limit
   * (new fields, or a limit lowered since the hash was packed, for an
   * update too, as Redis's hashTypeSet checks after every write), or past
   * the size a table-encoded hash is held packed to, it becomes a table.
   */
  private settleWritten(limits: HashLimits): void {
    if (this.pairs > limits.entries) this.convert();
    else this.settle();
  }

  /** Moves a hash that Redis holds as a hashtable into one once its packed string passes SMALL_TABLE_CHARS. */
  private settle(): void {
    if (this.tableEncoded && this.packed !== null && this.packed.length > SMALL_TABLE_CHARS) this.convert();
  }

  private tableSet(field: string, value: string): boolean {
    if (field.length > this.longestField) this.longestField = field.length;
    if (value.length > this.longestValue) this.longestValue = value.length;
    return this.table!.set(field, value);
  }

  delete(field: string): boolean {
    if (this.table !== null) {
      if (!this.table.delete(field)) return false;
      this.deadlines?.delete(field);
      return true;
    }
    const p = this.packed!;
    const at = findEntry(p, field, this.stride);
    if (at === -1) return false;
    this.packed = splice(p, at, tupleEnd(p, at, this.stride), '');
    this.pairs--;
    return true;
  }

  /**
   * Every field and value, packed ones in their order; with `now`, only
   * fields whose deadline has not passed (one due exactly now still counts,
   * as in Redis).
   */
  forEach(fn: (field: string, value: string) => void, now = -1): void {
    if (this.table !== null) {
      const deadlines = now === -1 || this.deadlines === null || this.deadlines.size === 0 ? null : this.deadlines;
      this.table.forEach((v, f) => {
        if (deadlines === null || !((deadlines.get(f) ?? Infinity) < now)) fn(f, v);
      });
      return;
    }
    const skip = now !== -1 && this.volatile;
    forEachTuple(this.packed!, this.stride, (f, v, d) => {
      if (!skip || d === -1 || d >= now) fn(f, v);
    });
  }

  /** Whether the field exists and its deadline has passed (a field due exactly now has not). */
  expiredAt(field: string, now: number): boolean {
    const d = this.deadline(field);
    return d >= 0 && d < now;
  }

  /** Fields whose deadline has not passed at `now`. */
  liveSize(now: number): number {
    let expired = 0;
    if (this.table !== null) {
      this.deadlines?.forEach((when) => {
        if (when < now) expired++;
      });
    } else if (this.volatile) {
      // Fields with deadlines come first, earliest first.
      const p = this.packed!;
      for (let pos = 0; pos < p.length; pos = tupleEnd(p, pos, 3)) {
        const d = deadlineAt(p, pos);
        if (d === -1 || d >= now) break;
        expired++;
      }
    }
    return this.size - expired;
  }

  /** Up to `max` fields due at `now` (deadline at or before it), earliest first; the caller deletes them all. */
  takeDue(now: number, max: number): string[] {
    if (this.table !== null) return this.deadlines?.takeDue(now, max) ?? [];
    const out: string[] = [];
    if (!this.volatile) return out;
    const p = this.packed!;
    for (let pos = 0; pos < p.length && out.length < max; pos = tupleEnd(p, pos, 3)) {
      const d = deadlineAt(p, pos);
      if (d === -1 || d > now) break;
      out.push(ownCopy(entryAt(p, pos)));
    }
    return out;
  }

  /** Fields and values alternately, packed ones in their order. */
  flat(): string[] {
    const out: string[] = [];
    this.forEach((f, v) => out.push(f, v));
    return out;
  }

  /** A field drawn at random (the hash is not empty). */
  randomField(): string {
    if (this.table !== null) return this.table.randomField()!;
    const p = this.packed!;
    let pos = 0;
    for (let i = Math.floor(Math.random() * this.pairs); i > 0; i--) pos = tupleEnd(p, pos, this.stride);
    return entryAt(p, pos);
  }

  /** Bounds on the lengths of the fields and of the values: exact when packed, high-water marks for a table. */
  longest(): { field: number; value: number } {
    if (this.table !== null) return { field: this.longestField, value: this.longestValue };
    let field = 0;
    let value = 0;
    this.forEach((f, v) => {
      if (f.length > field) field = f.length;
      if (v.length > value) value = v.length;
    });
    return { field, value };
  }

  private convert(): void {
    const p = this.packed!;
    const stride = this.stride;
    this.table = new DenseMap<string>();
    this.packed = null;
    this.pairs = 0;
    this.volatile = false;
    forEachTuple(p, stride, (f, v, d) => {
      const field = ownCopy(f);
      this.tableSet(field, ownCopy(v));
      if (d !== -1) (this.deadlines ??= new FieldDeadlines()).set(field, d);
    });
  }
}

/** What a table's slot holding `s` takes: its bytes, or the JS string a chunk keeps when they are too many. */
function slotSize(s: string): number {
  return keptAsBytes(s.length) ? s.length : stringSize(s.length);
}
