import { formatDouble } from '../protocol/double.js';
import type { LuaValue } from './lua/index.js';

const SIGN = new Float64Array(1);
const SIGN_BITS = new Uint32Array(SIGN.buffer);

/**
 * A number passed to redis.call as Redis 7.2 writes it: integral values up
 * to 2^62 as integer digits (so 1e9 is "1000000000", and -0 is "0"), others
 * as the shortest digits that read back (fpconv), which is also how Redis
 * replies doubles; NaN keeps its sign as C prints it ("-nan" for 0/0).
 */
export function numberArg(n: number): string {
  if (n === 0) return '0';
  if (Number.isNaN(n)) {
    SIGN[0] = n;
    return SIGN_BITS[1] >>> 31 === 1 ? '-nan' : 'nan';
  }
  return formatDouble(n);
}

/**
 * The arguments of a redis.call as a command line: strings as they are,
 * numbers as numberArg writes them, anything else refused (null is
 * returned, the caller raises Redis's error).
 */
export function toArgv(args: LuaValue[]): string[] | null {
  const argv = new Array<string>(args.length);
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (typeof a === 'string') argv[i] = a;
    else if (typeof a === 'number') argv[i] = numberArg(a);
    else return null;
  }
  return argv;
}
