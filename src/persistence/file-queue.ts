import fs from 'node:fs';
import { errnoError, type AofIo } from './io.js';

/** Buffers larger than this are not kept for reuse once written (a burst made them). */
const KEEP_CAPACITY = 1024 * 1024;

/**
 * A file written in the thread pool, in order, while the event loop goes on.
 * A background walk (the AOF rewrite's base) fills buffers far faster than
 * clients write: writing each 512 KiB synchronously held the loop for about
 * 1.5 ms of kernel copying every other slice, so that a client's command
 * waited for up to three slices' worth. Here one write is in flight at a
 * time (writes to one descriptor without positions must not overlap), the
 * rest wait their turn, and a written buffer comes back for refilling. The
 * queue owns the descriptor from now on: it closes it only once no write is
 * in flight, since a descriptor number closed under a pending write could
 * be reused by another file.
 */
export class FileQueue {
  /** Bytes handed over and not yet written. */
  pending = 0;
  /** Bytes written. */
  written = 0;
  private readonly waiting: { buf: Buffer; length: number }[] = [];
  private readonly spares: Buffer[] = [];
  private writing = false;
  private error: NodeJS.ErrnoException | null = null;
  private closing = false;
  private drained: ((err: NodeJS.ErrnoException | null) => void)[] = [];

  constructor(
    private readonly io: AofIo,
    readonly fd: number,
    /** The first write that failed; nothing is written after it. */
    private readonly failed: (err: NodeJS.ErrnoException) => void,
  ) {}

  /** Queues the first `length` bytes of `buf`, which the caller leaves alone from now on. */
  push(buf: Buffer, length: number): void {
    if (this.error !== null || this.closing || length === 0) return;
    this.pending += length;
    this.waiting.push({ buf, length });
    if (!this.writing) this.next();
  }

  /** A buffer already written out, free to fill again (null when none is). */
  spare(): Buffer | null {
    return this.spares.pop() ?? null;
  }

  /** Calls `done` once every byte pushed so far is written, or with the error that stopped the writes. */
  whenWritten(done: (err: NodeJS.ErrnoException | null) => void): void {
    if (this.error !== null || !this.writing) {
      done(this.error);
      return;
    }
    this.drained.push(done);
  }

  /** Drops what is still queued and closes the descriptor, now or when the write in flight returns. */
  close(): void {
    if (this.closing) return;
    this.closing = true;
    this.waiting.length = 0;
    this.drained = [];
    if (!this.writing) closeQuietly(this.fd);
  }

  private next(): void {
    const item = this.waiting.shift();
    if (item === undefined) {
      this.writing = false;
      const drained = this.drained;
      this.drained = [];
      for (const done of drained) done(null);
      return;
    }
    this.writing = true;
    this.writeFrom(item.buf, 0, item.length);
  }

  private writeFrom(buf: Buffer, at: number, length: number): void {
    this.io.writeAsync(this.fd, buf, at, length - at, (err, n) => {
      if (this.closing) {
        this.writing = false;
        closeQuietly(this.fd);
        return;
      }
      if (err === null && n <= 0) err = errnoError('ENOSPC', 'short write');
      if (err !== null) {
        this.stop(err);
        return;
      }
      this.written += n;
      this.pending -= n;
      if (at + n < length) {
        this.writeFrom(buf, at + n, length);
        return;
      }
      if (buf.length <= KEEP_CAPACITY) this.spares.push(buf);
      this.next();
    });
  }

  private stop(err: NodeJS.ErrnoException): void {
    this.error = err;
    this.writing = false;
    this.waiting.length = 0;
    const drained = this.drained;
    this.drained = [];
    this.failed(err);
    for (const done of drained) done(err);
  }
}

function closeQuietly(fd: number): void {
  try {
    fs.closeSync(fd);
  } catch {
    // Already closed.
  }
}
