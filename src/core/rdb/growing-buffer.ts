/** Bytes written at the end of a buffer that doubles when full: what the RDB writers build their output in. */
export class GrowingBuffer {
  protected buf: Buffer;
  size: number;

  constructor(capacity: number, size = 0) {
    this.buf = Buffer.allocUnsafe(capacity);
    this.size = size;
  }

  /** Room for `n` more bytes. */
  protected ensure(n: number): void {
    if (this.size + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.size + n) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.size);
    this.buf = next;
  }
}
