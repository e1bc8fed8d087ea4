import type { KeyRef } from './command.js';

/**
 * Redis's genericGetKeys, the key finder of commands whose keys follow a
 * count (LMPOP, ZUNIONSTORE, ZMPOP…), for lines their keynum spec does not
 * fit: the count is read with C's atoi, and when it is below 1 or more
 * than the arguments left there are no keys at all. The keys come without
 * flags, followed by the destination at `storeAt` when there is one (0:
 * none).
 */
export function keysAfterCount(countAt: number, storeAt = 0) {
  return (argv: string[]): KeyRef[] => {
    const n = atoi(argv[countAt]);
    if (n < 1 || n > argv.length - countAt - 1) return [];
    const out: KeyRef[] = [];
    for (let i = 0; i < n; i++) out.push({ pos: countAt + 1 + i, flags: [] });
    if (storeAt !== 0) out.push({ pos: storeAt, flags: [] });
    return out;
  };
}

/** C's atoi as glibc has it: leading blanks, a sign, digits up to the first other byte; strtol's clamp, then an int. */
function atoi(s: string): number {
  const m = /^[\t\n\v\f\r ]*([+-]?\d+)/.exec(s);
  if (m === null) return 0;
  let n = BigInt(m[1]);
  if (n > 9223372036854775807n) n = 9223372036854775807n;
  if (n < -9223372036854775808n) n = -9223372036854775808n;
  return Number(BigInt.asIntN(32, n));
}
