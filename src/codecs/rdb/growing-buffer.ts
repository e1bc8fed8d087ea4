/** Bytes written at the end of a buffer that doubles when full: what the RDB writers build their output in. */
export class GrowingBuffer {
  protected buf: Buffer;
  size: number;

  constructor(capacity: number, size = 0) {
    this.buf = Buffer.allocUnsafe(capacity);
    this.size = size;
  }

  /**
   * The buffer as it is, for someone else to write out and keep until then;
   * this one goes on in `next`, or in a new one (of at most a megabyte: a
   * value that grew it past that need not make every later one as large).
   */
  handOver(next: Buffer | null): Buffer {
    const full = this.buf;
    this.buf = next ?? Buffer.allocUnsafe(Math.min(full.length, 1 << 20));
    this.size = 0;
    return full;
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
