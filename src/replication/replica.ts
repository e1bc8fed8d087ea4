/**
 * The connection a replica is served over, as the master side needs it:
 * bytes written in order with anything else the connection is sent.
 */
export interface ReplicaPeer {
  readonly id: number;
  /** The peer's IP address as the socket has it. */
  readonly ip: string;
  readonly closed: boolean;
  /** Bytes written and not yet taken by the kernel. */
  readonly queued: number;
  write(bytes: Buffer): void;
  close(): void;
}

/** INFO's states of a replica: waiting for its snapshot, being sent it, or following the stream. */
export type ReplicaState = 'wait_bgsave' | 'send_bulk' | 'online';

/** What a replica leaves out of its snapshot; replicas share a snapshot only when they leave out the same. */
export interface SnapshotFilter {
  readonly data: boolean;
  readonly functions: boolean;
}

export const NO_FILTER: SnapshotFilter = Object.freeze({ data: false, functions: false });

export function sameFilter(a: SnapshotFilter, b: SnapshotFilter): boolean {
  return a.data === b.data && a.functions === b.functions;
}

/** Whether the snapshot leaves anything out (such a snapshot only ever goes to the socket). */
export function isFiltered(f: SnapshotFilter): boolean {
  return f.data || f.functions;
}

/**
 * One replica as its master knows it: what REPLCONF told (its port, its
 * address, what it can read), what it acknowledged, and where it is in its
 * synchronisation.
 */
export class Replica {
  state: ReplicaState = 'wait_bgsave';
  listeningPort = 0;
  /** REPLCONF ip-address: the address it announces, '' for the socket's. */
  announcedIp = '';
  /** It reads a snapshot of unknown length ending in a mark ($EOF:). */
  capaEof = false;
  /** It understands +CONTINUE <new replid>. */
  capaPsync2 = false;
  /** REPLCONF rdb-only 1: it wants the snapshot and no stream after it. */
  rdbOnly = false;
  /** REPLCONF rdb-filter-only: the parts of the snapshot it leaves out (redis-cli --functions-rdb keeps only the functions). */
  filter: SnapshotFilter = NO_FILTER;
  /** Plain SYNC (redis-cli --replica, the Tcl suite's stream readers): no FULLRESYNC line, and it never acknowledges. */
  preSync = false;
  /** The stream offset it last acknowledged (REPLCONF ACK), and when (ms). */
  ackOffset = 0;
  ackTime = Date.now();
  /** The offset its AOF has fsynced (REPLCONF ACK … FACK). */
  aofOffset = 0;
  /** The stream offset its snapshot corresponds to (FULLRESYNC's). */
  syncOffset = 0;
  /**
   * The stream bytes produced since its snapshot began, held until the
   * snapshot is sent (and, after a diskless one, until its first ACK).
   */
  held: Buffer[] | null = null;
  heldBytes = 0;
  /** While a diskless snapshot streams to it: its socket's queue when last looked at, and when it last moved (ms). */
  lastQueued = -1;
  lastProgress = Date.now();
  /** A diskless snapshot was sent: the stream starts with its first ACK. */
  startOnAck = false;

  constructor(readonly peer: ReplicaPeer) {}

  /** The address Redis reports: the announced one, else the socket's. */
  get ip(): string {
    return this.announcedIp !== '' ? this.announcedIp : this.peer.ip;
  }

  /**
   * Stream bytes: written when it is online, held while its snapshot is
   * made and sent, dropped before that (the snapshot will hold them).
   */
  send(bytes: Buffer): void {
    if (this.state !== 'online' && this.held === null) return;
    if (this.held !== null) {
      this.held.push(bytes);
      this.heldBytes += bytes.length;
      return;
    }
    if (!this.rdbOnly) this.peer.write(bytes);
  }

  /** Starts streaming: what was held goes first. */
  goOnline(): void {
    this.state = 'online';
    this.startOnAck = false;
    const held = this.held;
    this.held = null;
    this.heldBytes = 0;
    this.ackTime = Date.now();
    if (held === null || this.rdbOnly) return;
    for (const b of held) this.peer.write(b);
  }
}
