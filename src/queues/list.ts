import { REBUILD_ITEMS_PER_COMMAND, type TypedValue } from '../store/keyspace/value.js';
import { Deque } from './deque.js';
import { LISTPACK_EMPTY, LISTPACK_LIMIT, listpackEntrySize } from './listpack-size.js';

/**
 * A list value: byte strings in a deque, plus the bookkeeping that lets
 * OBJECT ENCODING answer as Redis 7.2 would. Redis keeps a small list in
 * one listpack and turns it into a quicklist when adding would take the
 * listpack past 8 KiB; it turns back when a removal leaves the list within
 * half that. `bytes` is what the whole list would take as one listpack.
 */
export class ListValue implements TypedValue {
  readonly type = 'list' as const;
  readonly items: Deque;
  private bytes: number;
  private packed: boolean;

  constructor(items = new Deque(), bytes = LISTPACK_EMPTY, packed = true) {
    this.items = items;
    this.bytes = bytes;
    this.packed = packed;
  }

  get length(): number {
    return this.items.length;
  }

  encoding(): string {
    return this.packed ? 'listpack' : 'quicklist';
  }

  /** O(elements / 64): the copy shares the deque's chunks copy-on-write. */
  clone(): ListValue {
    return new ListValue(this.items.clone(), this.bytes, this.packed);
  }

  /** A clone: a list that nothing writes to is its own snapshot. */
  snapshot(): ListValue {
    return this.clone();
  }

  /** The AOF rewrite's commands for this list: RPUSH, a bounded number of elements at a time. */
  *rebuildCommands(key: string): Iterator<string[]> {
    const n = this.items.length;
    for (let i = 0; i < n; i += REBUILD_ITEMS_PER_COMMAND) {
      const cmd = ['RPUSH', key];
      const end = Math.min(n, i + REBUILD_ITEMS_PER_COMMAND);
      for (let j = i; j < end; j++) cmd.push(this.items.get(j));
      yield cmd;
    }
  }

  /**
   * Redis's listTypeTryConversionAppend, called before adding elements whose
   * lengths sum to `addBytes`: as in Redis the raw lengths are added to the
   * listpack's size, not their encoded sizes.
   */
  growing(addBytes: number): void {
    if (this.packed && this.bytes + addBytes > LISTPACK_LIMIT) this.packed = false;
  }

  /**
   * Redis's shrinking conversion, after elements were removed. Redis also
   * requires the quicklist to be down to one node; node boundaries are not
   * modelled, so a list that shrank from both ends may turn back a little
   * sooner than Redis's would.
   */
  shrunk(): void {
    if (!this.packed && this.bytes <= LISTPACK_LIMIT / 2) this.packed = true;
  }

  get(i: number): string {
    return this.items.get(i);
  }

  /** Whether element i is `v` (cheaper than comparing get(i): a packed element is not made a string). */
  matches(i: number, v: string): boolean {
    return this.items.matches(i, v);
  }

  set(i: number, v: string): void {
    this.bytes += listpackEntrySize(v) - listpackEntrySize(this.items.get(i));
    this.items.set(i, v);
  }

  pushBack(v: string): void {
    this.items.pushBack(v);
    this.bytes += listpackEntrySize(v);
  }

  pushFront(v: string): void {
    this.items.pushFront(v);
    this.bytes += listpackEntrySize(v);
  }

  push(v: string, front: boolean): void {
    if (front) this.pushFront(v);
    else this.pushBack(v);
  }

  /** Removes and returns the first (front) or last element; the list must not be empty. */
  pop(front: boolean): string {
    const v = (front ? this.items.popFront() : this.items.popBack()) as string;
    this.bytes -= listpackEntrySize(v);
    return v;
  }

  insert(i: number, v: string): void {
    this.items.insert(i, v);
    this.bytes += listpackEntrySize(v);
  }

  removeAt(i: number): void {
    this.bytes -= listpackEntrySize(this.items.removeAt(i));
  }

  /** LREM: removes up to `limit` elements equal to `v` (every one when 0), from the head, or from the tail when `fromTail`. */
  removeEqual(v: string, limit: number, fromTail: boolean): number {
    const removed = this.items.removeEqual(v, limit, fromTail);
    this.bytes -= removed * listpackEntrySize(v);
    return removed;
  }

  /** LTRIM: drops `front` elements from the head and `back` from the tail, O(front + back). */
  trim(front: number, back: number): void {
    for (let k = 0; k < front; k++) this.pop(true);
    for (let k = 0; k < back; k++) this.pop(false);
  }
}
