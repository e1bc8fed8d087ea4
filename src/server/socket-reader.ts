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

/** The accepted socket's handle, when it is one that can read into a buffer of ours. */
function reusableHandle(socket: net.Socket): StreamHandle | null {
  const handle = (socket as unknown as { _handle?: Partial<StreamHandle> | null })._handle;
  return handle != null && typeof handle.useUserBuffer === 'function' ? (handle as StreamHandle) : null;
}

/**
 * Starts reading an accepted connection, calling `onChunk` with each chunk;
 * the chunk is valid only during the call. Returns the socket to use from
 * then on.
 *
 * Node reads a server-accepted socket into a new 64 KiB ArrayBuffer per read
 * and passes it through the Readable machinery: on unpipelined traffic that
 * is about a third of Sluice's own CPU per request. The `onread` option that
 * avoids both exists only for sockets Node creates itself, so the accepted
 * handle is moved into such a socket. Where the handle is not what this
 * expects (another Node), reading falls back to 'data' events.
 */
export function readChunks(socket: net.Socket, onChunk: (chunk: Buffer) => void): net.Socket {
  const handle = reusableHandle(socket);
  if (handle === null) return readWithEvents(socket, onChunk);
  // The accepted socket gives the handle up: destroying it then closes
  // nothing but still settles the listener's connection count.
  (socket as unknown as { _handle: unknown })._handle = null;
  socket.destroy();
  const buffer = (sharedReadBuffer ??= Buffer.allocUnsafe(READ_BUFFER_SIZE));
  const adopted = new net.Socket({
    handle,
    onread: { buffer, callback: (nread: number) => onChunk(chunkOf(nread)) },
  } as net.SocketConstructorOpts);
  readDirectly(adopted, handle, onChunk);
  return adopted;
}

/**
 * Node's handler for a read into a given buffer (onStreamRead) refreshes the
 * socket's idle timer, looks up the callback and the next buffer through
 * symbol-keyed fields, then calls it: about a tenth of the server's user
 * CPU per unpipelined request. A chunk goes straight to `onChunk` here;
 * end of stream and errors still go to Node's handler. Sluice sets no
 * socket timeout, so the timer has nothing to refresh.
 */
function readDirectly(socket: net.Socket, handle: StreamHandle, onChunk: (chunk: Buffer) => void): void {
  const h = handle as unknown as { onread?: (this: unknown, ab: ArrayBuffer) => unknown };
  const nodeRead = h.onread;
  if (streamWrap === null || typeof nodeRead !== 'function') return;
  const state = streamWrap.streamBaseState;
  const kRead = streamWrap.kReadBytesOrError;
  h.onread = function sluiceOnRead(this: unknown, arrayBuffer: ArrayBuffer): unknown {
    const nread = state[kRead];
    if (nread > 0 && !socket.destroyed) {
      onChunk(chunkOf(nread));
      return undefined;
    }
    return nodeRead.call(this, arrayBuffer);
  };
}

/** The documented path: a fresh buffer per read, delivered as 'data' events. */
export function readWithEvents(socket: net.Socket, onChunk: (chunk: Buffer) => void): net.Socket {
  socket.on('data', onChunk);
  return socket;
}
