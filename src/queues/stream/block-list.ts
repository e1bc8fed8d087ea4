import type { Block } from './block.js';

/**
 * A stream's blocks in order, indexed from the first live one, where
 * trimming removes from the front in O(1) amortised. The array keeps its
 * removed head until it is half the array, then is copied without it.
 * Array.prototype.shift was O(1) only while V8 could move the array's start
 * in place, which it cannot once the backing store is in large-object
 * space (past about 16,000 blocks): measured 2.5 µs a shift at 16,000
 * blocks, 170 µs at 100,000 and 1.4 ms at 1,000,000, once per block's worth
 * of XADDs under MAXLEN ~.
 */
export class BlockList {
  private head = 0;

  constructor(private items: Block[] = []) {}

  get length(): number {
    return this.items.length - this.head;
  }

  at(i: number): Block {
    return this.items[this.head + i];
  }

  set(i: number, b: Block): void {
    this.items[this.head + i] = b;
  }

  push(b: Block): void {
    this.items.push(b);
  }

  /** Removes block `i` (XDEL of its last entry): O(blocks after it), as the array moves them down. */
  removeAt(i: number): void {
    this.items.splice(this.head + i, 1);
  }

  /** Removes the first `n` blocks. */
  dropFront(n: number): void {
    const items = this.items;
    const end = this.head + n;
    // Dropped blocks are released now, not at the next copy.
    for (let i = this.head; i < end; i++) items[i] = undefined as unknown as Block;
    this.head = end;
    if (end * 2 >= items.length) {
      this.items = items.slice(end);
      this.head = 0;
    }
  }

  /** An independent list of the same blocks (the blocks themselves are shared). */
  copy(): BlockList {
    return new BlockList(this.items.slice(this.head));
  }

  *[Symbol.iterator](): Iterator<Block> {
    const items = this.items;
    for (let i = this.head; i < items.length; i++) yield items[i];
  }
}
