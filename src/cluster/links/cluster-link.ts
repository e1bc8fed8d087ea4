import { BusFramer } from '../bus/framer.js';
import type { LiveNode } from '../state/live-node.js';
import type { BusSocket } from './bus-socket.js';

/**
 * One TCP connection of the bus (Redis's clusterLink). Each known node
 * has at most one outbound link (this node's pings go out and the pongs
 * come back on it) and one inbound link (the peer's pings come in, this
 * node's pongs go back). An inbound link has no node until its first
 * message names a known sender.
 */
export class ClusterLink {
  readonly framer = new BusFramer();
  socket: BusSocket | null = null;
  /** Outbound only: the connection is established and the first message sent. */
  connected = false;
  /** The most bytes this link held unsent, for CLUSTER LINKS. */
  peakPending = 0;

  constructor(
    public node: LiveNode | null,
    readonly inbound: boolean,
    readonly ctime: number,
  ) {}

  get pending(): number {
    return this.socket?.pending ?? 0;
  }

  send(buf: Buffer): void {
    if (this.socket === null) return;
    this.socket.write(buf);
    if (this.socket.pending > this.peakPending) this.peakPending = this.socket.pending;
  }

  close(): void {
    const socket = this.socket;
    this.socket = null;
    socket?.close();
  }
}
