import { constants } from 'node:buffer';
import type { Client } from '../../server/client.js';
import { CommandError, WRONGTYPE } from '../../core/errors.js';

/** No option word of these commands is longer ("withmatchlen"); longer arguments are never lowercased. */
const LONGEST_OPTION = 12;
const TOO_BIG = 'ERR string exceeds maximum allowed size (proto-max-bulk-len)';

/** The string at key for a read command (counts a hit or miss); undefined when absent. */
export function readString(c: Client, key: string): string | undefined {
  const v = c.db.read(key);
  if (v === undefined || typeof v === 'string') return v;
  throw new CommandError(WRONGTYPE);
}

/** The string at key for a write command (no hit/miss counted); undefined when absent. */
export function writableString(c: Client, key: string): string | undefined {
  const v = c.db.get(key);
  if (v === undefined || typeof v === 'string') return v;
  throw new CommandError(WRONGTYPE);
}

/**
 * Refuses a string that would grow past proto-max-bulk-len, as Redis does,
 * and past the longest string V8 can hold (Redis would accept that one).
 */
export function checkStringLength(c: Client, total: number): void {
  if (total > c.server.config.num('proto-max-bulk-len') || total > constants.MAX_STRING_LENGTH) {
    throw new CommandError(TOO_BIG);
  }
}

/** Whether anyone consumes propagated effects: rewritten argvs are built only then. */
export function propagating(c: Client): boolean {
  return c.server.propagation.active;
}

/**
 * An option word as Redis compares it, lowercased: Redis matches options as
 * C strings, so a NUL byte ends the word ("NX\0junk" is NX).
 */
export function optionWord(arg: string): string {
  const nul = arg.indexOf('\0');
  const word = nul === -1 ? arg : arg.slice(0, nul);
  return word.length > LONGEST_OPTION ? '' : word.toLowerCase();
}
