import net from 'node:net';

/**
 * Where every connection's reads land. A chunk is consumed synchronously (the
 * parser copies what it keeps), so one buffer serves all sockets, as Redis
 * reads into a buffer it reuses rather than a fresh one per read.
 */
const READ_BUFFER_SIZE = 64 * 1024;
let sharedReadBuffer: Buffer | null = null;

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
  return new net.Socket({
    handle,
    onread: { buffer, callback: (nread: number) => onChunk(buffer.subarray(0, nread)) },
  } as net.SocketConstructorOpts);
}

/** The documented path: a fresh buffer per read, delivered as 'data' events. */
export function readWithEvents(socket: net.Socket, onChunk: (chunk: Buffer) => void): net.Socket {
  socket.on('data', onChunk);
  return socket;
}
