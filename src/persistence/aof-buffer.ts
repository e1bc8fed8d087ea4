import { commandLength } from '../protocol/command-bytes.js';
import { writeHeader } from '../protocol/reply.js';

const INITIAL_CAPACITY = 16 * 1024;
/** A buffer grown past this by a burst is given back once it has been written out. */
const KEEP_CAPACITY = 1024 * 1024;
/** Arguments up to this length are copied byte by byte; longer ones by latin1Write. */
const SHORT_ARG = 32;

/**
 * Bytes bound for an AOF file: commands encoded as RESP multibulk (the
 * format Redis writes and reads back), accumulated between writes.
 * Arguments are byte strings, one latin1 char per byte.
 */
export class AofBuffer {
  private buf: Buffer = Buffer.allocUnsafe(INITIAL_CAPACITY);
  length = 0;

  /** The bytes written so far (a view, valid until the next change). */
  view(): Buffer {
    return this.buf.subarray(0, this.length);
  }

  appendCommand(argv: readonly string[]): void {
    this.reserve(commandLength(argv));
    const buf = this.buf;
    let at = writeHeader(buf, this.length, 0x2a, argv.length);
    for (let i = 0; i < argv.length; i++) {
      const s = argv[i];
      const n = s.length;
      at = writeHeader(buf, at, 0x24, n);
      if (n <= SHORT_ARG) {
        for (let j = 0; j < n; j++) buf[at + j] = s.charCodeAt(j);
        at += n;
      } else {
        at += buf.latin1Write(s, at, n);
      }
      buf[at++] = 13;
      buf[at++] = 10;
    }
    this.length = at;
  }

  /** Text already in the file's format (an annotation line, a pre-encoded command). */
  appendRaw(text: string): void {
    this.reserve(text.length);
    this.length += this.buf.latin1Write(text, this.length);
  }

  /** Bytes already in the file's format (a replica passing its master's stream on). */
  appendBytes(bytes: Buffer): void {
    this.reserve(bytes.length);
    bytes.copy(this.buf, this.length);
    this.length += bytes.length;
  }

  /** Drops the first n bytes (written out by a short write). */
  consume(n: number): void {
    this.buf.copy(this.buf, 0, n, this.length);
    this.length -= n;
  }

  /** Hands the whole buffer over (its first `length` bytes filled) and goes on in `next`, or a new one. */
  swap(next: Buffer | null): Buffer {
    const full = this.buf;
    this.buf = next ?? Buffer.allocUnsafe(INITIAL_CAPACITY);
    this.length = 0;
    return full;
  }

  clear(): void {
    this.length = 0;
    if (this.buf.length > KEEP_CAPACITY) this.buf = Buffer.allocUnsafe(INITIAL_CAPACITY);
  }

  private reserve(n: number): void {
    const need = this.length + n;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.length);
    this.buf = next;
  }
}
