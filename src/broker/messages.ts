import type { ByteSpan } from '../protocol/byte-span.js';
import { byteString } from '../protocol/byte-string.js';
import { bulkSize, copyBytes, writeBulk, writeSpanBulk, type Protocol } from '../protocol/reply.js';

/**
 * A message's payload: a byte string, or the bytes of a PUBLISH the request
 * parser left unread (RequestParser.unreadArg), copied as they are.
 */
export type Payload = string | ByteSpan;

/** The payload as a byte string. */
export function payloadString(payload: Payload): string {
  return typeof payload === 'string' ? payload : byteString(payload.buf, payload.start, payload.length);
}

function writePayload(buf: Buffer, at: number, payload: Payload): number {
  return typeof payload === 'string' ? writeBulk(buf, at, payload) : writeSpanBulk(buf, at, payload);
}

/**
 * The frames a subscriber receives. RESP2 sends them as arrays, RESP3 as
 * push frames; the two differ only in the aggregate's type byte.
 */
export type MessageKind = 'message' | 'pmessage' | 'smessage';

function header(kind: MessageKind, proto: Protocol): Buffer {
  const n = kind === 'pmessage' ? 4 : 3;
  return Buffer.from(`${proto === 3 ? '>' : '*'}${n}\r\n$${kind.length}\r\n${kind}\r\n`, 'latin1');
}

const HEADERS: Record<MessageKind, [Buffer, Buffer]> = {
  message: [header('message', 2), header('message', 3)],
  pmessage: [header('pmessage', 2), header('pmessage', 3)],
  smessage: [header('smessage', 2), header('smessage', 3)],
};

/**
 * The part every pmessage of one publish shares, `$<channel>$<payload>`,
 * encoded once and copied after each matching pattern.
 */
export function encodeTail(channel: string, payload: Payload): Buffer {
  const tail = Buffer.allocUnsafe(bulkSize(channel) + bulkSize(payload));
  writePayload(tail, writeBulk(tail, 0, channel), payload);
  return tail;
}

/** Bytes a `message`/`smessage` frame takes. */
export function messageSize(kind: 'message' | 'smessage', channel: string, payload: Payload): number {
  return HEADERS[kind][0].length + bulkSize(channel) + bulkSize(payload);
}

/** Encodes a `message`/`smessage` frame at `at`; returns where it ends. */
export function writeMessage(buf: Buffer, at: number, kind: 'message' | 'smessage', proto: Protocol, channel: string, payload: Payload): number {
  const head = HEADERS[kind][proto === 3 ? 1 : 0];
  return writePayload(buf, writeBulk(buf, copyBytes(head, buf, at), channel), payload);
}

/** Bytes a `pmessage` frame takes, given the tail its publish shares. */
export function pmessageSize(pattern: string, tail: Buffer): number {
  return HEADERS.pmessage[0].length + bulkSize(pattern) + tail.length;
}

/** Encodes a `pmessage` frame at `at`: the header, the pattern, then the shared tail; returns where it ends. */
export function writePMessage(buf: Buffer, at: number, proto: Protocol, pattern: string, tail: Buffer): number {
  const head = HEADERS.pmessage[proto === 3 ? 1 : 0];
  at = writeBulk(buf, copyBytes(head, buf, at), pattern);
  buf.set(tail, at);
  return at + tail.length;
}

/** Arena blocks: large enough that a burst of small messages shares one block. */
const BLOCK_BYTES = 128 * 1024;

/**
 * Where messages are encoded, once per publish and protocol: an append-only
 * buffer whose bytes never change once written, so subscribers' output
 * queues can reference them (RespWriter.shared) instead of copying them.
 * A full block is left to the garbage collector once the sockets that
 * still reference it have written it.
 */
export class FrameArena {
  private block = Buffer.allocUnsafe(BLOCK_BYTES);
  private used = 0;
  /** The last frame encoded: its block and its range there. */
  frame: Buffer = this.block;
  start = 0;
  end = 0;

  private reserve(size: number): Buffer {
    if (this.block.length - this.used < size) {
      this.block = Buffer.allocUnsafe(Math.max(BLOCK_BYTES, size));
      this.used = 0;
    }
    return this.block;
  }

  private commit(buf: Buffer, end: number): void {
    this.frame = buf;
    this.start = this.used;
    this.end = this.used = end;
  }

  message(kind: 'message' | 'smessage', proto: Protocol, channel: string, payload: Payload): void {
    const buf = this.reserve(messageSize(kind, channel, payload));
    this.commit(buf, writeMessage(buf, this.used, kind, proto, channel, payload));
  }

  pmessage(proto: Protocol, pattern: string, tail: Buffer): void {
    const buf = this.reserve(pmessageSize(pattern, tail));
    this.commit(buf, writePMessage(buf, this.used, proto, pattern, tail));
  }
}
