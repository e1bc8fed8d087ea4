import type { StreamId, U64 } from './id.js';
import type { Consumer } from './group.js';

/** A pending entry (Redis's streamNACK): delivered to a consumer, not yet acknowledged. */
export interface Nack {
  readonly id: StreamId;
  /** The ID as a sortable key (id.ts idKey). */
  readonly key: string;
  deliveryTime: number;
  deliveryCount: U64;
  /** Null only between XCLAIM FORCE creating it and assigning it. */
  consumer: Consumer | null;
}

/**
 * A pending entries list: nacks sorted by ID, found by binary search.
 * Deliveries mostly append (IDs grow); acknowledging shifts the array, O(n)
 * at worst, which stays small next to Redis's rax for the PEL sizes
 * consumers keep.
 */
export class PendingList {
  items: Nack[] = [];

  get size(): number {
    return this.items.length;
  }

  /** Index of the first nack with key ≥ `key`. */
  seek(key: string): number {
    const items = this.items;
    let lo = 0;
    let hi = items.length;
    if (hi !== 0 && items[hi - 1].key < key) return hi;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (items[mid].key < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(key: string): Nack | undefined {
    const i = this.seek(key);
    const n = this.items[i];
    return n !== undefined && n.key === key ? n : undefined;
  }

  /** Adds a nack whose key is not in the list yet. */
  insert(nack: Nack): void {
    const i = this.seek(nack.key);
    if (i === this.items.length) this.items.push(nack);
    else this.items.splice(i, 0, nack);
  }

  remove(key: string): boolean {
    const i = this.seek(key);
    const n = this.items[i];
    if (n === undefined || n.key !== key) return false;
    // Acknowledgements mostly take the oldest; V8's shift moves the array's start where splice at 0 copies it (see Stream.dropFirstBlocks).
    if (i === 0) this.items.shift();
    else this.items.splice(i, 1);
    return true;
  }
}
