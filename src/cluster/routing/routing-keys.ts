import { extractKeys, type Command } from '../../core/command.js';

const NO_KEYS: readonly number[] = [];

/**
 * The argv positions Redis's getNodeByQuery routes a command by
 * (getKeysFromCommand): those its getkeys procedure finds, else those of
 * its legacy first/last/step range. XREAD and XREADGROUP, whose procedure
 * Sluice leaves to their key specs, are read through those. Unlike the key specs the range counts
 * not_key arguments, which is how the shard channels of SPUBLISH,
 * SSUBSCRIBE and SUNSUBSCRIBE route by slot. A line shorter than its range
 * (only a variadic command can be) has no keys, as in Redis.
 */
export function routingKeys(cmd: Command<never>, argv: string[]): readonly number[] {
  const getKeys = cmd.spec.getKeys;
  if (getKeys !== undefined) return getKeys(argv).map((k) => k.pos);
  if (cmd.movableKeys) return extractKeys(cmd, argv).map((k) => k.pos);
  const [first, lastKey, step] = cmd.keyRange;
  if (first === 0) return NO_KEYS;
  const last = lastKey < 0 ? argv.length + lastKey : lastKey;
  if (last >= argv.length) return NO_KEYS;
  const positions: number[] = [];
  for (let j = first; j <= last; j += step) positions.push(j);
  return positions;
}
