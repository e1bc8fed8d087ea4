/**
 * The replication backlog: the last `size` bytes of the replication
 * stream, kept so that a replica that lost its link can ask for what it
 * missed (PSYNC) instead of a whole new snapshot. Offsets are those of the
 * stream: the byte at offset `o` is the o-th byte ever fed (the first is
 * offset 1, as Redis counts master_repl_offset).
 */
export class ReplicationBacklog {
  private ring: Buffer;
  /** Where the next byte goes in `ring`. */
  private head = 0;
  /** Bytes of history held, at most `ring.length` (INFO repl_backlog_histlen). */
  histlen = 0;

  /** `end` is the stream offset of the last byte already fed before this backlog existed. */
  constructor(size: number, private end: number) {
    this.ring = Buffer.allocUnsafe(checkedSize(size));
  }

  get size(): number {
    return this.ring.length;
  }

  /** The offset of the oldest byte held (INFO repl_backlog_first_byte_offset); end + 1 when nothing is. */
  get firstOffset(): number {
    return this.end - this.histlen + 1;
  }

  /** The offset of the last byte fed. */
  get lastOffset(): number {
    return this.end;
  }

  feed(bytes: Buffer): void {
    const n = bytes.length;
    const cap = this.ring.length;
    this.end += n;
    if (n >= cap) {
      bytes.copy(this.ring, 0, n - cap);
      this.head = 0;
      this.histlen = cap;
      return;
    }
    const first = Math.min(n, cap - this.head);
    bytes.copy(this.ring, this.head, 0, first);
    if (first < n) bytes.copy(this.ring, 0, first);
    this.head = (this.head + n) % cap;
    this.histlen = Math.min(cap, this.histlen + n);
  }

  /** Whether the bytes from `offset` on are all still here (an offset one past the last asks for nothing, which is fine). */
  holds(offset: number): boolean {
    return offset >= this.firstOffset && offset <= this.end + 1;
  }

  /** A copy of the bytes from `offset` to the last fed; `offset` must be held. */
  from(offset: number): Buffer {
    if (!this.holds(offset)) throw new RangeError(`offset ${offset} is not in the backlog`);
    const n = this.end - offset + 1;
    const out = Buffer.allocUnsafe(n);
    const cap = this.ring.length;
    const start = (this.head - n + cap) % cap;
    const first = Math.min(n, cap - start);
    this.ring.copy(out, 0, start, start + first);
    if (first < n) this.ring.copy(out, first, 0, n - first);
    return out;
  }

  /**
   * A new size (CONFIG SET repl-backlog-size): the newest history that
   * fits is kept, as Redis 7 trims its backlog to a smaller limit.
   */
  resize(size: number): void {
    const cap = checkedSize(size);
    if (cap === this.ring.length) return;
    const keep = Math.min(this.histlen, cap);
    const history = keep > 0 ? this.from(this.end - keep + 1) : Buffer.alloc(0);
    this.ring = Buffer.allocUnsafe(cap);
    history.copy(this.ring, 0);
    this.head = keep % cap;
    this.histlen = keep;
  }
}

/** A backlog lives in one Buffer: its size is bounded by what a Buffer may hold. */
function checkedSize(size: number): number {
  if (!Number.isSafeInteger(size) || size < 1) throw new RangeError(`bad backlog size ${size}`);
  return Math.min(size, 2 ** 31 - 1);
}
