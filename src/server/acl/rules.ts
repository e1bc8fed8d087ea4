import type { RuleError } from './selector.js';
import type { User } from './user.js';

/** Redis's ACLSetUserStringError: the message for each reason a rule is refused. */
export function ruleErrorMessage(err: RuleError | 'EALREADY'): string {
  switch (err) {
    case 'ENOENT':
      return 'Unknown command or category name in ACL';
    case 'EINVAL':
      return 'Syntax error';
    case 'EEXIST':
      return (
        "Adding a pattern after the * pattern (or the 'allkeys' flag) is not valid and does not have any effect. " +
        "Try 'resetkeys' to start with an empty list of patterns"
      );
    case 'EISDIR':
      return (
        "Adding a pattern after the * pattern (or the 'allchannels' flag) is not valid and does not have any effect. " +
        "Try 'resetchannels' to start with an empty list of channels"
      );
    case 'ENODEV':
      return 'The password you are trying to remove from the user does not exist';
    case 'EBADMSG':
      return 'The password hash must be exactly 64 characters and contain only lowercase hexadecimal characters';
    case 'EALREADY':
      return 'Duplicate user found. A user can only be defined once in config files';
    case 'ECHILD':
      return 'Allowing first-arg of a subcommand is not supported';
  }
}

/**
 * Redis's ACLMergeSelectorArguments: a selector may be spread over several
 * arguments ("(~a*" "+get)"); they are joined with spaces. Returns the
 * merged rules, or the index of the argument that opens a selector never
 * closed.
 */
export function mergeSelectorArgs(ops: readonly string[]): { rules: string[] } | { unmatched: number } {
  const rules: string[] = [];
  let open = -1;
  let selector = '';
  ops.forEach((op, j) => {
    if (open === -1 && op[0] === '(' && op[op.length - 1] !== ')') {
      selector = op;
      open = j;
      return;
    }
    if (open !== -1) {
      selector += ` ${op}`;
      if (op[op.length - 1] === ')') {
        open = -1;
        rules.push(selector);
      }
      return;
    }
    rules.push(op);
  });
  return open === -1 ? { rules } : { unmatched: open };
}

/**
 * Applies rules to a copy of `user` (all or nothing, as ACL SETUSER does).
 * Returns the changed copy, or Redis's error text (without "ERR ").
 */
export function stageRules(user: User, ops: readonly string[]): User | string {
  const merged = mergeSelectorArgs(ops);
  if ('unmatched' in merged) return `Unmatched parenthesis in acl selector starting at '${ops[merged.unmatched]}'.`;
  const staged = user.clone();
  for (const rule of merged.rules) {
    const err = staged.apply(rule);
    if (err !== null) return `Error in ACL SETUSER modifier '${rule}': ${ruleErrorMessage(err)}`;
  }
  return staged;
}
