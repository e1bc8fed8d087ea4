import { constants } from 'node:buffer';
import { MESSAGE_FLAGS0 } from './flags.js';
import { writeName } from './fixed-fields.js';
import { writeGossipEntry } from './gossip.js';
import { writeHeader, type BusHeader } from './header.js';
import {
  FAIL_LENGTH, GOSSIP_ENTRY_LENGTH, HEADER_LENGTH, MODULE_FIXED_LENGTH, NAME_LENGTH,
  PUBLISH_FIXED_LENGTH, SLOTS_BITMAP_LENGTH, UPDATE_LENGTH,
} from './layout.js';
import type { BusMessage } from './message.js';
import { MESSAGE_TYPE_CODES } from './message-types.js';
import { extensionLength, writeExtension } from './ping-extensions.js';

/** The largest totlen the 32-bit field can say and this process can allocate. */
const MAX_TOTLEN = Math.min(0xffffffff, constants.MAX_LENGTH);

/**
 * Encodes a message as Redis 7.2 writes it: a zero-filled buffer (Redis's
 * send blocks are calloc'd, so every reserved and padding byte is zero),
 * the header, then the type's data. A PING, PONG or MEET with extensions
 * gets the EXT_DATA flag. A field that does not fit its width is a
 * RangeError: the caller built a message no peer could read.
 */
export function encodeBusMessage(msg: BusMessage): Buffer {
  switch (msg.type) {
    case 'PING':
    case 'PONG':
    case 'MEET': {
      let totlen = HEADER_LENGTH + msg.gossip.length * GOSSIP_ENTRY_LENGTH;
      for (const ext of msg.extensions) totlen += extensionLength(ext);
      const header = msg.extensions.length === 0 ? msg.header : withExtData(msg.header);
      const buf = start(header, msg.type, totlen, msg.gossip.length, msg.extensions.length);
      let at = HEADER_LENGTH;
      for (const entry of msg.gossip) {
        writeGossipEntry(buf, at, entry);
        at += GOSSIP_ENTRY_LENGTH;
      }
      for (const ext of msg.extensions) at = writeExtension(buf, at, ext);
      return buf;
    }
    case 'FAIL': {
      const buf = start(msg.header, msg.type, FAIL_LENGTH);
      writeName(buf, HEADER_LENGTH, msg.nodename, 'FAIL nodename');
      return buf;
    }
    case 'PUBLISH':
    case 'PUBLISHSHARD': {
      const data = HEADER_LENGTH + PUBLISH_FIXED_LENGTH;
      const buf = start(msg.header, msg.type, data + msg.channel.length + msg.message.length);
      buf.writeUInt32BE(msg.channel.length, HEADER_LENGTH);
      buf.writeUInt32BE(msg.message.length, HEADER_LENGTH + 4);
      buf.set(msg.channel, data);
      buf.set(msg.message, data + msg.channel.length);
      return buf;
    }
    case 'FAILOVER_AUTH_REQUEST':
    case 'FAILOVER_AUTH_ACK':
    case 'MFSTART':
      return start(msg.header, msg.type, HEADER_LENGTH);
    case 'UPDATE': {
      const buf = start(msg.header, msg.type, UPDATE_LENGTH);
      buf.writeBigUInt64BE(msg.configEpoch, HEADER_LENGTH);
      writeName(buf, HEADER_LENGTH + 8, msg.nodename, 'UPDATE nodename');
      if (msg.slots.length !== SLOTS_BITMAP_LENGTH) throw new RangeError(`UPDATE slots must be ${SLOTS_BITMAP_LENGTH} bytes`);
      buf.set(msg.slots, HEADER_LENGTH + 8 + NAME_LENGTH);
      return buf;
    }
    case 'MODULE': {
      const data = HEADER_LENGTH + MODULE_FIXED_LENGTH;
      const buf = start(msg.header, msg.type, data + msg.payload.length);
      buf.writeBigUInt64BE(msg.moduleId, HEADER_LENGTH);
      buf.writeUInt32BE(msg.payload.length, HEADER_LENGTH + 8);
      buf[HEADER_LENGTH + 12] = msg.moduleType;
      buf.set(msg.payload, data);
      return buf;
    }
    case 'UNKNOWN': {
      const buf = start(msg.header, msg.code, HEADER_LENGTH + msg.body.length);
      buf.set(msg.body, HEADER_LENGTH);
      return buf;
    }
  }
}

function withExtData(header: BusHeader): BusHeader {
  const [m0, m1, m2] = header.mflags;
  return { ...header, mflags: [m0 | MESSAGE_FLAGS0.EXT_DATA, m1, m2] };
}

function start(header: BusHeader, type: keyof typeof MESSAGE_TYPE_CODES | number, totlen: number, count = 0, extensions = 0): Buffer {
  if (totlen > MAX_TOTLEN) throw new RangeError(`a message of ${totlen} bytes is longer than the bus or a Buffer can carry`);
  const buf = Buffer.alloc(totlen);
  writeHeader(buf, header, { totlen, type: typeof type === 'number' ? type : MESSAGE_TYPE_CODES[type], count, extensions });
  return buf;
}
