import type { Ctx } from '../../core/context.js';
import { CommandError, SYNTAX } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { optionWord } from '../../core/options.js';
import { membersRemoved, writableZset } from './zset-access.js';
import type { ZSetValue } from './zset-value.js';

/** How a pop's reply is laid out (Redis's genericZpopCommand flags). */
export type PopShape =
  /** ZPOPMIN/ZPOPMAX: member, score, … flat. */
  | 'flat'
  /** ZPOPMIN/ZPOPMAX with a count in RESP3: [member, score] pairs. */
  | 'pairs'
  /** BZPOPMIN/BZPOPMAX: key, member, score. */
  | 'keyed'
  /** ZMPOP/BZMPOP: [key, [[member, score], …]]. */
  | 'nested';

/** The first existing key among `keys` and its set; a key of another type fails the command. */
export function firstZset(c: Ctx, keys: readonly string[]): { key: string; z: ZSetValue } | null {
  for (const key of keys) {
    const z = writableZset(c, key);
    if (z !== undefined) return { key, z };
  }
  return null;
}

/**
 * Pops up to `count` members from the low (or high, `max`) end of a
 * non-empty set and replies in `shape`: one change per member, the
 * zpopmin/zpopmax event once, 'del' when it emptied. Returns how many went.
 */
export function popMembers(c: Ctx, key: string, z: ZSetValue, max: boolean, count: number, shape: PopShape): number {
  const n = Math.min(count, z.size);
  const r = c.reply;
  if (shape === 'flat') r.array(n * 2);
  else if (shape === 'pairs') r.array(n);
  else if (shape === 'keyed') r.array(n * 2 + 1);
  else r.array(2);
  if (shape === 'keyed' || shape === 'nested') r.bulk(key);
  if (shape === 'nested') r.array(n);
  const paired = shape === 'pairs' || shape === 'nested';
  const start = max ? z.size - 1 : 0;
  z.forRange(start, n, max, (m, s) => {
    if (paired) r.array(2);
    r.bulk(m);
    r.double(s);
  });
  z.removeRange(max ? z.size - n : 0, n);
  membersRemoved(c, key, z, max ? 'zpopmax' : 'zpopmin', n);
  return n;
}

/** Redis's getRangeLongFromObjectOrReply(1, LONG_MAX) with its own message for any bad value. */
function positiveArg(s: string, message: string): number {
  const n = toInt64(s);
  if (n === null || n < 1n) throw new CommandError(message);
  return Number(n);
}

/** The arguments ZMPOP and BZMPOP share from their numkeys on: the keys, MIN|MAX and an optional COUNT. */
export interface MultiPop {
  keys: string[];
  max: boolean;
  count: number;
}

export function parseMultiPop(argv: string[], numkeysAt: number): MultiPop {
  const numkeys = positiveArg(argv[numkeysAt], 'ERR numkeys should be greater than 0');
  const whereAt = numkeysAt + numkeys + 1;
  if (whereAt >= argv.length) throw new CommandError(SYNTAX);
  const where = optionWord(argv[whereAt]);
  if (where !== 'min' && where !== 'max') throw new CommandError(SYNTAX);
  let count = -1;
  for (let j = whereAt + 1; j < argv.length; j++) {
    if (count === -1 && optionWord(argv[j]) === 'count' && j < argv.length - 1) {
      count = positiveArg(argv[++j], 'ERR count should be greater than 0');
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  return { keys: argv.slice(numkeysAt + 1, whereAt), max: where === 'max', count: count === -1 ? 1 : count };
}

/** What a multi-key pop propagates: ZPOPMIN/ZPOPMAX key n, with the number actually popped. */
export function popEffect(key: string, max: boolean, n: number): string[] {
  return [max ? 'ZPOPMAX' : 'ZPOPMIN', key, String(n)];
}
