import { MESSAGE_FLAGS0 } from './flags.js';
import { readName } from './fixed-fields.js';
import { readGossipEntry, type GossipEntry } from './gossip.js';
import { readHeader, type BusHeader } from './header.js';
import {
  FAIL_LENGTH, GOSSIP_ENTRY_LENGTH, HEADER_LENGTH, MODULE_FIXED_LENGTH, NAME_LENGTH, OFFSET,
  PROTOCOL_VERSION, PUBLISH_FIXED_LENGTH, SIGNATURE, SLOTS_BITMAP_LENGTH, UPDATE_LENGTH,
} from './layout.js';
import type { BusMessage, DecodeResult } from './message.js';
import { MESSAGE_TYPE_CODES, MESSAGE_TYPE_NAMES } from './message-types.js';
import { readExtensions, type PingExtension } from './ping-extensions.js';

const fail = (error: string): DecodeResult => ({ ok: false, error });
const ok = (message: BusMessage): DecodeResult => ({ ok: true, message });
const wrongLength = (type: string, totlen: number, expected: number) => fail(`${type} message of ${totlen} bytes, expected ${expected}`);

/**
 * Decodes one whole message, accepting what Redis's clusterReadHandler and
 * clusterProcessPacket accept: the "RCmb" signature, a totlen of at least
 * the header that is the buffer's length, version 1, and for each known
 * type exactly the length its data implies (an unknown type is taken at
 * whatever length it says). Every length is checked against the buffer
 * before it is used, so a malformed message is an error value, never an
 * exception or a read past the message.
 */
export function decodeBusMessage(buf: Buffer): DecodeResult {
  if (buf.length < HEADER_LENGTH) return fail(`message of ${buf.length} bytes is shorter than the ${HEADER_LENGTH}-byte header`);
  if (buf.latin1Slice(OFFSET.sig, OFFSET.sig + 4) !== SIGNATURE) return fail('bad signature (not "RCmb")');
  const totlen = buf.readUInt32BE(OFFSET.totlen);
  if (totlen !== buf.length) return fail(`totlen ${totlen} is not the message's ${buf.length} bytes`);
  const version = buf.readUInt16BE(OFFSET.ver);
  if (version !== PROTOCOL_VERSION) return fail(`protocol version ${version}, expected ${PROTOCOL_VERSION}`);

  const code = buf.readUInt16BE(OFFSET.type);
  const header = readHeader(buf);
  switch (code) {
    case MESSAGE_TYPE_CODES.PING:
    case MESSAGE_TYPE_CODES.PONG:
    case MESSAGE_TYPE_CODES.MEET:
      return decodePingLike(buf, MESSAGE_TYPE_NAMES[code] as 'PING' | 'PONG' | 'MEET', header);
    case MESSAGE_TYPE_CODES.FAIL:
      if (totlen !== FAIL_LENGTH) return wrongLength('FAIL', totlen, FAIL_LENGTH);
      return ok({ type: 'FAIL', header, nodename: readName(buf, HEADER_LENGTH) });
    case MESSAGE_TYPE_CODES.PUBLISH:
    case MESSAGE_TYPE_CODES.PUBLISHSHARD:
      return decodePublish(buf, MESSAGE_TYPE_NAMES[code] as 'PUBLISH' | 'PUBLISHSHARD', header);
    case MESSAGE_TYPE_CODES.FAILOVER_AUTH_REQUEST:
    case MESSAGE_TYPE_CODES.FAILOVER_AUTH_ACK:
    case MESSAGE_TYPE_CODES.MFSTART: {
      const type = MESSAGE_TYPE_NAMES[code] as 'FAILOVER_AUTH_REQUEST' | 'FAILOVER_AUTH_ACK' | 'MFSTART';
      return totlen === HEADER_LENGTH ? ok({ type, header }) : wrongLength(type, totlen, HEADER_LENGTH);
    }
    case MESSAGE_TYPE_CODES.UPDATE: {
      if (totlen !== UPDATE_LENGTH) return wrongLength('UPDATE', totlen, UPDATE_LENGTH);
      const slotsAt = HEADER_LENGTH + 8 + NAME_LENGTH;
      return ok({
        type: 'UPDATE',
        header,
        configEpoch: buf.readBigUInt64BE(HEADER_LENGTH),
        nodename: readName(buf, HEADER_LENGTH + 8),
        slots: new Uint8Array(buf.subarray(slotsAt, slotsAt + SLOTS_BITMAP_LENGTH)),
      });
    }
    case MESSAGE_TYPE_CODES.MODULE:
      return decodeModule(buf, header);
    default:
      return ok({ type: 'UNKNOWN', code, header, body: buf.subarray(HEADER_LENGTH) });
  }
}

function decodePingLike(buf: Buffer, type: 'PING' | 'PONG' | 'MEET', header: BusHeader): DecodeResult {
  const count = buf.readUInt16BE(OFFSET.count);
  const gossipEnd = HEADER_LENGTH + count * GOSSIP_ENTRY_LENGTH;
  if (gossipEnd > buf.length) return fail(`${type} message of ${buf.length} bytes cannot hold its ${count} gossip entries`);
  const gossip: GossipEntry[] = [];
  for (let at = HEADER_LENGTH; at < gossipEnd; at += GOSSIP_ENTRY_LENGTH) gossip.push(readGossipEntry(buf, at));
  let extensions: PingExtension[] = [];
  let end = gossipEnd;
  // Without the EXT_DATA flag Redis reads no extensions, whatever the count field says.
  if ((header.mflags[0] & MESSAGE_FLAGS0.EXT_DATA) !== 0) {
    const read = readExtensions(buf, gossipEnd, buf.readUInt16BE(OFFSET.extensions), buf.length);
    if (typeof read === 'string') return fail(`${type}: ${read}`);
    extensions = read.extensions;
    end = read.end;
  }
  if (end !== buf.length) return wrongLength(type, buf.length, end);
  return ok({ type, header, gossip, extensions });
}

function decodePublish(buf: Buffer, type: 'PUBLISH' | 'PUBLISHSHARD', header: BusHeader): DecodeResult {
  const data = HEADER_LENGTH + PUBLISH_FIXED_LENGTH;
  if (buf.length < data) return fail(`${type} message of ${buf.length} bytes cannot hold its two lengths`);
  const channelLength = buf.readUInt32BE(HEADER_LENGTH);
  const messageLength = buf.readUInt32BE(HEADER_LENGTH + 4);
  // Summed as doubles, so two large lengths cannot wrap around to a small total as Redis's 32-bit sum can.
  const expected = data + channelLength + messageLength;
  if (buf.length !== expected) return wrongLength(type, buf.length, expected);
  const messageAt = data + channelLength;
  return ok({ type, header, channel: buf.subarray(data, messageAt), message: buf.subarray(messageAt, expected) });
}

function decodeModule(buf: Buffer, header: BusHeader): DecodeResult {
  const data = HEADER_LENGTH + MODULE_FIXED_LENGTH;
  if (buf.length < data) return fail(`MODULE message of ${buf.length} bytes cannot hold its module id, length and type`);
  const expected = data + buf.readUInt32BE(HEADER_LENGTH + 8);
  if (buf.length !== expected) return wrongLength('MODULE', buf.length, expected);
  return ok({
    type: 'MODULE',
    header,
    moduleId: buf.readBigUInt64BE(HEADER_LENGTH),
    moduleType: buf[HEADER_LENGTH + 12],
    payload: buf.subarray(data, expected),
  });
}
