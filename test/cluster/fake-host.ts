import { Cluster } from '../../src/cluster/cluster.js';
import type { BusSocket, BusSocketEvents } from '../../src/cluster/links/bus-socket.js';
import type { ClusterHost, ClusterSettings } from '../../src/cluster/state/cluster-host.js';
import { keyHashSlot } from '../../src/cluster/key-slot.js';

/**
 * A ClusterHost with no sockets, files or server: a clock the test moves,
 * nodes.conf in a string, keys in a set, the log in an array, and bus
 * connections through a FakeNetwork that delivers bytes when pumped.
 */
export class FakeHost implements ClusterHost {
  clock = 1_800_000_000_000;
  config: string | null = null;
  readonly keys = new Set<string>();
  readonly lines: string[] = [];
  replicatingFrom: string | null = null;
  slotChanges = 0;
  failWrites: string | null = null;
  /** For each nodes.conf write, whether it was to be fsynced. */
  readonly configSyncs: boolean[] = [];
  readonly overrides: Partial<ClusterSettings> = {};

  constructor(
    readonly net: FakeNetwork,
    readonly ip: string,
    readonly port: number,
  ) {}

  readonly log = {
    debug: () => {},
    verbose: (m: string) => this.lines.push(`verbose ${m}`),
    notice: (m: string) => this.lines.push(m),
    warning: (m: string) => this.lines.push(`warning ${m}`),
  };

  settings(): ClusterSettings {
    return {
      nodeTimeout: 1000, pingInterval: 0, requireFullCoverage: true, allowReadsWhenDown: false, allowPubsubshardWhenDown: true,
      allowReplicaMigration: true, migrationBarrier: 1, replicaNoFailover: false, linkSendbufLimit: 0, replicaValidityFactor: 10, replPingPeriod: 10, preferredEndpointType: 'ip',
      announceIp: '', announceHostname: '', announceHumanNodename: '', tcpPort: this.port, tlsPort: 0, busPort: this.port + 10000,
      tlsCluster: false, ...this.overrides,
    };
  }

  now = (): number => this.clock;

  readConfig(): string | null {
    return this.config;
  }

  writeConfig(text: string, fsync: boolean): void {
    if (this.failWrites !== null) throw new Error(this.failWrites);
    this.config = text;
    this.configSyncs.push(fsync);
  }

  connect(ip: string, port: number, events: BusSocketEvents): BusSocket {
    return this.net.connect(this.ip, ip, port, events);
  }

  dbSize = (): number => this.keys.size;
  countKeysInSlot = (slot: number): number => [...this.keys].filter((k) => keyHashSlot(k) === slot).length;
  getKeysInSlot = (slot: number, count: number): string[] => [...this.keys].filter((k) => keyHashSlot(k) === slot).slice(0, count);
  deleteKeysInSlot(slot: number): number {
    const gone = [...this.keys].filter((k) => keyHashSlot(k) === slot);
    for (const k of gone) this.keys.delete(k);
    return gone.length;
  }

  flushAll(): void {
    this.keys.clear();
  }

  replicate(ip: string, port: number): void {
    this.replicatingFrom = `${ip}:${port}`;
  }

  stopReplicating(): void {
    this.replicatingFrom = null;
  }

  isReplicating = (): boolean => this.replicatingFrom !== null;
  paused = false;
  pauseWrites(): void {
    this.paused = true;
  }

  unpauseWrites(): void {
    this.paused = false;
  }

  replicationOffset = (): number => 0;
  replicationDataAge = (): number => 0;
  readonly published: string[] = [];
  deliverPublish(channel: Buffer, message: Buffer, shard: boolean): void {
    this.published.push(`${shard ? 'shard ' : ''}${channel.toString('latin1')} ${message.toString('latin1')}`);
  }

  slotOwnershipChanged(): void {
    this.slotChanges++;
  }
}

interface End extends BusSocket {
  events: BusSocketEvents | null;
  peer: End | null;
}

/**
 * Bus connections between fake hosts: each node's bus listens at
 * ip:busPort; bytes written are queued and delivered by pump(), so a test
 * decides when the messages in flight arrive.
 */
export class FakeNetwork {
  private readonly listeners = new Map<string, (socket: BusSocket) => BusSocketEvents>();
  private readonly queue: (() => void)[] = [];
  /** Addresses that drop every connection (a node that is down). */
  readonly down = new Set<string>();

  listen(ip: string, port: number, accept: (socket: BusSocket) => BusSocketEvents): void {
    this.listeners.set(`${ip}:${port}`, accept);
  }

  connect(fromIp: string, ip: string, port: number, events: BusSocketEvents): BusSocket {
    const client = this.end(fromIp, ip, port, events);
    this.queue.push(() => {
      const accept = this.listeners.get(`${ip}:${port}`);
      if (accept === undefined || this.down.has(`${ip}:${port}`)) {
        client.close();
        events.closed('Connection refused');
        return;
      }
      const server = this.end(ip, fromIp, 40000, null);
      server.peer = client;
      client.peer = server;
      server.events = accept(server);
      events.connected();
    });
    return client;
  }

  private end(localIp: string, remoteIp: string, remotePort: number, events: BusSocketEvents | null): End {
    const net = this;
    let closed = false;
    const end: End = {
      events,
      peer: null,
      pending: 0,
      localIp,
      remoteIp,
      remotePort,
      write(buf: Buffer) {
        if (closed) return;
        const copy = Buffer.from(buf);
        net.queue.push(() => {
          const peer = end.peer;
          if (peer === null || closed) return;
          peer.events?.data(copy);
        });
      },
      close() {
        if (closed) return;
        closed = true;
        const peer = end.peer;
        if (peer !== null) net.queue.push(() => peer.close());
        end.events?.closed(null);
      },
    };
    return end;
  }

  /** Delivers everything in flight, and what that causes, up to a bound. */
  pump(limit = 10000): void {
    for (let i = 0; i < limit && this.queue.length > 0; i++) this.queue.shift()!();
  }
}

/** A cluster node on the fake network, and its host. */
export interface FakeNode {
  cluster: Cluster;
  host: FakeHost;
}

/** A cluster node on the fake network, fresh (or from `config`). */
export function fakeNode(net: FakeNetwork, port: number, config: string | null = null): FakeNode {
  const host = new FakeHost(net, '127.0.0.1', port);
  host.config = config;
  const cluster = Cluster.start(host);
  net.listen('127.0.0.1', port + 10000, (socket) => cluster.accept(socket));
  return { cluster, host };
}
