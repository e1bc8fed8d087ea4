import type { Client } from '../client.js';
import type { Command } from '../command-types.js';

/**
 * Whether the command's lookups refresh access clocks: not for a command
 * with the no-touch trait (Redis's LOOKUP_NOTOUCH), nor for a CLIENT
 * NO-TOUCH client, except TOUCH itself.
 */
export function touchesKeys(c: Client, cmd: Command): boolean {
  if (c.noTouch) return cmd.fullName === 'touch';
  return !cmd.noTouch;
}
