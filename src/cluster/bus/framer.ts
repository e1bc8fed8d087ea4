import { constants } from 'node:buffer';
import { MAX_ARG_LENGTH } from '../../protocol/limits.js';
import { HEADER_LENGTH, OFFSET, PUBLISH_FIXED_LENGTH, SIGNATURE } from './layout.js';

/**
 * The longest message a peer has reason to send: a PUBLISH of the longest
 * channel and the longest message a client can give (each one argument,
 * which Sluice caps at V8's longest string). Redis takes any 32-bit totlen;
 * a larger one here is refused as soon as its first 8 bytes arrive.
 */
export const DEFAULT_MAX_MESSAGE_LENGTH = HEADER_LENGTH + PUBLISH_FIXED_LENGTH + 2 * MAX_ARG_LENGTH;

export type FrameResult = { messages: Buffer[]; error: null } | { messages: Buffer[]; error: string };

/**
 * Cuts a link's byte stream into whole messages by their totlen, checking
 * as clusterReadHandler does, once the first 8 bytes of each are in, that
 * it starts with "RCmb" and is at least a header long. After an error the
 * stream cannot be resynchronised (Redis closes the link), so every later
 * push answers the same error.
 *
 * Bytes are held as the chunks they came in and joined once a message is
 * whole, so what is held is what has arrived, whatever a totlen promises.
 * Nothing held or returned shares memory with a pushed chunk, so the
 * caller may reuse its read buffer.
 */
export class BusFramer {
  private chunks: Buffer[] = [];
  private held = 0;
  /** The totlen of the message being gathered, or 0 before its first 8 bytes. */
  private expected = 0;
  private failure: string | null = null;

  private readonly maxMessageLength: number;

  /** `maxMessageLength` is capped at the longest Buffer this process can allocate. */
  constructor(maxMessageLength = DEFAULT_MAX_MESSAGE_LENGTH) {
    this.maxMessageLength = Math.min(maxMessageLength, constants.MAX_LENGTH);
  }

  push(chunk: Buffer): FrameResult {
    if (this.failure !== null) return { messages: [], error: this.failure };
    if (chunk.length > 0) {
      this.chunks.push(chunk);
      this.held += chunk.length;
    }
    const messages: Buffer[] = [];
    for (;;) {
      if (this.expected === 0) {
        if (this.held < 8) break;
        const head = this.take(8, false);
        const error = this.checkHead(head);
        if (error !== null) {
          this.failure = error;
          this.chunks = [];
          this.held = 0;
          return { messages, error };
        }
        this.expected = head.readUInt32BE(OFFSET.totlen);
      }
      if (this.held < this.expected) break;
      messages.push(this.take(this.expected, true));
      this.expected = 0;
    }
    // What is left of the caller's chunk is the last one held: copied, since the caller may reuse its memory.
    if (chunk.length > 0 && this.chunks.length > 0) this.chunks[this.chunks.length - 1] = Buffer.from(this.chunks[this.chunks.length - 1]);
    return { messages, error: null };
  }

  /** Bytes held of a message not yet whole. */
  get pending(): number {
    return this.held;
  }

  private checkHead(head: Buffer): string | null {
    if (head.latin1Slice(OFFSET.sig, OFFSET.sig + 4) !== SIGNATURE) return 'bad message signature on the cluster bus';
    const totlen = head.readUInt32BE(OFFSET.totlen);
    if (totlen < HEADER_LENGTH) return `bad message length ${totlen} on the cluster bus (shorter than the header)`;
    if (totlen > this.maxMessageLength) return `bad message length ${totlen} on the cluster bus (longer than ${this.maxMessageLength})`;
    return null;
  }

  /** The first `n` held bytes, copied; `consume` drops them from what is held. */
  private take(n: number, consume: boolean): Buffer {
    const out = Buffer.allocUnsafe(n);
    let filled = 0;
    let whole = 0;
    while (filled < n) {
      const chunk = this.chunks[whole];
      const part = Math.min(chunk.length, n - filled);
      chunk.copy(out, filled, 0, part);
      filled += part;
      if (part < chunk.length) {
        if (consume) this.chunks[whole] = chunk.subarray(part);
        break;
      }
      whole++;
    }
    if (consume) {
      this.chunks.splice(0, whole);
      this.held -= n;
    }
    return out;
  }
}
