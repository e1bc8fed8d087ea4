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
  /**
   * Messages of this turn not written yet: as Redis queues them on the
   * link and its write handler sends them when the event loop comes round,
   * they go out together at the end of the turn (flush), and count as the
   * link's memory until then.
   */
  private queue: Buffer[] = [];
  private queued = 0;

  constructor(
    public node: LiveNode | null,
    readonly inbound: boolean,
    readonly ctime: number,
    private readonly onQueued: (link: ClusterLink) => void = () => {},
  ) {}

  get pending(): number {
    return this.queued + (this.socket?.pending ?? 0);
  }

  send(buf: Buffer): void {
    if (this.socket === null) return;
    this.queue.push(buf);
    this.queued += buf.length;
    if (this.pending > this.peakPending) this.peakPending = this.pending;
    if (this.queue.length === 1) this.onQueued(this);
  }

  flush(): void {
    const queue = this.queue;
    if (queue.length === 0) return;
    this.queue = [];
    this.queued = 0;
    this.socket?.write(queue.length === 1 ? queue[0] : Buffer.concat(queue));
  }

  close(): void {
    const socket = this.socket;
    this.socket = null;
    this.queue = [];
    this.queued = 0;
    socket?.close();
  }
}
