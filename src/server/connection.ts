import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { ParserLimits } from '../protocol/limits.js';
import { RequestParser, type RequestSink } from '../protocol/request-parser.js';
import { forBacklog, RespWriter } from '../protocol/reply.js';
import { SocketWriter } from './socket-writer.js';

/**
 * One TCP connection: the socket, the request parser reading it, and the
 * output buffer written to it. It knows nothing of commands: requests go to
 * its sink (the client), replies come from whoever writes to `out`.
 */
export class Connection {
  readonly out = new RespWriter();
  readonly parser: RequestParser;
  readonly fd: number;
  /** When (ms) the output went over its class's soft limit and has stayed over; 0 when under. */
  obufSoftLimitSince = 0;
  private readonly writer: SocketWriter | null;
  private peer: string | null = null;
  private local: string | null = null;

  constructor(
    readonly socket: Socket,
    sink: RequestSink,
    limits: ParserLimits,
  ) {
    this.parser = new RequestParser(sink, limits);
    this.fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd ?? -1;
    // A TLS socket's bytes must go through its encryption: only the stream's own write does that.
    this.writer = socket instanceof TLSSocket ? null : SocketWriter.for(socket);
  }

  /**
   * The peer's address, asked of the socket when first needed and kept,
   * as Redis keeps its peer id: most connections never show theirs, and
   * asking is a system call. Node keeps what it was told, so an address
   * read once (protected mode reads the peer's at accept) stays readable
   * after the socket closes.
   */
  get addr(): string {
    return (this.peer ??= formatAddress(this.socket.remoteAddress, this.socket.remotePort));
  }

  get laddr(): string {
    return (this.local ??= formatAddress(this.socket.localAddress, this.socket.localPort));
  }

  get localPort(): number | undefined {
    return this.socket.localPort;
  }

  /** Connected over loopback, as Redis's islocalClient judges it. */
  get isLocal(): boolean {
    const host = unmapped(this.socket.remoteAddress);
    return host === '127.0.0.1' || host === '::1';
  }

  /** Bytes waiting to reach the peer: the output buffer plus what was written and the kernel has not taken yet. */
  get pendingOutput(): number {
    return this.out.pending + this.queuedOutput;
  }

  /** Bytes written and not yet taken by the kernel (Node's write never refuses). */
  get queuedOutput(): number {
    return this.socket.writableLength + (this.writer?.pending ?? 0);
  }

  /**
   * Writes output taken from the writer (now, or earlier: replies the AOF
   * held under appendfsync always until what they acknowledge was on disk).
   */
  send(out: Buffer | Buffer[] | null): void {
    const socket = this.socket;
    if (Array.isArray(out)) {
      // A backlog: copied (up to a size), so that the socket's queue does not keep the shared message buffers alive.
      if (this.queuedOutput > 0) out = forBacklog(out);
      if (out.length === 1) {
        this.write(out[0]);
      } else {
        socket.cork();
        for (const piece of out) socket.write(piece);
        socket.uncork();
      }
    } else if (out !== null) {
      // Nothing left queued: the kernel has the bytes and the buffer is free again.
      if (this.write(out)) this.out.reclaim(out);
    }
  }

  /** Writes one buffer; true when the kernel took all of it at once. */
  private write(b: Buffer): boolean {
    const writer = this.writer;
    if (writer !== null) {
      const before = writer.pending;
      if (writer.write(b)) return writer.pending === before;
    }
    this.socket.write(b);
    return this.socket.writableLength === 0;
  }

  /** Closes once what was written has left. */
  end(): void {
    const socket = this.socket;
    // Ending a socket that has closed (the peer left) only makes an error object, stack and all, that nobody reads.
    if (socket.destroyed) return;
    socket.end();
    socket.destroySoon();
  }

  /** Closes now, dropping whatever is still queued. */
  destroy(): void {
    this.out.take();
    this.socket.destroy();
  }
}

/** An IPv4 peer as Redis shows it, not as an IPv4-mapped IPv6 address. */
function unmapped(host: string | undefined): string | undefined {
  return host?.startsWith('::ffff:') ? host.slice(7) : host;
}

export function formatAddress(host: string | undefined, port: number | undefined): string {
  if (host === undefined) return '?:0';
  return `${unmapped(host)}:${port ?? 0}`;
}
