/**
 * A FIFO of received stream bytes not yet attributed to a command. The
 * front chunk is read from `head` on rather than re-sliced: a chunk holds
 * thousands of small commands.
 */
export class ByteQueue {
  private chunks: Buffer[] = [];
  private head = 0;
  length = 0;
  /** Where the bytes the last `take` removed are. */
  spanBuf: Buffer = Buffer.alloc(0);
  spanStart = 0;

  push(b: Buffer): void {
    if (b.length === 0) return;
    this.chunks.push(b);
    this.length += b.length;
  }

  /**
   * Removes the first `n` bytes (n <= length): they are `spanBuf` from
   * `spanStart` on, the front chunk itself when it holds them all (no
   * Buffer is made for a command), else a copy.
   */
  take(n: number): void {
    this.length -= n;
    const first = this.chunks[0];
    const start = this.head;
    if (first.length - start > n) {
      this.head = start + n;
      this.spanBuf = first;
      this.spanStart = start;
      return;
    }
    if (first.length - start === n) {
      this.dropFront();
      this.spanBuf = first;
      this.spanStart = start;
      return;
    }
    const out = Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.chunks[0];
      const k = Math.min(c.length - this.head, n - at);
      c.copy(out, at, this.head, this.head + k);
      at += k;
      if (this.head + k === c.length) this.dropFront();
      else this.head += k;
    }
    this.spanBuf = out;
    this.spanStart = 0;
  }

  /** The byte `i` bytes from the front (i < length). */
  byteAt(i: number): number {
    const first = this.chunks[0];
    const at = this.head + i;
    return at < first.length ? first[at] : this.chunks[1][at - first.length];
  }

  /** Drops `n` bytes (n <= length, within the first two chunks) from the front. */
  skip(n: number): void {
    this.length -= n;
    let left = n;
    while (left > 0) {
      const rest = this.chunks[0].length - this.head;
      if (rest > left) {
        this.head += left;
        return;
      }
      left -= rest;
      this.dropFront();
    }
  }

  /**
   * The first bytes, in one buffer and left in place: the front chunk's own
   * when it is the only one; else a copy of the front chunk's rest and of
   * at least `more` bytes after it (all when fewer are queued), so that a
   * command cut by a read is joined to the next without copying that read
   * whole.
   */
  front(more: number): Buffer {
    const first = this.chunks[0];
    if (this.chunks.length === 1) return first.subarray(this.head);
    const n = Math.min(this.length, first.length - this.head + more);
    const out = Buffer.allocUnsafe(n);
    let at = first.copy(out, 0, this.head);
    for (let i = 1; at < n; i++) at += this.chunks[i].copy(out, at, 0, Math.min(this.chunks[i].length, n - at));
    return out;
  }

  private dropFront(): void {
    this.chunks.shift();
    this.head = 0;
  }
}
