/** The bus's message types and their codes (CLUSTERMSG_TYPE_*). */
export const MESSAGE_TYPE_CODES = {
  PING: 0,
  PONG: 1,
  MEET: 2,
  FAIL: 3,
  PUBLISH: 4,
  FAILOVER_AUTH_REQUEST: 5,
  FAILOVER_AUTH_ACK: 6,
  UPDATE: 7,
  MFSTART: 8,
  MODULE: 9,
  PUBLISHSHARD: 10,
} as const;

export type KnownMessageType = keyof typeof MESSAGE_TYPE_CODES;

/** Known types by code; a code past the end is a type this Redis does not know. */
export const MESSAGE_TYPE_NAMES = Object.keys(MESSAGE_TYPE_CODES) as readonly KnownMessageType[];
