/**
 * A cluster bus connection as the links see it. The server provides the
 * TCP sockets (ClusterHost); the links and the state know nothing of them,
 * so tests drive them with in-memory pairs.
 */
export interface BusSocket {
  write(buf: Buffer): void;
  /** Bytes written but not yet handed to the kernel. */
  readonly pending: number;
  close(): void;
  /** This end's address (how a node learns its own IP from a MEET), or null once closed. */
  readonly localIp: string | null;
  readonly remoteIp: string | null;
  readonly remotePort: number | null;
}

export interface BusSocketEvents {
  /** An outbound connection is established. */
  connected(): void;
  data(chunk: Buffer): void;
  /** The connection ended or failed; `reason` is null for an orderly close. */
  closed(reason: string | null): void;
}
