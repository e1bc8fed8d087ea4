import type net from 'node:net';
import { streamWrap as binding, type WriteReq } from './stream-binding.js';

/**
 * Writes a connection's output straight to its libuv handle, below Node's
 * Writable stream.
 *
 * socket.write runs every buffer through the Writable machinery (state
 * bookkeeping, a write request, a callback deferred to the next tick) before
 * the handle's own write, which libuv tries at once and mostly completes
 * on the spot. Going around it saves a measurable share of the server's
 * CPU per unpipelined request. The handle's write takes a request
 * object of Node's internal WriteWrap class (see stream-binding.ts); where
 * that is missing, the connection keeps using socket.write.
 *
 * Order: libuv queues a handle's writes in the order they are made, so a
 * direct write may follow a stream write that libuv still holds, and the
 * reverse; but a write the stream itself still buffers (behind one of its
 * own in flight) has not reached libuv, and a direct write would overtake
 * it. So a direct write is made only while the stream holds nothing.
 */

interface OwnedWriteReq extends WriteReq {
  owner: SocketWriter;
}

interface WritableHandle {
  writeBuffer(req: WriteReq, data: Buffer): number;
}

function onComplete(this: OwnedWriteReq, status: number): void {
  this.owner.completed(this, status);
}

/**
 * A request object to use for the next write. Node ties a request to its
 * native write only when libuv cannot finish the write at once; one that
 * completed on the spot was not touched, and is used again rather than
 * instantiated anew (an object from a native template: about half a
 * microsecond, a few percent of an unpipelined request's CPU).
 */
let spareReq: OwnedWriteReq | null = null;

export class SocketWriter {
  /** Bytes of direct writes that libuv has not finished (the peer is not reading fast enough). */
  pending = 0;

  private constructor(
    private readonly socket: net.Socket,
    private readonly handle: WritableHandle,
  ) {}

  /** A writer for this socket, or null when its handle cannot be written to directly. */
  static for(socket: net.Socket): SocketWriter | null {
    if (binding === null) return null;
    const handle = (socket as unknown as { _handle?: Partial<WritableHandle> | null })._handle;
    if (handle == null || typeof handle.writeBuffer !== 'function') return null;
    return new SocketWriter(socket, handle as WritableHandle);
  }

  /**
   * Writes `data` unless the stream holds output of its own (then returns
   * false and the caller writes through the stream). Returns true once
   * libuv has the bytes: written already, or queued in order.
   */
  write(data: Buffer): boolean {
    const socket = this.socket;
    if (socket.writableLength !== 0 || socket.destroyed || socket.writableEnded) return false;
    const req = spareReq ?? (new binding!.WriteWrap() as OwnedWriteReq);
    spareReq = null;
    req.handle = this.handle;
    req.oncomplete = onComplete;
    req.async = false;
    req.bytes = 0;
    req.buffer = null;
    req.callback = null;
    req.owner = this;
    const err = this.handle.writeBuffer(req, data);
    if (err !== 0) {
      socket.destroy();
      return true;
    }
    if (binding!.streamBaseState[binding!.kLastWriteWasAsync] !== 0) {
      // libuv keeps writing it from the event loop; the buffer must live until then.
      req.async = true;
      req.buffer = data;
      req.bytes = data.length;
      this.pending += data.length;
    } else {
      spareReq = req;
    }
    return true;
  }

  /** libuv finished an asynchronous write (or gave up on it: the connection is then going). */
  completed(req: OwnedWriteReq, status: number): void {
    this.pending -= req.bytes;
    req.buffer = null;
    if (status < 0) this.socket.destroy();
  }
}
