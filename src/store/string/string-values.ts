import { constants } from 'node:buffer';
import type { Ctx } from '../../core/context.js';
import { CommandError, WRONGTYPE } from '../../core/errors.js';

const TOO_BIG = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';

/** The string at key for a read command (counts a hit or miss); undefined when absent. */
export function readString(c: Ctx, key: string): string | undefined {
  const v = c.db.read(key);
  if (v === undefined || typeof v === 'string') return v;
  throw new CommandError(WRONGTYPE);
}

/** The string at key for a write command (no hit/miss counted); undefined when absent. */
export function writableString(c: Ctx, key: string): string | undefined {
  const v = c.db.get(key);
  if (v === undefined || typeof v === 'string') return v;
  throw new CommandError(WRONGTYPE);
}

/**
 * Refuses a string that would grow past proto-max-bulk-len, as Redis does,
 * and past the longest string V8 can hold (Redis would accept that one).
 */
export function checkStringLength(c: Ctx, total: number): void {
  if (total > c.config.num('proto-max-bulk-len') || total > constants.MAX_STRING_LENGTH) {
    throw new CommandError(TOO_BIG);
  }
}
