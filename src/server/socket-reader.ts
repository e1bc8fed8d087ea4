import net from 'node:net';
import { streamWrap } from './stream-binding.js';

/**
 * Where every connection's reads land. A chunk is consumed synchronously (the
 * parser copies what it keeps), so one buffer serves all sockets, as Redis
 * reads into a buffer it reuses rather than a fresh one per read.
 */
const READ_BUFFER_SIZE = 64 * 1024;
let sharedReadBuffer: Buffer | null = null;

/**
 * Views of the shared buffer's first n bytes, for n up to CACHED_VIEWS,
 * each made once: unpipelined requests arrive as short reads of a few
 * recurring lengths, and a view made per read is a typed array to create
 * (a chunk is only valid during its call, so handing out the same view is
 * safe).
 */
const CACHED_VIEWS = 4096;
const views: (Buffer | null)[] = new Array<Buffer | null>(CACHED_VIEWS + 1).fill(null);

/** The shared buffer's first `nread` bytes. */
function chunkOf(nread: number): Buffer {
  const buffer = sharedReadBuffer!;
  if (nread > CACHED_VIEWS) return buffer.subarray(0, nread);
  return (views[nread] ??= buffer.subarray(0, nread));
}

/** The libuv stream handle behind a net.Socket: Node does not document it. */
interface StreamHandle {
  useUserBuffer(buffer: Uint8Array): void;
}

/** A handle that can read into a buffer of ours, or null. */
function reusable(handle: unknown): StreamHandle | null {
  return handle != null && typeof (handle as Partial<StreamHandle>).useUserBuffer === 'function' ? (handle as StreamHandle) : null;
}

/** The accepted socket's handle, when it is one that can read into a buffer of ours. */
function reusableHandle(socket: net.Socket): StreamHandle | null {
  return reusable((socket as unknown as { _handle?: unknown })._handle);
}

/** Where an adopted socket's reads go, and its end of input: set by readChunks once the client exists. */
interface ChunkTarget {
  onChunk: (chunk: Buffer) => void;
  onEnd: () => void;
}

const targets = new WeakMap<net.Socket, ChunkTarget>();

/** What an adopted socket's reads go to before the client exists and after the connection closed; a released socket's errors too. */
function ignore(): void {}

/** A socket over `handle` that reads into the shared buffer (the `onread` option). */
function adopt(handle: StreamHandle): net.Socket {
  const buffer = (sharedReadBuffer ??= Buffer.allocUnsafe(READ_BUFFER_SIZE));
  const target: ChunkTarget = { onChunk: ignore, onEnd: ignore };
  const socket = new net.Socket({
    handle,
    onread: { buffer, callback: (nread: number) => target.onChunk(chunkOf(nread)) },
  } as net.SocketConstructorOpts);
  targets.set(socket, target);
  return socket;
}

/**
 * Makes the listening server `srv` hand each accepted connection to
 * `onSocket` in a socket made by adopt(), instead of emitting 'connection'
 * with a socket of Node's own, which readChunks would then replace: two
 * streams built and one destroyed per connection, about a tenth of the
 * server's CPU when clients connect for one request each. The accept
 * callback is Node's undocumented `onconnection` of the listening handle;
 * where it is missing, or an accept fails, Node's own runs and
 * 'connection' events serve as before.
 */
export function acceptDirectly(srv: net.Server, noDelay: boolean, onSocket: (socket: net.Socket) => void): void {
  type Accept = (this: unknown, err: number, clientHandle: unknown) => unknown;
  const listening = (srv as unknown as { _handle?: { onconnection?: Accept } | null })._handle;
  const nodeAccept = listening?.onconnection;
  if (listening == null || typeof nodeAccept !== 'function') return;
  listening.onconnection = function sluiceOnConnection(this: unknown, err: number, clientHandle: unknown): unknown {
    const handle = err ? null : reusable(clientHandle);
    if (handle === null) return nodeAccept.call(this, err, clientHandle);
    const socket = adopt(handle);
    if (noDelay) socket.setNoDelay(true);
    onSocket(socket);
    return undefined;
  };
}

/**
 * Starts reading an accepted connection, calling `onChunk` with each chunk;
 * the chunk is valid only during the call, and `onEnd` when the peer has
 * closed its side or the read failed (see readDirectly). Returns the socket
 * to use from then on.
 *
 * Node reads a server-accepted socket into a new 64 KiB ArrayBuffer per read
 * and passes it through the Readable machinery: on unpipelined traffic that
 * is about a third of Sluice's own CPU per request. The `onread` option that
 * avoids both exists only for sockets Node creates itself, so the accepted
 * handle is moved into such a socket, unless acceptDirectly made it one
 * already. Where the handle is not what this expects (another Node),
 * reading falls back to 'data' events.
 */
export function readChunks(socket: net.Socket, onChunk: (chunk: Buffer) => void, onEnd: () => void): net.Socket {
  let target = targets.get(socket);
  if (target === undefined) {
    const handle = reusableHandle(socket);
    if (handle === null) return readWithEvents(socket, onChunk, onEnd);
    // The accepted socket gives the handle up: destroying it then closes
    // nothing but still settles the listener's connection count.
    (socket as unknown as { _handle: unknown })._handle = null;
    socket.destroy();
    socket = adopt(handle);
    target = targets.get(socket)!;
  }
  target.onChunk = onChunk;
  target.onEnd = onEnd;
  if (!readDirectly(socket, reusableHandle(socket)!, target)) socket.on('end', () => target.onEnd());
  return socket;
}

/**
 * Node's handler for a read into a given buffer (onStreamRead) refreshes the
 * socket's idle timer, looks up the callback and the next buffer through
 * symbol-keyed fields, then calls it: about a tenth of the server's user
 * CPU per unpipelined request. A chunk goes straight to the target here;
 * end of stream and errors still go to Node's handler, and then to the
 * target's onEnd within the same callback: Node emits 'close' only a turn
 * or two later, and a read of another connection in between must not
 * find the client still there (a blocked one served a message it would
 * never read). Sluice sets no socket timeout, so the timer has nothing to
 * refresh. Returns whether the handler was put in place.
 */
function readDirectly(socket: net.Socket, handle: StreamHandle, target: ChunkTarget): boolean {
  const h = handle as unknown as { onread?: (this: unknown, ab: ArrayBuffer) => unknown };
  const nodeRead = h.onread;
  if (streamWrap === null || typeof nodeRead !== 'function') return false;
  const state = streamWrap.streamBaseState;
  const kRead = streamWrap.kReadBytesOrError;
  h.onread = function sluiceOnRead(this: unknown, arrayBuffer: ArrayBuffer): unknown {
    const nread = state[kRead];
    if (nread > 0 && !socket.destroyed) {
      target.onChunk(chunkOf(nread));
      return undefined;
    }
    const result = nodeRead.call(this, arrayBuffer);
    if (nread < 0) target.onEnd();
    return result;
  };
  return true;
}

/**
 * The connection closed: its socket lets go of everything that leads back
 * to the client (the read target, the listeners). Node keeps a closed
 * socket reachable until the next full collection, however soon it died:
 * a scavenge does not free it (about 3 KB a connection with a bare
 * net.Server too), and whatever the socket still points to survives with
 * it and is promoted. With clients that connect for one request each,
 * a connection promoted about 3.5 KB with its client attached, 2.3 KB
 * released.
 */
export function releaseReader(socket: net.Socket): void {
  const target = targets.get(socket);
  if (target !== undefined) {
    target.onChunk = ignore;
    target.onEnd = ignore;
  }
  socket.removeAllListeners();
  // Node emits nothing after 'close'; should it ever, an 'error' must still find a listener.
  socket.on('error', ignore);
}

/** The documented path: a fresh buffer per read, delivered as 'data' events, and the end of input as 'end'. */
export function readWithEvents(socket: net.Socket, onChunk: (chunk: Buffer) => void, onEnd: () => void): net.Socket {
  socket.on('data', onChunk);
  socket.on('end', onEnd);
  return socket;
}
