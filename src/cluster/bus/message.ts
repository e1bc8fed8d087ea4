import type { GossipEntry } from './gossip.js';
import type { BusHeader } from './header.js';
import type { PingExtension } from './ping-extensions.js';

/**
 * One cluster bus message, by type. Byte payloads (a PUBLISH's channel
 * and message, a MODULE's data, an unknown type's body) are views into the
 * decoded buffer, not copies.
 */
export type BusMessage =
  | { type: 'PING' | 'PONG' | 'MEET'; header: BusHeader; gossip: GossipEntry[]; extensions: PingExtension[] }
  /** The named node has been seen failing by a majority of masters. */
  | { type: 'FAIL'; header: BusHeader; nodename: string }
  | { type: 'PUBLISH' | 'PUBLISHSHARD'; header: BusHeader; channel: Buffer; message: Buffer }
  /** A replica asking for a vote, a master granting one, a replica starting a manual failover. */
  | { type: 'FAILOVER_AUTH_REQUEST' | 'FAILOVER_AUTH_ACK' | 'MFSTART'; header: BusHeader }
  /** The named node serves these slots at this config epoch: the receiver's claim to them is stale. */
  | { type: 'UPDATE'; header: BusHeader; configEpoch: bigint; nodename: string; slots: Uint8Array }
  | { type: 'MODULE'; header: BusHeader; moduleId: bigint; moduleType: number; payload: Buffer }
  /** A type code Redis 7.2 does not know: accepted whatever its length, its data kept as it came. */
  | { type: 'UNKNOWN'; code: number; header: BusHeader; body: Buffer };

export type DecodeResult = { ok: true; message: BusMessage } | { ok: false; error: string };
