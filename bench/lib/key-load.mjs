// The load that keeps everything it writes: distinct keys, each set once,
// as the core section measures memory per key with and the floor section
// measures the collector with.
import { encode, pipelineLoad } from './resp.mjs';

/** Each key's value: 32 bytes. */
export const KEY_VALUE = 'v'.repeat(32);

/** `SET key:<i> <KEY_VALUE>` for i in [0, keys), pipelined over one connection; throws if any SET failed. */
export async function loadDistinctKeys(server, keys) {
  const errors = await pipelineLoad(server.port, keys, (i) => encode(['SET', `key:${i}`, KEY_VALUE]));
  if (errors !== 0) throw new Error(`${server.name}: ${errors} SETs failed while loading`);
}
