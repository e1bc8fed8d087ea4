/**
 * The shapes the console's JSON API sends and takes, shared by the server
 * side and the page (types only: nothing here runs).
 */

/**
 * A byte string: text when its bytes are valid UTF-8, else the bytes in
 * base64. A value cut short for the page (never a key: keys go back to the
 * server whole) says how many bytes were left out.
 */
export type Bytes = string | { b64: string; more?: number } | { text: string; more: number };

export interface SessionInfo {
  /** Logged in: the user's name; null when a login is needed. */
  user: string | null;
  authRequired: boolean;
  /** The token state-changing requests carry in the x-sluice-csrf header. */
  csrf: string | null;
  version: string;
}

/** A part of a view that the user's ACL refused, with the server's NOPERM text. */
export interface Denied {
  what: string;
  error: string;
}

export interface Sample {
  /** Unix ms. */
  t: number;
  opsPerSec: number;
  inputKbps: number;
  outputKbps: number;
  usedMemory: number;
}

export interface Overview {
  info: Record<string, Record<string, string>>;
  history: Sample[];
}

export interface NameCount {
  name: Bytes;
  subscribers: number;
  /** Messages delivered through it since the console began counting. */
  messages: number;
}

export interface PubsubClient {
  id: string;
  addr: string;
  name: string;
  user: string;
  sub: number;
  psub: number;
  ssub: number;
  age: number;
  idle: number;
}

export interface Pubsub {
  channels: NameCount[];
  /** Channels beyond those listed. */
  channelsLeftOut: number;
  patterns: NameCount[] | null;
  shardChannels: NameCount[];
  clients: PubsubClient[] | null;
  denied: Denied[];
  /** Unix ms the message counts were read at. */
  t: number;
}

/** A page of a listing done in slices: cursor '0' means the scan is complete. */
export interface Page<T> {
  cursor: string;
  items: T[];
}

export interface StreamSummary {
  key: Bytes;
  length: number;
  firstId: string | null;
  lastId: string | null;
  groups: number;
  memory: number | null;
}

export interface StreamEntry {
  id: string;
  fields: [Bytes, Bytes][];
}

export interface ConsumerInfo {
  name: Bytes;
  pending: number;
  idle: number;
  inactive: number;
}

export interface GroupInfo {
  name: Bytes;
  consumers: number;
  pending: number;
  lastDeliveredId: string;
  entriesRead: number | null;
  lag: number | null;
  consumerList: ConsumerInfo[];
}

export interface StreamDetail {
  key: Bytes;
  length: number;
  lastGeneratedId: string;
  firstId: string | null;
  lastId: string | null;
  groups: GroupInfo[];
  denied: Denied[];
}

export interface PendingEntry {
  id: string;
  consumer: Bytes;
  idle: number;
  deliveries: number;
}

export interface ListSummary {
  key: Bytes;
  length: number;
  blocked: number;
}

export interface BlockedClient {
  id: string;
  addr: string;
  name: string;
  cmd: string;
  idle: number;
}

export interface BullQueue {
  /** The queue's keys' common part: prefix and name ("bull:emails"). */
  base: Bytes;
  paused: boolean;
  version: string | null;
  counts: Record<BullState, number>;
}

export type BullState = 'wait' | 'active' | 'paused' | 'delayed' | 'prioritized' | 'waiting-children' | 'completed' | 'failed';

export interface BullJobSummary {
  id: Bytes;
  name: Bytes;
  timestamp: number | null;
  finishedOn: number | null;
  attemptsMade: number;
  failedReason: Bytes | null;
  progress: Bytes | null;
}

export interface BullJob {
  id: Bytes;
  fields: [Bytes, Bytes][];
  logs: Bytes[];
  logCount: number;
}

export interface KeySummary {
  key: Bytes;
  type: string;
  /** ms; -1 none, -2 gone. */
  ttl: number;
}

export type KeyValue =
  | { type: 'string'; length: number; value: Bytes; truncated: boolean }
  | { type: 'list'; length: number; offset: number; items: Bytes[] }
  | { type: 'hash'; length: number; cursor: string; pairs: [Bytes, Bytes][] }
  | { type: 'set'; length: number; cursor: string; members: Bytes[] }
  | { type: 'zset'; length: number; offset: number; members: [Bytes, string][] }
  | { type: 'stream'; length: number; entries: StreamEntry[] }
  | { type: 'none' }
  | { type: 'other'; name: string };

export interface KeyDetail {
  key: Bytes;
  type: string;
  ttl: number;
  encoding: string | null;
  memory: number | null;
  value: KeyValue;
  denied: Denied[];
}

export interface SlowlogEntry {
  id: number;
  time: number;
  micros: number;
  args: Bytes[];
  addr: string;
  name: string;
}

export interface LatencyEvent {
  event: string;
  time: number;
  latest: number;
  max: number;
}

export interface Diagnostics {
  slowlog: SlowlogEntry[] | null;
  latency: LatencyEvent[] | null;
  denied: Denied[];
}

/** An API error: the message, and whether the ACL refused it. */
export interface ApiError {
  error: string;
  denied?: boolean;
}
