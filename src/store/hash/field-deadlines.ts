import { DenseMap } from '../../keyspace/compact/dense-map.js';
import type { FrozenChunks } from '../../keyspace/compact/dense-table.js';
import { DeadlineHeap } from '../../keyspace/deadline-heap.js';

/**
 * The deadlines of a table's fields that have one (Redis 7.4's per-hash
 * ebuckets): field → ms in a DenseMap, so that snapshots share it
 * copy-on-write like the fields, and a heap that finds the earliest. Heap
 * entries whose deadline no longer matches the map are stale and skipped.
 */
export class FieldDeadlines {
  constructor(
    private readonly map = new DenseMap<number>(),
    private readonly heap = new DeadlineHeap<string>(),
  ) {}

  get size(): number {
    return this.map.size;
  }

  get(field: string): number | undefined {
    return this.map.get(field);
  }

  set(field: string, when: number): void {
    if (this.map.get(field) === when) return;
    this.map.set(field, when);
    this.heap.push(when, field);
    if (this.heap.length > 2 * this.map.size + 64) this.heap.compact((f, t) => this.map.get(f) === t);
  }

  delete(field: string): boolean {
    return this.map.delete(field);
  }

  /** The earliest deadline, -1 when no field has one. Drops stale heap entries on the way. */
  next(): number {
    const heap = this.heap;
    while (heap.length !== 0) {
      if (this.map.get(heap.peekItem()) === heap.peekTime()) return heap.peekTime();
      heap.pop();
    }
    return -1;
  }

  /**
   * Up to `max` fields whose deadline is at or before `now`, earliest
   * first, taken off the heap: the caller deletes every one of them. A
   * field given back a deadline it had before has two matching entries;
   * it is taken once.
   */
  takeDue(now: number, max: number): string[] {
    const out: string[] = [];
    const taken = new Set<string>();
    const heap = this.heap;
    while (out.length < max && heap.length !== 0 && heap.peekTime() <= now) {
      const f = heap.peekItem();
      const t = heap.peekTime();
      heap.pop();
      if (this.map.get(f) !== t || taken.has(f)) continue;
      taken.add(f);
      out.push(f);
    }
    return out;
  }

  forEach(fn: (when: number, field: string) => void): void {
    this.map.forEach(fn);
  }

  /** The map's chunks frozen for a snapshot (see DenseMap.freeze). */
  freeze(): FrozenChunks {
    return this.map.freeze();
  }

  clone(): FieldDeadlines {
    return new FieldDeadlines(this.map.clone(), this.heap.clone());
  }
}
