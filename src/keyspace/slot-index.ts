import { CHUNK_BITS, CHUNK_MASK, roomFor } from './compact/dense-index.js';
import { CLUSTER_SLOTS, keyHashSlot } from './key-slot.js';

/** No position: the end of a slot's list, or an empty slot's head. */
const NONE = -1;
/** A position's words in its chunk: its slot, the next and the previous position of that slot. */
const WIDTH = 3;
const SLOT = 0;
const NEXT = 1;
const PREV = 2;

/**
 * Redis Cluster's slot → keys map (db.c's slotToKey*) over a key table's
 * positions: per slot a count and a doubly linked list of the positions
 * whose keys hash to it, the links kept per position in chunks outside the
 * heap, as the table keeps its handles. A count is read in O(1), a slot's
 * keys are walked at the cost of those walked, and no key string is held:
 * the table makes one from its record when a key is asked for.
 *
 * The table tells it of every position filled, emptied or moved (a
 * removal moves the last position into the hole), so it follows every
 * path by which a key enters or leaves the table.
 */
export class SlotIndex {
  private readonly heads = new Int32Array(CLUSTER_SLOTS).fill(NONE);
  private readonly counts = new Int32Array(CLUSTER_SLOTS);
  /**
   * Per chunk of positions, three words a position: its slot, and the next
   * and previous position in the same slot. Kept together, a key added or
   * removed touches one cache line of its own rather than one per array.
   */
  private readonly links: Int32Array[] = [];

  /** Keys in `slot`. */
  count(slot: number): number {
    return this.counts[slot];
  }

  /** The first position of `slot`'s list (the key added last), or -1 when the slot has none. */
  first(slot: number): number {
    return this.heads[slot];
  }

  /** The position after `pos` in its slot's list, or -1. */
  next(pos: number): number {
    return this.links[pos >>> CHUNK_BITS][(pos & CHUNK_MASK) * WIDTH + NEXT];
  }

  /** The slot of the key at `pos`, as recorded when it was added. */
  slotAt(pos: number): number {
    return this.links[pos >>> CHUNK_BITS][(pos & CHUNK_MASK) * WIDTH + SLOT];
  }

  /** A key was put at the new position `pos`: it goes first in its slot's list, as Redis inserts at the head. */
  added(pos: number, key: string): void {
    const slot = keyHashSlot(key);
    const head = this.heads[slot];
    const chunk = roomFor(this.links, pos, WIDTH);
    const j = (pos & CHUNK_MASK) * WIDTH;
    chunk[j + SLOT] = slot;
    chunk[j + NEXT] = head;
    chunk[j + PREV] = NONE;
    if (head !== NONE) this.setLink(head, PREV, pos);
    this.heads[slot] = pos;
    this.counts[slot]++;
  }

  /** The key at `pos` leaves the table. */
  removed(pos: number): void {
    const chunk = this.links[pos >>> CHUNK_BITS];
    const j = (pos & CHUNK_MASK) * WIDTH;
    const slot = chunk[j + SLOT];
    const next = chunk[j + NEXT];
    const prev = chunk[j + PREV];
    if (prev === NONE) this.heads[slot] = next;
    else this.setLink(prev, NEXT, next);
    if (next !== NONE) this.setLink(next, PREV, prev);
    this.counts[slot]--;
  }

  /** The key at `from` now sits at `to` (a removal filled its hole with the last position); `to` was removed first. */
  moved(from: number, to: number): void {
    const source = this.links[from >>> CHUNK_BITS];
    const fj = (from & CHUNK_MASK) * WIDTH;
    const slot = source[fj + SLOT];
    const next = source[fj + NEXT];
    const prev = source[fj + PREV];
    const target = this.links[to >>> CHUNK_BITS];
    const tj = (to & CHUNK_MASK) * WIDTH;
    target[tj + SLOT] = slot;
    target[tj + NEXT] = next;
    target[tj + PREV] = prev;
    if (prev === NONE) this.heads[slot] = to;
    else this.setLink(prev, NEXT, to);
    if (next !== NONE) this.setLink(next, PREV, to);
  }

  /** Position `last`, the last, is empty now: a chunk left empty goes, as the table's own do. */
  dropped(last: number): void {
    if ((last & CHUNK_MASK) === 0) this.links.pop();
  }

  /** Sets the `field` word (NEXT or PREV) of position `pos`. */
  private setLink(pos: number, field: number, to: number): void {
    this.links[pos >>> CHUNK_BITS][(pos & CHUNK_MASK) * WIDTH + field] = to;
  }
}
