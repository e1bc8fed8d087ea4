import type { PreferredEndpointType } from '../node-table/endpoint.js';
import type { BusSocket, BusSocketEvents } from '../links/bus-socket.js';

/** The log at Redis's levels (the server's Log, declared here so that cluster/ needs nothing of core/). */
export interface ClusterLog {
  debug(message: string): void;
  verbose(message: string): void;
  notice(message: string): void;
  warning(message: string): void;
}

/** The configuration the cluster reads, as it is now (CONFIG SET changes most of it at run time). */
export interface ClusterSettings {
  nodeTimeout: number;
  /** cluster-ping-interval (hidden): 0 means half the node timeout. */
  pingInterval: number;
  requireFullCoverage: boolean;
  allowReadsWhenDown: boolean;
  allowPubsubshardWhenDown: boolean;
  allowReplicaMigration: boolean;
  /** cluster-migration-barrier: a replica migrates only when its master is left with at least this many working replicas. */
  migrationBarrier: number;
  replicaNoFailover: boolean;
  linkSendbufLimit: number;
  /** cluster-replica-validity-factor: 0 lets a replica fail over however old its data. */
  replicaValidityFactor: number;
  /** repl-ping-replica-period, in seconds. */
  replPingPeriod: number;
  preferredEndpointType: PreferredEndpointType;
  announceIp: string;
  announceHostname: string;
  announceHumanNodename: string;
  /** The client ports other nodes are told (announced ones, or the ones bound). */
  tcpPort: number;
  tlsPort: number;
  /** The bus port other nodes are told. */
  busPort: number;
  /** Whether the bus and the ports a peer is told are TLS (tls-cluster). */
  tlsCluster: boolean;
}

/**
 * What the cluster needs of the server: files, sockets, the keyspace and
 * replication, the clock. The server implements it (src/server/cluster-host.ts);
 * tests give fakes.
 */
export interface ClusterHost {
  readonly log: ClusterLog;
  settings(): ClusterSettings;
  /** Milliseconds since the epoch. */
  now(): number;

  /** nodes.conf's text, or null when there is no file (or it is empty). Throws on any other failure to read. */
  readConfig(): string | null;
  /** Replaces nodes.conf with `text`, fsynced (with its directory) when `fsync`. Throws an Error whose message is the strerror. */
  writeConfig(text: string, fsync: boolean): void;

  /** Opens an outbound bus connection. Failures arrive as `closed`. */
  connect(ip: string, port: number, events: BusSocketEvents): BusSocket;

  /** The keys in db 0 (which alone exists in cluster mode). */
  dbSize(): number;
  countKeysInSlot(slot: number): number;
  getKeysInSlot(slot: number, count: number): string[];
  /** Deletes the slot's keys, propagated as DEL as Redis's delKeysInSlot does; answers how many. */
  deleteKeysInSlot(slot: number): number;
  /** Empties every database (CLUSTER RESET of a replica). */
  flushAll(): void;

  /** Start replicating the master at ip:port (CLUSTER REPLICATE, a lost slot's new owner); nothing when already following it. */
  replicate(ip: string, port: number): void;
  isReplicating(): boolean;
  /** Stop replicating and be a master again. */
  stopReplicating(): void;
  /** A master pauses its writers while its replica takes over (a manual failover); unpause lets them run. */
  pauseWrites(): void;
  unpauseWrites(): void;
  /** This server's replication offset (the master's, or what a replica has processed). */
  replicationOffset(): number;
  /** How old a replica's data may be (ms): since the master was last heard from, or since the link went down. */
  replicationDataAge(): number;

  /** A PUBLISH (shard: false) or SPUBLISH (shard: true) another node sent, for this node's subscribers. */
  deliverPublish(channel: Buffer, message: Buffer, shard: boolean): void;

  /** Slots changed owner (or the state changed): clients blocked on their keys are to be redirected. */
  slotOwnershipChanged(): void;
}
