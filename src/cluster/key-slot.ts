/**
 * The key → slot rule lives with the keyspace, which indexes database 0 by
 * slot in cluster mode; the cluster's code names it from here.
 */
export { CLUSTER_SLOTS, crc16, keyHashSlot } from '../keyspace/key-slot.js';
