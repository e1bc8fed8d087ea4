import { constants } from 'node:buffer';
import {
  encodeEntry, encodedSize, entryAt, findEntry, nextEntry, splice, type Packed,
} from '../compact/packed.js';
import { REBUILD_ITEMS_PER_COMMAND, type TypedValue, type ValueSnapshot } from '../keyspace/value.js';
import { HashTable } from './hash-table.js';

/** hash-max-listpack-entries and hash-max-listpack-value, read once per command. */
export interface HashLimits {
  entries: number;
  value: number;
}

/**
 * A packed hash is one JS string; Redis converts a listpack that would pass
 * 1 GiB (lpSafeToAdd), and a string cannot pass V8's limit, half that. The
 * margin covers length prefixes.
 */
const PACKED_MAX = constants.MAX_STRING_LENGTH - 1024;

/** V8 makes substrings of 13 chars or more views of their parent, which they keep alive. */
const SLICE_MIN = 13;

/** `s` as a string of its own, for one that may be a view into a packed string and is to be kept. */
function detached(s: string): string {
  return s.length < SLICE_MIN ? s : Buffer.from(s, 'latin1').latin1Slice(0, s.length);
}

/**
 * A hash value. Small hashes are packed (Redis's `listpack`): field, value,
 * field, value… in one string, in insertion order, searched from the front.
 * Past hash-max-listpack-entries fields, or once a field or value is longer
 * than hash-max-listpack-value bytes, the hash turns into a HashTable
 * (`hashtable`) for good, as Redis's does: it never converts back.
 */
export class HashValue implements TypedValue {
  readonly type = 'hash' as const;
  /** The packed pairs; null once the hash is a table. */
  private packed: Packed | null;
  /** Fields in `packed`. */
  private pairs: number;
  private table: HashTable<string> | null;
  /**
   * The longest field and value a table has held (never lowered): what
   * bounds the reply of HRANDFIELD with a negative count.
   */
  private longestField = 0;
  private longestValue = 0;

  constructor(packed: Packed | null = '', pairs = 0, table: HashTable<string> | null = null) {
    this.packed = packed;
    this.pairs = pairs;
    this.table = table;
  }

  get size(): number {
    return this.table === null ? this.pairs : this.table.size;
  }

  encoding(): string {
    return this.table === null ? 'listpack' : 'hashtable';
  }

  /** The table, once the hash has one: HSCAN and HRANDFIELD work on it directly. */
  get large(): HashTable<string> | null {
    return this.table;
  }

  clone(): HashValue {
    if (this.table === null) return new HashValue(this.packed, this.pairs);
    const copy = new HashValue(null, 0, this.table.clone());
    copy.longestField = this.longestField;
    copy.longestValue = this.longestValue;
    return copy;
  }

  /** A packed hash is an immutable string; a table's shards are frozen and copied by the next writes. */
  snapshot(): ValueSnapshot {
    if (this.table === null) return new PackedSnapshot(this.packed!);
    return new TableSnapshot(this.table.freeze());
  }

  get(field: string): string | undefined {
    if (this.table !== null) return this.table.get(field);
    const p = this.packed!;
    const at = findEntry(p, field, 2);
    return at === -1 ? undefined : entryAt(p, nextEntry(p, at));
  }

  has(field: string): boolean {
    return this.table !== null ? this.table.has(field) : findEntry(this.packed!, field, 2) !== -1;
  }

  /**
   * HSET's field/value pairs argv[from..]; returns how many fields are new.
   * Packed, several pairs are applied to the unpacked pairs and packed
   * once, rather than the packed string being rebuilt for each.
   */
  setPairs(argv: readonly string[], from: number, limits: HashLimits): number {
    this.prepare(argv, from, limits);
    let added = 0;
    if (this.table !== null || argv.length - from === 2) {
      for (let i = from; i < argv.length; i += 2) if (this.set(argv[i], argv[i + 1], limits)) added++;
      return added;
    }
    const fields: string[] = [];
    const values: string[] = [];
    const index = new Map<string, number>();
    this.forEach((f, v) => {
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
        this.table = new HashTable<string>();
        for (let j = 0; j < fields.length; j++) this.tableSet(detached(fields[j]), detached(values[j]));
        for (let j = i + 2; j < argv.length; j += 2) if (this.tableSet(argv[j], argv[j + 1])) added++;
        return added;
      }
    }
    const parts: string[] = [];
    for (let j = 0; j < fields.length; j++) parts.push(encodeEntry(fields[j]), encodeEntry(values[j]));
    this.packed = parts.join('');
    this.pairs = fields.length;
    return added;
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
      const len = argv[i].length + 5;
      if (len - 5 > limits.value) {
        this.convert();
        return;
      }
      sum += len;
    }
    if (this.packed!.length + sum > PACKED_MAX) this.convert();
  }

  /** Sets a field; true when it is new. Converts first for a long string, after for one field too many. */
  set(field: string, value: string, limits: HashLimits): boolean {
    if (this.table === null && (field.length > limits.value || value.length > limits.value)) this.convert();
    if (this.table !== null) return this.tableSet(field, value);
    const p = this.packed!;
    const at = findEntry(p, field, 2);
    if (at !== -1) {
      const v = nextEntry(p, at);
      if (p.length - (nextEntry(p, v) - v) + encodedSize(value) > PACKED_MAX) {
        this.convert();
        return this.tableSet(field, value);
      }
      this.packed = splice(p, v, nextEntry(p, v), encodeEntry(value));
      return false;
    }
    if (p.length + encodedSize(field) + encodedSize(value) > PACKED_MAX) {
      this.convert();
      return this.tableSet(field, value);
    }
    this.packed = p + encodeEntry(field) + encodeEntry(value);
    if (++this.pairs > limits.entries) this.convert();
    return true;
  }

  private tableSet(field: string, value: string): boolean {
    if (field.length > this.longestField) this.longestField = field.length;
    if (value.length > this.longestValue) this.longestValue = value.length;
    return this.table!.set(field, value);
  }

  delete(field: string): boolean {
    if (this.table !== null) return this.table.delete(field);
    const p = this.packed!;
    const at = findEntry(p, field, 2);
    if (at === -1) return false;
    this.packed = splice(p, at, nextEntry(p, nextEntry(p, at)), '');
    this.pairs--;
    return true;
  }

  /** Every field and value, packed ones in insertion order. */
  forEach(fn: (field: string, value: string) => void): void {
    if (this.table !== null) {
      this.table.forEach((v, f) => fn(f, v));
      return;
    }
    const p = this.packed!;
    for (let pos = 0; pos < p.length; ) {
      const v = nextEntry(p, pos);
      const next = nextEntry(p, v);
      fn(entryAt(p, pos), entryAt(p, v));
      pos = next;
    }
  }

  /** Fields and values alternately, packed ones in insertion order. */
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
    for (let i = Math.floor(Math.random() * this.pairs); i > 0; i--) pos = nextEntry(p, nextEntry(p, pos));
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
    this.table = new HashTable<string>();
    const p = this.packed!;
    this.packed = null;
    this.pairs = 0;
    for (let pos = 0; pos < p.length; ) {
      const v = nextEntry(p, pos);
      const next = nextEntry(p, v);
      this.tableSet(detached(entryAt(p, pos)), detached(entryAt(p, v)));
      pos = next;
    }
  }
}

/** HSET commands of at most REBUILD_ITEMS_PER_COMMAND pairs each, from `pairs` (field, value, field…). */
function* hsetCommands(key: string, pairs: Iterator<[string, string]>): Iterator<string[]> {
  let cmd: string[] = ['HSET', key];
  for (let r = pairs.next(); !r.done; r = pairs.next()) {
    cmd.push(r.value[0], r.value[1]);
    if (cmd.length === 2 + 2 * REBUILD_ITEMS_PER_COMMAND) {
      yield cmd;
      cmd = ['HSET', key];
    }
  }
  if (cmd.length > 2) yield cmd;
}

class PackedSnapshot implements ValueSnapshot {
  constructor(private readonly packed: Packed) {}

  rebuildCommands(key: string): Iterator<string[]> {
    return hsetCommands(key, packedPairs(this.packed));
  }
}

function* packedPairs(p: Packed): Iterator<[string, string]> {
  for (let pos = 0; pos < p.length; ) {
    const v = nextEntry(p, pos);
    const next = nextEntry(p, v);
    yield [entryAt(p, pos), entryAt(p, v)];
    pos = next;
  }
}

class TableSnapshot implements ValueSnapshot {
  constructor(private readonly shards: readonly Map<string, string>[]) {}

  rebuildCommands(key: string): Iterator<string[]> {
    return hsetCommands(key, tablePairs(this.shards));
  }
}

function* tablePairs(shards: readonly Map<string, string>[]): Iterator<[string, string]> {
  for (const m of shards) yield* m.entries();
}
