import type { Client } from '../client.js';
import type { Command } from '../command-types.js';

/**
 * Commands whose lookups leave a key's access clock alone (Redis looks
 * their keys up with LOOKUP_NOTOUCH): introspection must not make a key
 * look recently used.
 */
const NO_TOUCH = new Set([
  'exists', 'type', 'ttl', 'pttl', 'expiretime', 'pexpiretime',
  'object|encoding', 'object|freq', 'object|idletime', 'object|refcount',
]);

/**
 * Whether the command's lookups refresh access clocks: not for the
 * commands above, nor for a CLIENT NO-TOUCH client, except TOUCH itself.
 */
export function touchesKeys(c: Client, cmd: Command): boolean {
  if (c.noTouch) return cmd.fullName === 'touch';
  return !NO_TOUCH.has(cmd.fullName);
}
