/**
 * The fixed sizes and offsets of Redis's clusterMsg (cluster.h). Every
 * integer on the bus is big-endian; a Redis node of any 7.x version reads
 * and writes the header at these offsets.
 */

export const SIGNATURE = 'RCmb';
export const PROTOCOL_VERSION = 1;

/** The header: everything before the type-specific data, and the shortest message a reader takes. */
export const HEADER_LENGTH = 2256;
/** A node name or shard id: 40 hex characters, no terminator. */
export const NAME_LENGTH = 40;
/** NET_IP_STR_LEN: an IPv6 text address and its NUL. */
export const IP_LENGTH = 46;
/** One bit per hash slot. */
export const SLOTS_BITMAP_LENGTH = 16384 / 8;

export const GOSSIP_ENTRY_LENGTH = 104;
export const EXTENSION_HEADER_LENGTH = 8;
export const FORGOTTEN_NODE_PAYLOAD_LENGTH = NAME_LENGTH + 8;

export const FAIL_LENGTH = HEADER_LENGTH + NAME_LENGTH;
/** channel_len and message_len, before the channel's and the message's bytes. */
export const PUBLISH_FIXED_LENGTH = 8;
export const UPDATE_LENGTH = HEADER_LENGTH + 8 + NAME_LENGTH + SLOTS_BITMAP_LENGTH;
/** module_id, len and type, before the module's bytes. */
export const MODULE_FIXED_LENGTH = 13;

export const OFFSET = {
  sig: 0,
  totlen: 4,
  ver: 8,
  port: 10,
  type: 12,
  count: 14,
  currentEpoch: 16,
  configEpoch: 24,
  offset: 32,
  sender: 40,
  myslots: 80,
  slaveof: 2128,
  myip: 2168,
  extensions: 2214,
  pport: 2246,
  cport: 2248,
  flags: 2250,
  state: 2252,
  mflags: 2253,
} as const;

/** Offsets inside one gossip entry. */
export const GOSSIP_OFFSET = {
  nodename: 0,
  pingSent: 40,
  pongReceived: 44,
  ip: 48,
  port: 94,
  cport: 96,
  flags: 98,
  pport: 100,
} as const;
