/** A node's flags as the header and gossip entries carry them (CLUSTER_NODE_*). */
export const NODE_FLAGS = {
  MASTER: 1,
  SLAVE: 2,
  PFAIL: 4,
  FAIL: 8,
  MYSELF: 16,
  HANDSHAKE: 32,
  NOADDR: 64,
  MEET: 128,
  MIGRATE_TO: 256,
  NOFAILOVER: 512,
} as const;

/** Bits of the header's first message-flags byte (CLUSTERMSG_FLAG0_*). */
export const MESSAGE_FLAGS0 = {
  /** The master has paused its clients for a manual failover. */
  PAUSED: 1,
  /** The master votes even though it does not see the replica's master as failed. */
  FORCEACK: 2,
  /** Ping extensions follow the gossip entries. */
  EXT_DATA: 4,
} as const;

/** The header's state byte: the cluster as the sender sees it. */
export const CLUSTER_STATE = { OK: 0, FAIL: 1 } as const;
