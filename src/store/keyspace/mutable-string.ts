import { constants } from 'node:buffer';
import type { Reply } from '../../protocol/reply.js';

/**
 * From this length a modified string keeps its bytes in a buffer. Below it,
 * rebuilding a JS string per change costs about what a write into a buffer
 * does, and a buffer would add a few hundred bytes per value (its
 * ArrayBuffer and backing store); at 4 KiB a rebuild costs 3 to 6 times a
 * buffer write (0.7 to 1.4 µs against 0.2), growing with the length, while
 * the buffer's overhead is down to about a tenth of the value.
 */
export const BYTES_FROM = 4096;

/** No string value outgrows what V8 can turn into a string (checkStringLength), so no capacity needs to either. */
const MAX_CAPACITY = constants.MAX_STRING_LENGTH;

/**
 * A string value that is modified in place: what APPEND and SETRANGE leave
 * behind, the values Redis reports as `raw` whatever their length. Until it
 * reaches BYTES_FROM the value is a JS byte string, rebuilt by each change
 * (which marks it raw at the cost of one small object); from then on its
 * bytes live in a buffer with room to grow, so a change costs what it
 * writes, amortised: the buffer doubles when it runs out, like Redis's
 * sds. Bytes past the length are zero, so a write past the end finds its
 * gap already filled.
 */
export class MutableString {
  readonly type = 'string';
  /** The value while `bytes` is null: the string it was made from, or rebuilt by changes while short. */
  private text: string;
  /** Once long: the value is bytes[0, len), the rest zeros to grow into. */
  private bytes: Buffer | null = null;
  private len: number;

  constructor(text: string) {
    this.text = text;
    this.len = text.length;
  }

  /**
   * `n` zero bytes, held as exactly that (SETRANGE on a missing key
   * allocates offset + length and no more, as Redis's sdsnewlen does).
   */
  static zeroed(n: number): MutableString {
    if (n < BYTES_FROM) return new MutableString('\0'.repeat(n));
    const s = new MutableString('');
    s.bytes = Buffer.alloc(n);
    s.len = n;
    return s;
  }

  get length(): number {
    return this.len;
  }

  encoding(): string {
    return 'raw';
  }

  append(s: string): void {
    const total = this.len + s.length;
    if (this.bytes === null && total < BYTES_FROM) {
      this.text += s;
    } else {
      this.room(total).latin1Write(s, this.len);
    }
    this.len = total;
  }

  /** Writes `s` at `offset`; a gap past the end reads as zero bytes. */
  setRange(offset: number, s: string): void {
    const end = offset + s.length;
    if (this.bytes === null && Math.max(end, this.len) < BYTES_FROM) {
      const t = this.text;
      this.text = offset > t.length ? t + '\0'.repeat(offset - t.length) + s : t.slice(0, offset) + s + t.slice(end);
      this.len = this.text.length;
      return;
    }
    this.room(Math.max(end, this.len)).latin1Write(s, offset);
    if (end > this.len) this.len = end;
  }

  /** The whole value as a byte string: a copy, O(n), once it is in a buffer. */
  toString(): string {
    return this.bytes === null ? this.text : this.bytes.latin1Slice(0, this.len);
  }

  /** Writes bytes [start, end) as a bulk reply, copying only those. */
  writeBulk(reply: Reply, start = 0, end = this.len): void {
    if (this.bytes !== null) reply.bulkBuffer(this.bytes.subarray(start, end));
    else reply.bulk(start === 0 && end === this.len ? this.text : this.text.slice(start, end));
  }

  /** An independent copy, as long as the value (COPY: Redis's dupStringObject allocates the length). */
  clone(): MutableString {
    const copy = new MutableString(this.text);
    if (this.bytes !== null) {
      copy.bytes = Buffer.alloc(this.len);
      this.bytes.copy(copy.bytes, 0, 0, this.len);
      copy.len = this.len;
    }
    return copy;
  }

  /**
   * The buffer, holding at least `n` bytes (n >= length). A value that
   * grows gets twice what it needs, so that growing by appends costs
   * amortised O(1) per byte; one that only changes gets its length.
   */
  private room(n: number): Buffer {
    const old = this.bytes;
    if (old !== null && old.length >= n) return old;
    const next = Buffer.alloc(n > this.len ? Math.max(n, Math.min(2 * n, MAX_CAPACITY)) : n);
    if (old !== null) old.copy(next, 0, 0, this.len);
    else next.latin1Write(this.text, 0);
    this.bytes = next;
    this.text = '';
    return next;
  }
}
