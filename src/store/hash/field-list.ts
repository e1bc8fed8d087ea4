import { CommandError } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { optionWord } from '../../core/options.js';

const FIELDS_MISSING = 'ERR Mandatory argument FIELDS is missing or not at the right position';
const COUNT_MISMATCH = 'ERR The `numfields` parameter must match the number of arguments';

/**
 * The `FIELDS numfields field…` that ends Redis 7.4's field-expiry commands,
 * FIELDS at argv[at], checked in Redis's order: the keyword, the count (an
 * integer of at least 1, else `countError`), then that it matches the
 * fields given. Returns the fields.
 */
export function fieldList(argv: readonly string[], at: number, countError: string): string[] {
  if (optionWord(argv[at]) !== 'fields') throw new CommandError(FIELDS_MISSING);
  const n = toInt64(argv[at + 1]);
  if (n === null || n < 1n) throw new CommandError(countError);
  if (n !== BigInt(argv.length - at - 2)) throw new CommandError(COUNT_MISMATCH);
  return argv.slice(at + 2);
}
