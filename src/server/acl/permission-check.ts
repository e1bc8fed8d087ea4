import { extractKeys, type KeyRef } from '../../core/command.js';
import type { Command } from '../command-types.js';
import { READ, WRITE, type Selector } from './selector.js';
import type { User } from './user.js';

/** What an ACL check refused, and the argv index of the key or channel (0 for the command itself). */
export interface Denial {
  reason: 'command' | 'key' | 'channel';
  pos: number;
}

/** Redis's ACL_DENIED_* ranks: when no selector allows a command, the highest reason is reported. */
const RANK = { command: 1, key: 2, channel: 4 } as const;

const PUBLISH = 1;
const SUBSCRIBE = 2;
const PATTERN = 4;

/** Redis's commands_with_channels, for the channels ACL checks (unsubscribing is never refused). */
const CHANNEL_ARGS: ReadonlyMap<string, { flags: number; count: number }> = new Map([
  ['subscribe', { flags: SUBSCRIBE, count: -1 }],
  ['ssubscribe', { flags: SUBSCRIBE, count: -1 }],
  ['psubscribe', { flags: SUBSCRIBE | PATTERN, count: -1 }],
  ['publish', { flags: PUBLISH, count: 1 }],
  ['spublish', { flags: PUBLISH, count: 1 }],
]);

/** The permissions a key spec's flags need: reading for access, writing for insert, delete or update. */
function keyNeeds(ref: KeyRef): number {
  let needs = 0;
  for (const f of ref.flags) {
    if (f === 'access') needs |= READ;
    else if (f === 'insert' || f === 'delete' || f === 'update') needs |= WRITE;
  }
  return needs;
}

function checkSelector(s: Selector, cmd: Command, argv: readonly string[], keys: () => KeyRef[]): Denial | null {
  if (!s.allowsCommand(cmd, argv)) return { reason: 'command', pos: 0 };
  if (!s.allKeys && cmd.hasKeys) {
    for (const ref of keys()) {
      if (!s.allowsKey(argv[ref.pos], keyNeeds(ref))) return { reason: 'key', pos: ref.pos };
    }
  }
  const channels = s.allChannels ? undefined : CHANNEL_ARGS.get(cmd.fullName);
  if (channels !== undefined) {
    const stop = channels.count === -1 ? argv.length : Math.min(argv.length, 1 + channels.count);
    for (let i = 1; i < stop; i++) {
      if (!s.allowsChannel(argv[i], (channels.flags & PATTERN) !== 0)) return { reason: 'channel', pos: i };
    }
  }
  return null;
}

/**
 * Redis's ACLCheckAllUserCommandPerm: null when one of the user's selectors
 * allows the command line whole (command, every key for the access its key
 * spec declares, every channel); otherwise the denial to report.
 */
export function checkCommand(user: User, cmd: Command, argv: string[]): Denial | null {
  let cached: KeyRef[] | null = null;
  const keys = () => (cached ??= extractKeys(cmd, argv));
  let worst: Denial = { reason: 'command', pos: 0 };
  for (const s of user.selectors) {
    const d = checkSelector(s, cmd, argv, keys);
    if (d === null) return null;
    if (RANK[d.reason] > RANK[worst.reason] || (d.reason === worst.reason && d.pos > worst.pos)) worst = d;
  }
  return worst;
}

/**
 * Redis's ACLUserCheckCmdWithUnrestrictedKeyAccess for reading: one of the
 * user's selectors allows the command line and may read every key. SORT
 * asks it before its BY and GET patterns reach keys no key spec names.
 */
export function readsEveryKey(user: User, cmd: Command, argv: string[]): boolean {
  if (user.unrestricted) return true;
  let cached: KeyRef[] | null = null;
  const keys = () => (cached ??= extractKeys(cmd, argv));
  return user.selectors.some((s) => checkSelector(s, cmd, argv, keys) === null && s.allowsEveryKey(READ));
}

/** Redis's getAclErrorMessage: `verbose` names the key or channel (ACL DRYRUN). */
export function denialMessage(d: Denial, user: User, cmd: Command, argv: readonly string[], verbose: boolean): string {
  switch (d.reason) {
    case 'command':
      return `User ${user.name} has no permissions to run the '${cmd.fullName}' command`;
    case 'key':
      return verbose ? `User ${user.name} has no permissions to access the '${argv[d.pos]}' key` : 'No permissions to access a key';
    case 'channel':
      return verbose
        ? `User ${user.name} has no permissions to access the '${argv[d.pos]}' channel`
        : 'No permissions to access a channel';
  }
}
