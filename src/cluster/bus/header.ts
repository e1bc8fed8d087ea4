import { isNullName, readName, readPaddedString, writeName, writePaddedString } from './fixed-fields.js';
import { IP_LENGTH, OFFSET, SIGNATURE, SLOTS_BITMAP_LENGTH, PROTOCOL_VERSION } from './layout.js';

/**
 * The header fields a message's sender chooses. The signature, version,
 * total length, type, gossip count and extension count are not here: the
 * encoder derives them from the message, the decoder checks them.
 */
export interface BusHeader {
  /** The sender's client port (its TLS port when the bus runs TLS). */
  port: number;
  currentEpoch: bigint;
  /** A master's config epoch, or its master's as a replica last saw it. */
  configEpoch: bigint;
  /** The sender's replication offset. */
  offset: bigint;
  sender: string;
  /** The slots the sender (or a replica's master) serves, one bit each, slot j at byte j/8, bit j%8. */
  myslots: Uint8Array;
  /** The sender's master, or null for a master. */
  slaveof: string | null;
  /** The sender's announced IP; empty when the receiver should take the socket's peer address. */
  myip: string;
  /** The other of the TCP and TLS client ports. */
  pport: number;
  cport: number;
  flags: number;
  state: number;
  mflags: [number, number, number];
}

/** Reads the header of a message already known to hold HEADER_LENGTH bytes. */
export function readHeader(buf: Buffer): BusHeader {
  return {
    port: buf.readUInt16BE(OFFSET.port),
    currentEpoch: buf.readBigUInt64BE(OFFSET.currentEpoch),
    configEpoch: buf.readBigUInt64BE(OFFSET.configEpoch),
    offset: buf.readBigUInt64BE(OFFSET.offset),
    sender: readName(buf, OFFSET.sender),
    myslots: new Uint8Array(buf.subarray(OFFSET.myslots, OFFSET.myslots + SLOTS_BITMAP_LENGTH)),
    slaveof: isNullName(buf, OFFSET.slaveof) ? null : readName(buf, OFFSET.slaveof),
    myip: readPaddedString(buf, OFFSET.myip, IP_LENGTH),
    pport: buf.readUInt16BE(OFFSET.pport),
    cport: buf.readUInt16BE(OFFSET.cport),
    flags: buf.readUInt16BE(OFFSET.flags),
    state: buf[OFFSET.state],
    mflags: [buf[OFFSET.mflags], buf[OFFSET.mflags + 1], buf[OFFSET.mflags + 2]],
  };
}

/** What the encoder derives from the message rather than takes from the header. */
export interface DerivedFields {
  totlen: number;
  type: number;
  count: number;
  extensions: number;
}

/** Writes a header into a zero-filled buffer of at least HEADER_LENGTH bytes. */
export function writeHeader(buf: Buffer, header: BusHeader, derived: DerivedFields): void {
  buf.latin1Write(SIGNATURE, OFFSET.sig, SIGNATURE.length);
  buf.writeUInt32BE(derived.totlen, OFFSET.totlen);
  buf.writeUInt16BE(PROTOCOL_VERSION, OFFSET.ver);
  buf.writeUInt16BE(header.port, OFFSET.port);
  buf.writeUInt16BE(derived.type, OFFSET.type);
  buf.writeUInt16BE(derived.count, OFFSET.count);
  buf.writeBigUInt64BE(header.currentEpoch, OFFSET.currentEpoch);
  buf.writeBigUInt64BE(header.configEpoch, OFFSET.configEpoch);
  buf.writeBigUInt64BE(header.offset, OFFSET.offset);
  writeName(buf, OFFSET.sender, header.sender, 'sender');
  if (header.myslots.length !== SLOTS_BITMAP_LENGTH) throw new RangeError(`myslots must be ${SLOTS_BITMAP_LENGTH} bytes`);
  buf.set(header.myslots, OFFSET.myslots);
  if (header.slaveof !== null) writeName(buf, OFFSET.slaveof, header.slaveof, 'slaveof');
  writePaddedString(buf, OFFSET.myip, IP_LENGTH, header.myip, 'myip');
  buf.writeUInt16BE(derived.extensions, OFFSET.extensions);
  buf.writeUInt16BE(header.pport, OFFSET.pport);
  buf.writeUInt16BE(header.cport, OFFSET.cport);
  buf.writeUInt16BE(header.flags, OFFSET.flags);
  buf[OFFSET.state] = header.state;
  buf[OFFSET.mflags] = header.mflags[0];
  buf[OFFSET.mflags + 1] = header.mflags[1];
  buf[OFFSET.mflags + 2] = header.mflags[2];
}
