import { CHUNK_BITS, CHUNK_MASK, roomFor } from './compact/dense-index.js';
import { unaccountedInt32 } from './compact/unaccounted.js';
import { CLUSTER_SLOTS, keyHashSlot } from './key-slot.js';

/** No position: an empty slot's newest, or a removed key's place in its slot's list. */
const NONE = -1;
/** A position's words in its chunk: its slot, and its place in that slot's list. */
const WIDTH = 2;
const SLOT = 0;
const PLACE = 1;
/** A slot's list starts this long, and doubles. */
const FIRST_LIST = 8;
/** Lists of this length and longer are kept where V8 does not count them (unaccounted.ts), as the key table's chunks are. */
const UNACCOUNTED_LIST = 1024;
/** A list is packed once its removed places outnumber its keys and are at least this many. */
const PACK_AFTER = 16;

/**
 * Redis Cluster's slot → keys map (db.c's slotToKey*) over a key table's
 * positions: per slot a count and a list of the positions whose keys hash
 * to it, in the order they came, the newest last (Redis links each slot's
 * keys newest first, and GETKEYSINSLOT lists them in that order). A
 * position keeps its slot and its place in that list, in chunks outside the
 * heap, as the table keeps its handles. No key string is held: the table
 * makes one from its record when a key is asked for.
 *
 * Lists rather than links through the positions: a reshard takes a slot's
 * newest keys, deletes them and takes the next, while the table fills each
 * hole with its last key, so a slot's keys end up scattered over the
 * positions. A walk of links then missed the cache at every key, one after
 * the other; a slot's list is read in order, and the keys' own reads do not
 * wait for each other. A key added, as a reshard's target adds a slot's keys
 * one after another, writes at the end of its slot's list, not into the
 * previous newest key's links somewhere else.
 *
 * A removal leaves its place empty (NONE), or shortens the list when it
 * was the last one, so the newest key is always at the end; a list whose
 * empty places outnumber its keys is packed. The table tells the index of
 * every position filled, emptied or moved (a removal moves the last
 * position into the hole), so it follows every path by which a key enters
 * or leaves the table.
 */
export class SlotIndex {
  private readonly counts = new Int32Array(CLUSTER_SLOTS);
  /** Per slot, the length of its list in use: its keys and the empty places between them. */
  private readonly ends = new Int32Array(CLUSTER_SLOTS);
  /** Per slot, its list, or null while it has no key. */
  private readonly lists: (Int32Array | null)[] = new Array<Int32Array | null>(CLUSTER_SLOTS).fill(null);
  /** Per chunk of positions, two words a position: its slot and its place in the slot's list. */
  private readonly places: Int32Array[] = [];

  /** Keys in `slot`. */
  count(slot: number): number {
    return this.counts[slot];
  }

  /** The position of `slot`'s newest key, or -1 when the slot has none. */
  first(slot: number): number {
    const end = this.ends[slot];
    return end === 0 ? NONE : this.lists[slot]![end - 1];
  }

  /** The positions of `slot`'s keys, newest first, at most `count` of them. */
  newest(slot: number, count: number): number[] {
    const out: number[] = [];
    const list = this.lists[slot];
    if (list === null) return out;
    for (let i = this.ends[slot] - 1; i >= 0 && out.length < count; i--) {
      const pos = list[i];
      if (pos !== NONE) out.push(pos);
    }
    return out;
  }

  /** The slot of the key at `pos`, as recorded when it was added. */
  slotAt(pos: number): number {
    return this.places[pos >>> CHUNK_BITS][(pos & CHUNK_MASK) * WIDTH + SLOT];
  }

  /** A key was put at the new position `pos`: it goes last in its slot's list, the newest. */
  added(pos: number, key: string): void {
    const slot = keyHashSlot(key);
    const end = this.ends[slot];
    let list = this.lists[slot];
    if (list === null || end === list.length) list = this.grow(slot, end);
    list[end] = pos;
    this.ends[slot] = end + 1;
    this.counts[slot]++;
    const chunk = roomFor(this.places, pos, WIDTH);
    const j = (pos & CHUNK_MASK) * WIDTH;
    chunk[j + SLOT] = slot;
    chunk[j + PLACE] = end;
  }

  /** The key at `pos` leaves the table. */
  removed(pos: number): void {
    const chunk = this.places[pos >>> CHUNK_BITS];
    const j = (pos & CHUNK_MASK) * WIDTH;
    const slot = chunk[j + SLOT];
    const place = chunk[j + PLACE];
    const list = this.lists[slot]!;
    const left = --this.counts[slot];
    let end = this.ends[slot];
    if (left === 0) {
      // An empty slot lets its list go: a reshard empties the slots it moves away.
      this.lists[slot] = null;
      this.ends[slot] = 0;
      return;
    }
    list[place] = NONE;
    if (place === end - 1) {
      while (list[end - 1] === NONE) end--;
      this.ends[slot] = end;
    } else if (end - left >= PACK_AFTER && end - left > left) {
      this.pack(slot, list, end);
    }
  }

  /** The key at `from` now sits at `to` (a removal filled its hole with the last position); `to` was removed first. */
  moved(from: number, to: number): void {
    const source = this.places[from >>> CHUNK_BITS];
    const fj = (from & CHUNK_MASK) * WIDTH;
    const slot = source[fj + SLOT];
    const place = source[fj + PLACE];
    this.lists[slot]![place] = to;
    const target = this.places[to >>> CHUNK_BITS];
    const tj = (to & CHUNK_MASK) * WIDTH;
    target[tj + SLOT] = slot;
    target[tj + PLACE] = place;
  }

  /** Position `last`, the last, is empty now: a chunk left empty goes, as the table's own do. */
  dropped(last: number): void {
    if ((last & CHUNK_MASK) === 0) this.places.pop();
  }

  /** Room in `slot`'s list past its `end` places in use. */
  private grow(slot: number, end: number): Int32Array {
    const old = this.lists[slot];
    const length = old === null ? FIRST_LIST : old.length * 2;
    const list = length >= UNACCOUNTED_LIST ? unaccountedInt32(length) : new Int32Array(length);
    if (old !== null) list.set(old.subarray(0, end));
    return (this.lists[slot] = list);
  }

  /** Closes the empty places of `slot`'s list, keeping its keys' order; each key moved learns its new place. */
  private pack(slot: number, list: Int32Array, end: number): void {
    let to = 0;
    for (let i = 0; i < end; i++) {
      const pos = list[i];
      if (pos === NONE) continue;
      list[to] = pos;
      this.places[pos >>> CHUNK_BITS][(pos & CHUNK_MASK) * WIDTH + PLACE] = to;
      to++;
    }
    this.ends[slot] = to;
  }
}
