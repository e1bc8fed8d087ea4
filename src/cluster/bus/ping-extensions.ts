import { constants } from 'node:buffer';
import { readName, writeName } from './fixed-fields.js';
import { EXTENSION_HEADER_LENGTH, FORGOTTEN_NODE_PAYLOAD_LENGTH, NAME_LENGTH } from './layout.js';

/**
 * The extensions Redis 7.x appends to PING, PONG and MEET after the gossip
 * entries (clusterMsgPingExt): each an 8-byte header (total length, type,
 * two unused bytes) and a payload padded to a multiple of 8.
 */
export const EXTENSION_TYPE_CODES = {
  HOSTNAME: 0,
  HUMAN_NODENAME: 1,
  FORGOTTEN_NODE: 2,
  SHARDID: 3,
} as const;

export type PingExtension =
  | { type: 'HOSTNAME'; hostname: string }
  | { type: 'HUMAN_NODENAME'; humanNodename: string }
  /** A node the sender was told to forget, and for how many more seconds to keep it out. */
  | { type: 'FORGOTTEN_NODE'; name: string; ttl: bigint }
  | { type: 'SHARDID'; shardId: string }
  /** A type this Redis does not know: a receiver skips it, kept here so that it re-encodes. */
  | { type: 'UNKNOWN'; code: number; payload: Buffer };

const padded = (n: number) => Math.ceil(n / 8) * 8;

/** The bytes an extension takes on the wire, its header included. */
export function extensionLength(ext: PingExtension): number {
  switch (ext.type) {
    case 'HOSTNAME': return EXTENSION_HEADER_LENGTH + padded(ext.hostname.length + 1);
    case 'HUMAN_NODENAME': return EXTENSION_HEADER_LENGTH + padded(ext.humanNodename.length + 1);
    case 'FORGOTTEN_NODE': return EXTENSION_HEADER_LENGTH + FORGOTTEN_NODE_PAYLOAD_LENGTH;
    case 'SHARDID': return EXTENSION_HEADER_LENGTH + NAME_LENGTH;
    case 'UNKNOWN': return EXTENSION_HEADER_LENGTH + padded(ext.payload.length);
  }
}

/** Writes an extension into zero-filled bytes; returns where the next one starts. */
export function writeExtension(buf: Buffer, at: number, ext: PingExtension): number {
  const length = extensionLength(ext);
  const code = ext.type === 'UNKNOWN' ? ext.code : EXTENSION_TYPE_CODES[ext.type];
  buf.writeUInt32BE(length, at);
  buf.writeUInt16BE(code, at + 4);
  const payload = at + EXTENSION_HEADER_LENGTH;
  switch (ext.type) {
    case 'HOSTNAME': buf.latin1Write(ext.hostname, payload, ext.hostname.length); break;
    case 'HUMAN_NODENAME': buf.latin1Write(ext.humanNodename, payload, ext.humanNodename.length); break;
    case 'FORGOTTEN_NODE':
      writeName(buf, payload, ext.name, 'forgotten node name');
      buf.writeBigUInt64BE(ext.ttl, payload + NAME_LENGTH);
      break;
    case 'SHARDID': writeName(buf, payload, ext.shardId, 'shard id'); break;
    case 'UNKNOWN': buf.set(ext.payload, payload); break;
  }
  return at + length;
}

/**
 * A NUL-terminated text payload. Redis reads it as a C string; one that
 * fills its extension without a NUL is taken up to the extension's end,
 * never past it.
 */
function readText(buf: Buffer, start: number, end: number): string | null {
  const nul = buf.subarray(start, end).indexOf(0);
  const stop = nul === -1 ? end : start + nul;
  return stop - start > constants.MAX_STRING_LENGTH ? null : buf.latin1Slice(start, stop);
}

/**
 * Reads `count` extensions from `[at, end)`, checking each length as
 * clusterProcessPacket does (a multiple of 8, within the message), and
 * more: a length below the extension's own header, or a known type too
 * short for its fields, is refused, where Redis would read past the
 * extension. The length is taken whole, where Redis's check keeps its low
 * 16 bits (and so refuses an extension of 64 KiB or more, which no Redis
 * writes). Returns the extensions and where they end, or an error.
 */
export function readExtensions(buf: Buffer, at: number, count: number, end: number): { extensions: PingExtension[]; end: number } | string {
  const extensions: PingExtension[] = [];
  for (let i = 0; i < count; i++) {
    if (end - at < EXTENSION_HEADER_LENGTH) return `ping extension ${i} starts past the end of the message`;
    const length = buf.readUInt32BE(at);
    const code = buf.readUInt16BE(at + 4);
    if (length % 8 !== 0) return `ping extension ${i} is not padded to 8 bytes (length ${length})`;
    if (length > end - at) return `ping extension ${i} (length ${length}) runs past the end of the message`;
    if (length < EXTENSION_HEADER_LENGTH) return `ping extension ${i} is shorter than its header (length ${length})`;
    const payload = at + EXTENSION_HEADER_LENGTH;
    const next = at + length;
    switch (code) {
      case EXTENSION_TYPE_CODES.HOSTNAME:
      case EXTENSION_TYPE_CODES.HUMAN_NODENAME: {
        const text = readText(buf, payload, next);
        if (text === null) return `ping extension ${i} is longer than any string can be`;
        extensions.push(code === EXTENSION_TYPE_CODES.HOSTNAME ? { type: 'HOSTNAME', hostname: text } : { type: 'HUMAN_NODENAME', humanNodename: text });
        break;
      }
      case EXTENSION_TYPE_CODES.FORGOTTEN_NODE:
        if (next - payload < FORGOTTEN_NODE_PAYLOAD_LENGTH) return `forgotten-node extension ${i} is too short (length ${length})`;
        extensions.push({ type: 'FORGOTTEN_NODE', name: readName(buf, payload), ttl: buf.readBigUInt64BE(payload + NAME_LENGTH) });
        break;
      case EXTENSION_TYPE_CODES.SHARDID:
        if (next - payload < NAME_LENGTH) return `shard-id extension ${i} is too short (length ${length})`;
        extensions.push({ type: 'SHARDID', shardId: readName(buf, payload) });
        break;
      default:
        extensions.push({ type: 'UNKNOWN', code, payload: buf.subarray(payload, next) });
    }
    at = next;
  }
  return { extensions, end: at };
}
