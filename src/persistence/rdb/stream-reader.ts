import { constants } from 'node:buffer';
import { SummingRdbReader } from './summing-reader.js';

/** Thrown when a record needs bytes that have not arrived yet: the parser rewinds to the record and waits. */
export class NeedMoreData extends Error {
  constructor(readonly needed: number) {
    super('more data needed');
  }
}

/**
 * An RdbReader over bytes that arrive a chunk at a time (a replica's
 * diskless load: the snapshot read from the master's socket as it comes).
 * A record that runs past what has arrived throws NeedMoreData; the parser
 * rewinds to the record's start (`keepFrom`), which the reader keeps, and
 * tries again once more bytes are in. Bytes before the record are
 * checksummed and let go.
 */
export class StreamRdbReader extends SummingRdbReader {
  /** Chunks pushed and not yet joined into `data`. */
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  /** No more bytes will come: a record past the end is a truncated file. */
  private ended = false;
  /** The start of the record being read: kept so that it can be read again. */
  private keepFrom = 0;

  constructor() {
    super(Buffer.alloc(0), 0, Number.MAX_SAFE_INTEGER);
    this.held = 0;
  }

  /** Bytes that arrived and are not read yet. */
  get buffered(): number {
    return this.held - this.pos + this.pendingBytes;
  }

  push(chunk: Buffer): void {
    this.pending.push(chunk);
    this.pendingBytes += chunk.length;
  }

  /** Every byte has arrived. */
  finish(): void {
    this.ended = true;
  }

  /** A record starts here: what comes before it is done with. */
  override recordStart(at: number): void {
    this.keepFrom = at;
  }

  protected override fetch(n: number): void {
    if (n > this.held - this.pos + this.pendingBytes) {
      if (this.ended) this.fail('unexpected end of data');
      throw new NeedMoreData(n);
    }
    if (this.held - this.keepFrom + this.pendingBytes > constants.MAX_LENGTH) this.fail('a value longer than the process can hold');
    this.sumTo(this.keepFrom);
    const kept = this.data.subarray(this.keepFrom - this.base, this.held - this.base);
    this.data = Buffer.concat([kept, ...this.pending]);
    this.base = this.keepFrom;
    this.held = this.keepFrom + this.data.length;
    this.pending = [];
    this.pendingBytes = 0;
  }
}
