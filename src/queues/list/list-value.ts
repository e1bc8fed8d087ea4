import { stringSize, VALUE_OBJECT } from '../../keyspace/heap-size.js';
import { REBUILD_ITEMS_PER_COMMAND, type TypedValue } from '../../keyspace/value.js';
import { entryAt, nextEntry, ownCopy, pack, unpack } from '../../keyspace/compact/packed.js';
import { Deque } from './deque.js';
import { exceedsNode, fitsListpack, LISTPACK_EMPTY, LISTPACK_LIMIT, listpackEntrySize, nodeEnds } from './listpack-size.js';

/**
 * The most elements a list built whole (ListValue.of: loading, RESTORE,
 * SORT STORE) keeps packed until first used; longer ones, and any over
 * Redis's listpack size, go straight into a deque, since a thaw copies
 * every element once (and a packed string must stay far below V8's
 * longest).
 */
const COLD_MAX = 128;

/** The elements' lengths summed: what Redis adds to a listpack's size for them. */
function rawBytes(elements: readonly string[]): number {
  let raw = 0;
  for (const e of elements) raw += e.length;
  return raw;
}

/**
 * A list value: byte strings in a deque, plus the bookkeeping that lets
 * OBJECT ENCODING answer as Redis 7.2 would. Redis keeps a small list in
 * one listpack and turns it into a quicklist when adding would take the
 * listpack past one quicklist node (list-max-listpack-size, 8 KiB by
 * default); it turns back when a removal leaves the list within half a
 * node. `bytes` is what the whole list would take as one listpack.
 */
export class ListValue implements TypedValue {
  readonly type = 'list' as const;
  /**
   * The elements, or null while the list is cold: built whole and not used
   * since, its elements packed in `cold` (compact/packed.ts). A loaded
   * dataset is mostly lists that wait; packed, a short one costs one string
   * instead of a deque, its chunks and a string per element.
   */
  private dq: Deque | null;
  private cold = '';
  private coldLength = 0;
  private bytes: number;
  private packed: boolean;

  constructor(items: Deque | null = new Deque(), bytes = LISTPACK_EMPTY, packed = true) {
    this.dq = items;
    this.bytes = bytes;
    this.packed = packed;
  }

  warm(): number {
    return this.dq === null ? this.cold.length : this.dq.warm();
  }

  /**
   * A list of `elements` in the encoding Redis gives a list built by
   * pushing them at the tail of a quicklist and then converting it (SORT
   * STORE, loading a list kept as single elements): a listpack when they
   * fit in one node under `fill` (list-max-listpack-size).
   */
  static of(elements: readonly string[], fill: number): ListValue {
    const list = ListValue.whole(elements);
    list.packed = nodeEnds((take) => elements.forEach((e) => take(e)), fill).length === 1;
    return list;
  }

  /**
   * A list loaded from a quicklist of `packedNodes` nodes (0 when one was
   * a plain node): a listpack when it was one packed node within the node
   * limits of `fill`, as Redis's loader converts it.
   */
  static loaded(elements: readonly string[], fill: number, packedNodes: number): ListValue {
    const list = ListValue.whole(elements);
    list.packed = packedNodes === 1 && fitsListpack(fill, list.bytes, list.length, false);
    return list;
  }

  /**
   * ListValue.loaded for a quicklist of one packed node whose `count`
   * elements arrive already packed, `raw` bytes of them and `entryBytes`
   * as a listpack (listpack-size.ts); null when the list would not stay
   * cold, for the element-by-element path to build.
   */
  static loadedPacked(packed: string, count: number, raw: number, entryBytes: number, fill: number): ListValue | null {
    if (count > COLD_MAX || raw > LISTPACK_LIMIT) return null;
    const list = new ListValue(null, LISTPACK_EMPTY + entryBytes);
    list.cold = packed;
    list.coldLength = count;
    list.packed = fitsListpack(fill, list.bytes, count, false);
    return list;
  }

  /**
   * A new list made by one push of `elements` (in list order, so reversed
   * for LPUSH), in the encoding Redis gives a list created by that push: a
   * listpack unless the elements take it past one node under `fill`. Built
   * whole, so cold while it fits: a list that one command fills (a loader's
   * RPUSH, an AOF being replayed) and that is then left to wait costs one
   * string, not a deque, its chunks and a string per element, none of them
   * left for the young generation's collector to copy.
   */
  static pushed(elements: readonly string[], fill: number): ListValue {
    const raw = rawBytes(elements);
    const list = ListValue.whole(elements, raw);
    list.packed = !exceedsNode(fill, LISTPACK_EMPTY + raw, elements.length);
    return list;
  }

  private static whole(elements: readonly string[], raw = rawBytes(elements)): ListValue {
    return elements.length <= COLD_MAX && raw <= LISTPACK_LIMIT ? ListValue.cold(elements) : ListValue.warm(elements);
  }

  private static cold(elements: readonly string[]): ListValue {
    const list = new ListValue(null);
    list.cold = pack(elements);
    list.coldLength = elements.length;
    for (const e of elements) list.bytes += listpackEntrySize(e);
    return list;
  }

  private static warm(elements: readonly string[]): ListValue {
    const list = new ListValue();
    for (const e of elements) list.pushBack(e);
    return list;
  }

  /** The deque, made from the packed elements on a cold list's first use. */
  private get items(): Deque {
    if (this.dq !== null) return this.dq;
    const d = new Deque();
    // Own copies: a slice of the packed string would keep all of it alive as long as any element lives.
    for (const e of unpack(this.cold)) d.pushBack(ownCopy(e));
    this.dq = d;
    this.cold = '';
    return d;
  }

  get length(): number {
    return this.dq === null ? this.coldLength : this.dq.length;
  }

  /** Calls `f` with every element from the head, without thawing a cold list (what a snapshot or a dump reads). */
  each(f: (e: string) => void): void {
    this.eachIn(0, this.length, f);
  }

  /** `each` from index `from`, `count` elements (a save writes a long list over several slices); a cold list, being short, is read from its head. */
  eachIn(from: number, count: number, f: (e: string) => void): void {
    const end = Math.min(from + count, this.length);
    if (this.dq === null) {
      const p = this.cold;
      for (let pos = 0, i = 0; i < end; pos = nextEntry(p, pos), i++) if (i >= from) f(entryAt(p, pos));
      return;
    }
    const d = this.dq;
    for (let i = from; i < end; i++) f(d.get(i));
  }

  encoding(): string {
    return this.packed ? 'listpack' : 'quicklist';
  }

  /** O(elements / 32): the copy shares the deque's chunks copy-on-write, or a cold list's packed string. */
  clone(): ListValue {
    if (this.dq === null) {
      const c = new ListValue(null, this.bytes, this.packed);
      c.cold = this.cold;
      c.coldLength = this.coldLength;
      return c;
    }
    return new ListValue(this.dq.clone(), this.bytes, this.packed);
  }

  /** The deque's structure and elements (packed chunks whole, open ones sampled), or a cold list's one string. */
  memoryUsage(samples: number): number {
    if (this.dq === null) return 2 * VALUE_OBJECT + stringSize(this.cold.length);
    return 2 * VALUE_OBJECT + this.dq.footprint(stringSize, samples);
  }

  /** TypedValue.discard: the deque's packed chunks are given back, and the list is empty. */
  discard(): void {
    if (this.dq !== null) this.dq.discard();
    this.cold = '';
    this.coldLength = 0;
    this.bytes = LISTPACK_EMPTY;
    this.packed = true;
  }

  /** A clone: a list that nothing writes to is its own snapshot. */
  snapshot(): ListValue {
    return this.clone();
  }

  /** The AOF rewrite's commands for this list: RPUSH, a bounded number of elements at a time. */
  *rebuildCommands(key: string): Iterator<string[]> {
    if (this.dq === null) {
      const all = unpack(this.cold);
      for (let i = 0; i < all.length; i += REBUILD_ITEMS_PER_COMMAND) yield ['RPUSH', key, ...all.slice(i, i + REBUILD_ITEMS_PER_COMMAND)];
      return;
    }
    const items = this.dq;
    const n = items.length;
    for (let i = 0; i < n; i += REBUILD_ITEMS_PER_COMMAND) {
      const cmd = ['RPUSH', key];
      const end = Math.min(n, i + REBUILD_ITEMS_PER_COMMAND);
      for (let j = i; j < end; j++) cmd.push(items.get(j));
      yield cmd;
    }
  }

  /**
   * Redis's listTypeTryConversionAppend, called before adding `addCount`
   * elements whose lengths sum to `addBytes`, under list-max-listpack-size
   * `fill`: as in Redis the raw lengths are added to the listpack's size,
   * not their encoded sizes.
   */
  growing(addBytes: number, addCount: number, fill: number): void {
    if (this.packed && exceedsNode(fill, this.bytes + addBytes, this.length + addCount)) this.packed = false;
  }

  /**
   * Redis's shrinking conversion, after elements were removed, under
   * list-max-listpack-size `fill`. Redis also requires the quicklist to be
   * down to one node; node boundaries are not modelled, so a list that
   * shrank from both ends may turn back a little sooner than Redis's would.
   */
  shrunk(fill: number): void {
    if (!this.packed && fitsListpack(fill, this.bytes, this.length, true)) this.packed = true;
  }

  get(i: number): string {
    return this.items.get(i);
  }

  /** The first index in [from, to) holding `v`, or -1; the last one when `backwards` (Deque.find). */
  find(v: string, from: number, to: number, backwards: boolean): number {
    return this.items.find(v, from, to, backwards);
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
