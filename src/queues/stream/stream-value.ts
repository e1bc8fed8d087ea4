import { constants } from 'node:buffer';
import { sampledSize, stringSize, VALUE_OBJECT } from '../../keyspace/heap-size.js';
import type { TypedValue, ValueSnapshot } from '../../keyspace/value.js';
import { Block, EntryReader } from './block.js';
import { BlockList } from './block-list.js';
import { compareIds, idKey, isZeroId, MAX_ID, MIN_ID, u64Add, type StreamId, type U64 } from './id.js';
import { Group } from './group.js';
import { radixTreeNodes } from './rax-nodes.js';
import { streamRebuildCommands } from './rebuild.js';

/** Redis's STREAM_LISTPACK_MAX_SIZE: a node, and an entry's strings together, stay within 1 GiB. */
export const LISTPACK_MAX_SIZE = 1 << 30;

/**
 * A node is one JS string, which V8 caps at MAX_STRING_LENGTH (2^29 - 24):
 * a node closes before it would pass that, and XADD refuses an entry that
 * could not fit in a node of its own (entryFits).
 */
const NODE_MAX_CHARS = constants.MAX_STRING_LENGTH - 64;

/** Whether an entry of `strings` strings of `size` chars in all fits in a node (its packed form is at most 5 chars per string longer, plus 64 for its header). */
export function entryFits(strings: number, size: number): boolean {
  return size + 5 * strings + 64 <= NODE_MAX_CHARS;
}

/** Node limits (stream-node-max-bytes, stream-node-max-entries). */
export interface NodeLimits {
  maxBytes: number;
  maxEntries: number;
}

/** An entry met while iterating: valid until the iteration moves on. */
export interface EntryRef {
  id: StreamId;
  reader: EntryReader;
  /** Index of the block and position of the entry in it. */
  block: number;
  pos: number;
}

let epochs = 0;

/** A pending entry's heap: its object, ID and key, and its slots in the group's and the consumer's lists. */
const PENDING_ENTRY_BYTES = 160;

/**
 * A stream: entries ordered by ID in blocks (see block.ts), the blocks in
 * a list ordered by master ID, so a seek is a binary search over blocks
 * and a scan of one, and an append goes to the last block or a new one.
 * Besides the entries, Redis's stream header (length, last ID, first ID,
 * the highest deleted ID, entries ever added) and the consumer groups.
 */
export class StreamValue implements TypedValue {
  readonly type = 'stream' as const;
  blocks = new BlockList();
  length = 0;
  lastId: StreamId = MIN_ID;
  /** The first live entry's ID, 0-0 when empty (Redis's first_id). */
  firstId: StreamId = MIN_ID;
  maxDeletedId: StreamId = MIN_ID;
  entriesAdded: U64 = 0;
  /** Consumer groups by name; null until the first is created. */
  groups: Map<string, Group> | null = null;
  /** Blocks of another epoch are shared with a snapshot or copy and copied before a change. */
  epoch = ++epochs;
  /**
   * The last entry a forward walk gave (its block, position and ID): a walk
   * that starts after it, in that block, starts there rather than at the
   * block's first entry, as readers of new entries do one after another.
   * Positions hold for a block's life: entries are only appended or flagged.
   */
  private walkBlock: Block | null = null;
  private walkPos = 0;
  private walkId: StreamId = MIN_ID;

  encoding(): string {
    return 'stream';
  }

  clone(): StreamValue {
    const s = new StreamValue();
    s.blocks = this.blocks.copy();
    s.length = this.length;
    s.lastId = this.lastId;
    s.firstId = this.firstId;
    s.maxDeletedId = this.maxDeletedId;
    s.entriesAdded = this.entriesAdded;
    if (this.groups !== null) {
      s.groups = new Map();
      for (const [name, g] of this.groups) s.groups.set(name, g.clone());
    }
    this.epoch = ++epochs;
    return s;
  }

  /**
   * The blocks are shared copy-on-write (O(blocks), a reference per 100
   * entries by default); the consumer groups are copied, O(groups,
   * consumers and pending entries).
   */
  snapshot(): ValueSnapshot {
    const frozen = this.clone();
    return { rebuildCommands: (key: string) => streamRebuildCommands(frozen, key) };
  }

  /**
   * The blocks (a packed string each, and the master entry's fields),
   * sampled; each consumer group, its consumers and every pending entry
   * (an estimate from their shapes: the nack object, its ID and key, a slot
   * in the group's list and one in its consumer's). O(samples + groups +
   * consumers).
   */
  memoryUsage(samples: number): number {
    const blocks = this.blocks;
    let size = VALUE_OBJECT + 16 + 8 * blocks.length + sampledSize(blocks.length, samples, (i) => {
      const b = blocks.at(i);
      let fields = 48 + 8 * b.fields.length;
      for (const f of b.fields) fields += stringSize(f.length);
      return VALUE_OBJECT + stringSize(b.data.length) + fields;
    });
    for (const g of this.groups?.values() ?? []) {
      size += 2 * VALUE_OBJECT + stringSize(g.name.length) + g.pel.size * PENDING_ENTRY_BYTES;
      for (const c of g.consumers.values()) size += 2 * VALUE_OBJECT + stringSize(c.name.length);
    }
    return size;
  }

  /** Block `i`, owned by this stream (copied first if shared). */
  private own(i: number): Block {
    let b = this.blocks.at(i);
    if (b.epoch !== this.epoch) this.blocks.set(i, (b = b.copy(this.epoch)));
    return b;
  }

  /**
   * Appends an entry whose ID follows the last one, its field/value pairs
   * `pairs` from `from` on (XADD's argv as it came); closes the last block
   * where Redis would.
   */
  append(id: StreamId, pairs: readonly string[], limits: NodeLimits, from = 0): void {
    let size = 0;
    for (let i = from; i < pairs.length; i++) size += pairs[i].length;
    const n = this.blocks.length;
    let tail: Block | null = null;
    if (n !== 0) {
      const last = this.blocks.at(n - 1);
      let maxBytes = limits.maxBytes;
      if (maxBytes === 0 || maxBytes > LISTPACK_MAX_SIZE) maxBytes = LISTPACK_MAX_SIZE;
      const full = last.bytes + size >= maxBytes || (limits.maxEntries !== 0 && last.total >= limits.maxEntries)
        || !entryFits(pairs.length - from, last.data.length + size);
      if (!full) tail = this.own(n - 1);
      else last.seal();
    }
    if (tail === null) {
      const fields: string[] = [];
      for (let i = from; i < pairs.length; i += 2) fields.push(pairs[i]);
      tail = new Block(id.ms, id.seq, fields, this.epoch);
      this.blocks.push(tail);
    }
    tail.append(id, pairs, from);
    this.length++;
    this.entriesAdded = u64Add(this.entriesAdded, 1);
    this.lastId = id;
    if (this.length === 1) this.firstId = id;
  }

  /** Index of the last block whose master ID is ≤ id, or -1. */
  private blockAtOrBefore(id: StreamId): number {
    let lo = 0;
    let hi = this.blocks.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (compareIds(this.blocks.at(mid).masterId, id) <= 0) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }

  /**
   * Entries with start ≤ ID ≤ end, in order or reversed; tombstones only
   * when `tombstones`. The reference yielded is reused. The stream must not
   * change while this runs.
   */
  *range(start: StreamId = MIN_ID, end: StreamId = MAX_ID, rev = false, tombstones = false): Generator<EntryRef> {
    if (this.blocks.length === 0) return;
    if (!rev) {
      let bi = isZeroId(start) ? 0 : Math.max(0, this.blockAtOrBefore(start));
      let from = this.blocks.at(bi) === this.walkBlock && compareIds(start, this.walkId) > 0 ? this.walkPos : 0;
      for (; bi < this.blocks.length; bi++, from = 0) {
        const block = this.blocks.at(bi);
        const reader = new EntryReader(block);
        const ref: EntryRef = { id: MIN_ID, reader, block: bi, pos: 0 };
        for (let pos = from; pos < block.data.length; pos = reader.next) {
          reader.at(pos);
          if (reader.deleted && !tombstones) continue;
          if (reader.compare(start) < 0) continue;
          if (reader.compare(end) > 0) return;
          ref.id = reader.id;
          ref.pos = pos;
          this.walkBlock = block;
          this.walkPos = pos;
          this.walkId = ref.id;
          yield ref;
        }
      }
    } else {
      let bi = this.blockAtOrBefore(end);
      for (; bi >= 0; bi--) {
        const block = this.blocks.at(bi);
        const reader = new EntryReader(block);
        const positions: number[] = [];
        for (let pos = 0; pos < block.data.length; pos = reader.next) {
          positions.push(pos);
          reader.at(pos);
        }
        const ref: EntryRef = { id: MIN_ID, reader, block: bi, pos: 0 };
        for (let k = positions.length - 1; k >= 0; k--) {
          reader.at(positions[k]);
          if (reader.deleted && !tombstones) continue;
          if (reader.compare(end) > 0) continue;
          if (reader.compare(start) < 0) return;
          ref.id = reader.id;
          ref.pos = positions[k];
          yield ref;
        }
      }
    }
  }

  /** The entry with this ID, or null. */
  find(id: StreamId): EntryRef | null {
    for (const e of this.range(id, id)) return e;
    return null;
  }

  has(id: StreamId): boolean {
    return this.find(id) !== null;
  }

  /** The last live entry's ID (Redis's streamLastValidID), or null: O(1) unless the last entry is a tombstone. */
  lastValidId(): StreamId | null {
    const n = this.blocks.length;
    if (n === 0) return null;
    const last = this.blocks.at(n - 1);
    const reader = new EntryReader(last).at(last.lastPos);
    return reader.deleted ? this.edgeId(false, false) : reader.id;
  }

  /** The first or last entry's ID, tombstones counted or not; null when there is none. */
  edgeId(first: boolean, tombstones: boolean): StreamId | null {
    for (const e of this.range(MIN_ID, MAX_ID, !first, tombstones)) return e.id;
    return null;
  }

  /** Deletes one entry; false when there is none with this ID. Keeps firstId and maxDeletedId as XDEL does. */
  delete(id: StreamId): boolean {
    const e = this.find(id);
    if (e === null) return false;
    this.removeAt(e.block, e.pos);
    return true;
  }

  private removeAt(bi: number, pos: number): void {
    const block = this.own(bi);
    if (block.live === 1) this.blocks.removeAt(bi);
    else block.markDeleted(pos);
    this.length--;
  }

  /** After entries were removed from the front or anywhere: Redis's first_id upkeep. */
  refreshFirstId(): void {
    this.firstId = this.length === 0 ? MIN_ID : this.edgeId(true, false)!;
  }

  /**
   * Redis's streamTrim: removes entries from the head while the stream is
   * longer than maxlen (or its entries are below minid). Approximate trims
   * only drop whole blocks; `limit` (0: none) caps the entries removed.
   */
  trim(strategy: 'maxlen' | 'minid', maxlen: number, minid: StreamId, approx: boolean, limit: number): number {
    let deleted = 0;
    let removeFrom = 0;
    let bi = 0;
    while (bi < this.blocks.length) {
      if (strategy === 'maxlen' && this.length <= maxlen) break;
      const block = this.blocks.at(bi);
      const entries = block.live;
      if (limit !== 0 && deleted + entries > limit) break;
      let whole: boolean;
      if (strategy === 'maxlen') {
        whole = this.length - entries >= maxlen;
      } else {
        whole = compareIds(lastIdInBlock(block), minid) < 0;
      }
      if (whole) {
        bi++;
        removeFrom = bi;
        this.length -= entries;
        deleted += entries;
        continue;
      }
      if (approx) break;
      const own = this.own(bi);
      const reader = new EntryReader(own);
      for (let pos = 0; pos < own.data.length; pos = reader.next) {
        reader.at(pos);
        const stop = strategy === 'maxlen' ? this.length <= maxlen : compareIds(reader.id, minid) >= 0;
        if (stop) break;
        if (!reader.deleted) {
          own.markDeleted(pos);
          this.length--;
          deleted++;
        }
      }
      break;
    }
    if (removeFrom !== 0) this.blocks.dropFront(removeFrom);
    if (this.length === 0) this.firstId = MIN_ID;
    else if (deleted !== 0) this.refreshFirstId();
    return deleted;
  }

  /** Radix-tree keys and nodes, as XINFO STREAM reports them. */
  get radixTreeKeys(): number {
    return this.blocks.length;
  }

  radixTreeNodes(): number {
    return radixTreeNodes(Array.from(this.blocks, (b) => idKey(b.masterId)));
  }

  group(name: string): Group | undefined {
    return this.groups?.get(name);
  }
}

/** The last entry's ID in a block, tombstones included (lpGetEdgeStreamID). */
function lastIdInBlock(block: Block): StreamId {
  return new EntryReader(block).at(block.lastPos).id;
}
