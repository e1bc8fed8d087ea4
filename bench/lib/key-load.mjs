// The loads that keep everything they write: distinct keys, each set once,
// as the core section measures memory per key with and the floor section
// measures the collector with; and the mixed keys of the RDB and
// replication sections.
import { encode, pipelineLoad } from './resp.mjs';

/** Each key's value: 32 bytes. */
export const KEY_VALUE = 'v'.repeat(32);

/** `SET key:<i> <KEY_VALUE>` for i in [0, keys), pipelined over one connection; throws if any SET failed. */
export async function loadDistinctKeys(server, keys) {
  const errors = await pipelineLoad(server.port, keys, (i) => encode(['SET', `key:${i}`, KEY_VALUE]));
  if (errors !== 0) throw new Error(`${server.name}: ${errors} SETs failed while loading`);
}

/** What mixedKeyCommand makes, for a table's description. */
export const MIXED_KEYS = '70% strings, 10% hashes of 3 fields, 10% lists of 4, 5% sets of 3, 5% sorted sets of 3';

/** The command creating mixed key i (one key each): 70% strings, then small hashes, lists, sets and sorted sets. */
export function mixedKeyCommand(i) {
  const n = String(i);
  switch (i % 10) {
    case 7: return encode(['HSET', `h:${n}`, 'name', `user${n}`, 'age', String(i % 90), 'city', 'somewhere']);
    case 8: return encode(['RPUSH', `l:${n}`, 'a', 'bb', n, 'dddd']);
    case 9: return i % 20 === 9 ? encode(['SADD', `s:${n}`, 'x', 'y', n]) : encode(['ZADD', `z:${n}`, '1', 'a', '2.5', 'b', n, 'c']);
    default: return encode(['SET', `k:${n}`, `value-${n}-0123456789`]);
  }
}
