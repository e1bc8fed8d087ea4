/**
 * A binary min-heap of (deadline, item) pairs: what finds the earliest of
 * many deadlines without scanning them. Entries are not removed when an
 * item's deadline changes or goes away: the owner keeps each item's current
 * deadline elsewhere, pushes a new entry when it changes, and skips popped
 * entries that no longer match (lazy deletion). `compact` drops those
 * stale entries in one O(n) pass when they pile up.
 */
export class DeadlineHeap<K> {
  private times: number[] = [];
  private items: K[] = [];

  get length(): number {
    return this.times.length;
  }

  /** The earliest deadline, Infinity when empty. */
  peekTime(): number {
    return this.times.length === 0 ? Infinity : this.times[0];
  }

  /** The item of the earliest deadline (the heap must not be empty). */
  peekItem(): K {
    return this.items[0];
  }

  push(time: number, item: K): void {
    const times = this.times;
    const items = this.items;
    let i = times.length;
    times.push(time);
    items.push(item);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (times[parent] <= time) break;
      times[i] = times[parent];
      items[i] = items[parent];
      i = parent;
    }
    times[i] = time;
    items[i] = item;
  }

  /** Removes the earliest entry (the heap must not be empty). */
  pop(): void {
    const times = this.times;
    const items = this.items;
    const lastTime = times.pop()!;
    const lastItem = items.pop()!;
    if (times.length === 0) return;
    this.siftDown(0, lastTime, lastItem);
  }

  /** Keeps only the entries `keep` accepts, and restores the heap order: O(n). */
  compact(keep: (item: K, time: number) => boolean): void {
    const times: number[] = [];
    const items: K[] = [];
    for (let i = 0; i < this.times.length; i++) {
      if (keep(this.items[i], this.times[i])) {
        times.push(this.times[i]);
        items.push(this.items[i]);
      }
    }
    this.times = times;
    this.items = items;
    for (let i = (times.length >> 1) - 1; i >= 0; i--) this.siftDown(i, times[i], items[i]);
  }

  /** An independent copy. */
  clone(): DeadlineHeap<K> {
    const copy = new DeadlineHeap<K>();
    copy.times = this.times.slice();
    copy.items = this.items.slice();
    return copy;
  }

  /** Places (time, item) at or below slot `i`, moving smaller children up. */
  private siftDown(i: number, time: number, item: K): void {
    const times = this.times;
    const items = this.items;
    const n = times.length;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= n) break;
      if (child + 1 < n && times[child + 1] < times[child]) child++;
      if (times[child] >= time) break;
      times[i] = times[child];
      items[i] = items[child];
      i = child;
    }
    times[i] = time;
    items[i] = item;
  }
}
