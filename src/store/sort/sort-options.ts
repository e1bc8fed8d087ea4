import { cString } from '../../core/c-string.js';
import { CommandError, SYNTAX } from '../../core/errors.js';
import { intArg } from '../../core/numbers.js';
import { optionWord } from '../../core/options.js';

/** SORT's options as sortCommandGeneric reads them, the last of each kind winning. */
export interface SortOptions {
  desc: boolean;
  alpha: boolean;
  /** LIMIT's offset and count as given (the count -1 when absent). */
  offset: number;
  count: number;
  /** BY's pattern, or null. */
  by: string | null;
  /** Some BY pattern had no '*' (in its C string: up to a NUL): the elements keep their order. */
  dontSort: boolean;
  /** GET patterns, in order. */
  gets: string[];
  store: string | null;
}

/**
 * Refusals of the options that reach keys by pattern, for a user that may
 * not read every key: what those keys hold would leak past the user's key
 * patterns (a GET of any kind, even `#`, and a BY that sorts).
 */
const BY_DENIED = 'ERR BY option of SORT denied due to insufficient ACL permissions.';
const GET_DENIED = 'ERR GET option of SORT denied due to insufficient ACL permissions.';
/** In cluster mode those keys could be in other nodes' slots, so Redis 7.2 refuses the options there first. */
const BY_IN_CLUSTER = 'ERR BY option of SORT denied in Cluster mode.';
const GET_IN_CLUSTER = 'ERR GET option of SORT denied in Cluster mode.';

/**
 * Reads SORT's options from argv[2] on, in order, the first bad one
 * answering. An option missing its arguments is a syntax error, as is STORE
 * in SORT_RO; a bad LIMIT number fails as Redis's getLongFromObjectOrReply
 * does; GET and a sorting BY are refused in cluster mode and need
 * `readsEveryKey`. Nothing is looked up before all are read.
 */
export function parseSortOptions(argv: readonly string[], readonly: boolean, readsEveryKey: boolean, clusterMode: boolean): SortOptions {
  const o: SortOptions = { desc: false, alpha: false, offset: 0, count: -1, by: null, dontSort: false, gets: [], store: null };
  for (let j = 2; j < argv.length; j++) {
    const left = argv.length - j - 1;
    const word = optionWord(argv[j]);
    if (word === 'asc') {
      o.desc = false;
    } else if (word === 'desc') {
      o.desc = true;
    } else if (word === 'alpha') {
      o.alpha = true;
    } else if (word === 'limit' && left >= 2) {
      o.offset = intArg(argv[j + 1]);
      o.count = intArg(argv[j + 2]);
      j += 2;
    } else if (!readonly && word === 'store' && left >= 1) {
      o.store = argv[++j];
    } else if (word === 'by' && left >= 1) {
      o.by = argv[++j];
      // A later BY with '*' does not undo an earlier constant one, in Redis either.
      if (!cString(o.by).includes('*')) o.dontSort = true;
      else if (clusterMode) throw new CommandError(BY_IN_CLUSTER);
      else if (!readsEveryKey) throw new CommandError(BY_DENIED);
    } else if (word === 'get' && left >= 1) {
      if (clusterMode) throw new CommandError(GET_IN_CLUSTER);
      if (!readsEveryKey) throw new CommandError(GET_DENIED);
      o.gets.push(argv[++j]);
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  return o;
}

/**
 * LIMIT applied to `n` elements as Redis clamps it: the first and last
 * indices of the output, inclusive (last < first when it is empty).
 */
export function limitRange(offset: number, count: number, n: number): [start: number, end: number] {
  let start = Math.min(Math.max(offset, 0), n);
  const limit = Math.min(Math.max(count, -1), n);
  let end = limit < 0 ? n - 1 : start + limit - 1;
  if (start >= n) {
    start = n - 1;
    end = n - 2;
  }
  if (end >= n) end = n - 1;
  return [start, end];
}
