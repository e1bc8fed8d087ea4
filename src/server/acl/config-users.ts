import type { Acl } from './acl.js';
import { loadAclFile } from './acl-file.js';
import { CommandCatalog } from './catalog.js';
import { mergeSelectorArgs, ruleErrorMessage } from './rules.js';
import { hasSpaces } from './selector.js';
import { User } from './user.js';

/** Rules checked without commands: an unknown command or category (ENOENT) is only found when the users load. */
const SYNTAX_ONLY = { catalog: new CommandCatalog(new Map()), allChannelsByDefault: () => false };

/**
 * Redis's ACLAppendUserForLoading: a config file's `user <name> <rules...>`
 * (args without the directive), checked as it is read. `seen` holds the
 * names declared so far. Returns Redis's error for the line, or null.
 */
export function checkUserDirective(args: readonly string[], seen: Set<string>): string | null {
  const [name, ...ops] = args;
  if (seen.has(name)) return `Error in user declaration '${name}': ${ruleErrorMessage('EALREADY')}`;
  const merged = mergeSelectorArgs(ops);
  if ('unmatched' in merged) return `Error in user declaration '${ops[merged.unmatched]}': ${ruleErrorMessage('EINVAL')}`;
  const fake = new User('__fakeuser__', SYNTAX_ONLY);
  for (const rule of merged.rules) {
    const err = fake.apply(rule);
    if (err !== null && err !== 'ENOENT') return `Error in user declaration '${rule}': ${ruleErrorMessage(err)}`;
  }
  seen.add(name);
  return null;
}

/**
 * Redis's ACLLoadConfiguredUsers, at start: each declared user is created
 * (the default user is reset first) and given its rules. Throws with
 * Redis's log line when a rule fails.
 */
export function loadConfiguredUsers(acl: Acl, users: readonly (readonly string[])[]): string[] {
  const disabled: string[] = [];
  for (const [name, ...ops] of users) {
    if (hasSpaces(name)) throw new Error('Spaces not allowed in ACL usernames');
    let u = acl.users.get(name);
    if (u === undefined) {
      u = new User(name, acl);
      acl.users.set(name, u);
    } else {
      u.apply('reset');
    }
    const merged = mergeSelectorArgs(ops);
    for (const rule of 'rules' in merged ? merged.rules : ops) {
      const err = u.apply(rule);
      if (err !== null) throw new Error(`Error loading ACL rule '${rule}' for the user named '${name}': ${ruleErrorMessage(err)}`);
    }
    if (!u.enabled) disabled.push(name);
  }
  return disabled;
}

/**
 * Redis's ACLLoadUsersAtStartup: the config's users, or the aclfile's (a
 * relative name found from `dir`), never both. Throws what Redis logs
 * before it exits.
 */
export function loadUsersAtStartup(
  acl: Acl, users: readonly (readonly string[])[], aclfile: string, dir: string, notice: (message: string) => void,
): void {
  if (aclfile !== '' && users.length !== 0) {
    throw new Error(
      'Configuring Redis with users defined in redis.conf and at the same setting an ACL file path is invalid. This setup ' +
        'is very likely to lead to configuration errors and security holes, please define either an ACL file or declare ' +
        'users directly in your redis.conf, but not both.',
    );
  }
  for (const name of loadConfiguredUsers(acl, users)) {
    notice(
      `The user '${name}' is disabled (there is no 'on' modifier in the user description). Make sure this is not a configuration error.`,
    );
  }
  if (aclfile === '') return;
  const errors = loadAclFile(acl, aclfile, dir);
  if (errors !== null) throw new Error(`Aborting Redis startup because of ACL errors: ${errors}`);
}
