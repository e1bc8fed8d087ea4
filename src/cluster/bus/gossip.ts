import { readName, readPaddedString, writeName, writePaddedString } from './fixed-fields.js';
import { GOSSIP_OFFSET, IP_LENGTH } from './layout.js';

/** What a PING, PONG or MEET says about one other node (clusterMsgDataGossip). */
export interface GossipEntry {
  nodename: string;
  /** Seconds (Unix time) of the sender's last ping to the node, or 0. */
  pingSent: number;
  /** Seconds (Unix time) of the node's last pong to the sender. */
  pongReceived: number;
  ip: string;
  port: number;
  cport: number;
  flags: number;
  pport: number;
}

export function readGossipEntry(buf: Buffer, at: number): GossipEntry {
  return {
    nodename: readName(buf, at + GOSSIP_OFFSET.nodename),
    pingSent: buf.readUInt32BE(at + GOSSIP_OFFSET.pingSent),
    pongReceived: buf.readUInt32BE(at + GOSSIP_OFFSET.pongReceived),
    ip: readPaddedString(buf, at + GOSSIP_OFFSET.ip, IP_LENGTH),
    port: buf.readUInt16BE(at + GOSSIP_OFFSET.port),
    cport: buf.readUInt16BE(at + GOSSIP_OFFSET.cport),
    flags: buf.readUInt16BE(at + GOSSIP_OFFSET.flags),
    pport: buf.readUInt16BE(at + GOSSIP_OFFSET.pport),
  };
}

/** Writes an entry into zero-filled bytes (the trailing notused field stays zero, as Redis leaves it). */
export function writeGossipEntry(buf: Buffer, at: number, entry: GossipEntry): void {
  writeName(buf, at + GOSSIP_OFFSET.nodename, entry.nodename, 'gossip nodename');
  buf.writeUInt32BE(entry.pingSent, at + GOSSIP_OFFSET.pingSent);
  buf.writeUInt32BE(entry.pongReceived, at + GOSSIP_OFFSET.pongReceived);
  writePaddedString(buf, at + GOSSIP_OFFSET.ip, IP_LENGTH, entry.ip, 'gossip ip');
  buf.writeUInt16BE(entry.port, at + GOSSIP_OFFSET.port);
  buf.writeUInt16BE(entry.cport, at + GOSSIP_OFFSET.cport);
  buf.writeUInt16BE(entry.flags, at + GOSSIP_OFFSET.flags);
  buf.writeUInt16BE(entry.pport, at + GOSSIP_OFFSET.pport);
}
