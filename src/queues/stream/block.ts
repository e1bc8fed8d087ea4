import { afterHeader, bytesItem, fitsIntItem, headerAt, intItem, intOf, intValue, itemBytes, itemString, varint } from './entry-codec.js';
import { sub64, u64, type StreamId, type U64 } from './id.js';
import { intBytes, LISTPACK_OVERHEAD, strBytes } from './listpack-bytes.js';

/** An entry's flag char: deleted (a tombstone), and whether it has the block's master fields. */
const DELETED = 1;
const SAME_FIELDS = 2;

/**
 * A node of a stream: a run of consecutive entries packed into one string,
 * as Redis packs them into one listpack under a radix-tree key (the master
 * ID). The first entry's field names are the block's master fields; an
 * entry with the same names stores only its values. Per entry:
 *
 *   flag char, the body's length as a varint, then the body, items of
 *   entry-codec.ts: ms delta, seq delta (relative to the master ID), then
 *   the values, or a field count and the field/value pairs
 *
 * so that a scan reads an entry's ID and steps over the rest. Deleting flags the entry (a tombstone) and the
 * block goes when its last live entry does, as in Redis.
 *
 * A block belongs to the stream whose epoch it carries; a stream that
 * shares blocks with a snapshot or a copy has moved on to a new epoch and
 * copies a block (its header: the packed string is immutable) before its
 * first change to it.
 */
export class Block {
  data = '';
  /** Where the last entry starts. */
  lastPos = 0;
  live = 0;
  deleted = 0;
  /** The listpack bytes Redis would use for this node (stream-node-max-bytes). */
  bytes: number;
  /** Entries appended since `data` was last made flat. */
  private unflattened = 0;

  constructor(
    readonly ms: U64,
    readonly seq: U64,
    readonly fields: readonly string[],
    public epoch: number,
  ) {
    let bytes = LISTPACK_OVERHEAD + intBytes(0) * 2 + intBytes(fields.length) + intBytes(0);
    for (const f of fields) bytes += strBytes(f);
    this.bytes = bytes;
  }

  copy(epoch: number): Block {
    const b = new Block(this.ms, this.seq, this.fields, epoch);
    b.data = this.data;
    b.lastPos = this.lastPos;
    b.live = this.live;
    b.deleted = this.deleted;
    b.bytes = this.bytes;
    b.unflattened = this.unflattened;
    return b;
  }

  get masterId(): StreamId {
    return { ms: this.ms, seq: this.seq };
  }

  /** Entries the node holds, tombstones included (what stream-node-max-entries counts). */
  get total(): number {
    return this.live + this.deleted;
  }

  /** Appends an entry (flat field/value pairs, from `from` on) with ID `id`, which follows every entry here. */
  append(id: StreamId, pairs: readonly string[], from = 0): void {
    const n = (pairs.length - from) >> 1;
    const same = this.sameFields(pairs, from);
    const msDelta = sub64(id.ms, this.ms);
    const seqDelta = sub64(id.seq, this.seq);
    building.body = deltaItem(msDelta) + deltaItem(seqDelta);
    building.bytes = intBytes(same ? SAME_FIELDS : 0) + intBytes(msDelta) + intBytes(seqDelta);
    if (same) {
      for (let i = from + 1; i < pairs.length; i += 2) addString(pairs[i]);
      building.bytes += intBytes(n + 3);
    } else {
      building.body += intItem(n);
      building.bytes += intBytes(n);
      for (let i = from; i < pairs.length; i++) addString(pairs[i]);
      building.bytes += intBytes(2 * n + 4);
    }
    const { body, bytes } = building;
    building.body = '';
    // The body's length first, so that a scan steps over an entry without reading its fields.
    const out = String.fromCharCode(same ? SAME_FIELDS : 0) + varint(body.length) + body;
    this.lastPos = this.data.length;
    this.data += out;
    if (++this.unflattened === FLATTEN_EVERY) {
      this.data = flat(this.data);
      this.unflattened = 0;
    }
    this.setCounts(this.live + 1, this.deleted, bytes);
  }

  /**
   * Flattens what appends left as rope nodes, once no more will come: the
   * pending entries are ropes of their own pieces, and a closed block
   * would keep them (measured: 14 bytes an entry more). Content is
   * unchanged, so a block shared with a snapshot may be sealed too.
   */
  seal(): void {
    if (this.unflattened === 0) return;
    flat(this.data);
    this.unflattened = 0;
  }

  private sameFields(pairs: readonly string[], from: number): boolean {
    const fields = this.fields;
    if (pairs.length - from !== fields.length * 2) return false;
    for (let i = 0; i < fields.length; i++) if (pairs[from + 2 * i] !== fields[i]) return false;
    return true;
  }

  /** Flags the entry at `pos` deleted. */
  markDeleted(pos: number): void {
    const flag = this.data.charCodeAt(pos) | DELETED;
    this.data = flat(this.data.slice(0, pos) + String.fromCharCode(flag) + this.data.slice(pos + 1));
    this.setCounts(this.live - 1, this.deleted + 1, 0);
  }

  /** Updates the live/deleted counts and the listpack size their integers take. */
  private setCounts(live: number, deleted: number, added: number): void {
    this.bytes += added + intBytes(live) - intBytes(this.live) + intBytes(deleted) - intBytes(this.deleted);
    this.live = live;
    this.deleted = deleted;
  }
}

/**
 * A reader over one block's entries: `at(pos)` decodes the entry header at
 * `pos`, after which its fields are read with `pairs()`.
 */
export class EntryReader {
  flags = 0;
  ms: U64 = 0;
  seq: U64 = 0;
  /** Where the entry's values (or its field count) start, and where the next entry starts. */
  private body = 0;
  next = 0;

  constructor(readonly block: Block) {}

  at(pos: number): this {
    const d = this.block.data;
    this.flags = d.charCodeAt(pos);
    const size = headerAt(d, pos + 1);
    let p = afterHeader();
    this.next = p + size;
    let h = headerAt(d, p);
    this.ms = idPart(this.block.ms, d, h, afterHeader());
    p = afterHeader() + itemBytes(h);
    h = headerAt(d, p);
    this.seq = idPart(this.block.seq, d, h, afterHeader());
    this.body = afterHeader() + itemBytes(h);
    return this;
  }

  /** This entry's ID against `id`: negative, zero or positive. */
  compare(id: StreamId): number {
    if (this.ms !== id.ms) return this.ms < id.ms ? -1 : 1;
    if (this.seq !== id.seq) return this.seq < id.seq ? -1 : 1;
    return 0;
  }

  get deleted(): boolean {
    return (this.flags & DELETED) !== 0;
  }

  get id(): StreamId {
    return { ms: this.ms, seq: this.seq };
  }

  /** The entry's fields and values, flat. */
  pairs(): string[] {
    const d = this.block.data;
    let p = this.body;
    const out: string[] = [];
    if (this.flags & SAME_FIELDS) {
      for (const f of this.block.fields) {
        const h = headerAt(d, p);
        p = afterHeader();
        out.push(f, itemString(d, h, p));
        p += itemBytes(h);
      }
    } else {
      const n = 2 * intOf(headerAt(d, p));
      p = afterHeader();
      for (let i = 0; i < n; i++) {
        const h = headerAt(d, p);
        p = afterHeader();
        out.push(itemString(d, h, p));
        p += itemBytes(h);
      }
    }
    return out;
  }
}

/**
 * Appends flatten a block every this many entries. Flattening copies the
 * whole block (a listpack's realloc mostly grows in place), so doing it
 * per append cost O(block) time and garbage per XADD; between flattenings
 * the pending entries are rope nodes, and a reader's first char read
 * flattens them anyway.
 */
const FLATTEN_EVERY = 8;

/**
 * `s` made flat. A concatenation is a rope node holding both halves; one
 * per entry would cost more than the entries. Reading a char flattens the
 * rope in place, and the pieces become garbage.
 */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

/** The entry Block.append is building: its body's items, and the listpack bytes Redis would spend on it. */
const building = { body: '', bytes: 0 };

/** Adds a field or value to the entry being built, its decimal (if any) read once for the item and for the listpack bytes. */
function addString(s: string): void {
  const v = intValue(s);
  if (v === v) {
    building.body += intItem(v);
    building.bytes += intBytes(v);
  } else {
    building.body += bytesItem(s);
    building.bytes += strBytes(s);
  }
}

/** An ID part's delta from the master ID's: an integer item, or the decimal of one too large for it. */
function deltaItem(d: U64): string {
  return typeof d === 'number' && fitsIntItem(d) ? intItem(d) : bytesItem(String(d));
}

/** The master ID's part `base` plus the delta item with header `h` (its bytes, if any, at `at`), modulo 2^64. */
function idPart(base: U64, d: string, h: number, at: number): U64 {
  if (h % 2 === 1 && typeof base === 'number') {
    const r = base + intOf(h);
    if (r >= 0 && r <= Number.MAX_SAFE_INTEGER) return r;
  }
  const delta = h % 2 === 1 ? BigInt(intOf(h)) : BigInt(d.slice(at, at + h / 2));
  return u64(BigInt.asUintN(64, BigInt(base) + delta));
}
