import { randomBytes } from 'node:crypto';
import { CommandError, NOT_INTEGER } from '../../core/errors.js';
import { helpReply, subcommandSyntaxError } from '../../core/help.js';
import { toInt64 } from '../../codecs/integer-text.js';
import type { Reply } from '../../protocol/reply.js';
import type { Client } from '../client.js';
import type { CommandSpec } from '../command-types.js';
import { loadAclFile, saveAclFile } from './acl-file.js';
import { ACL_CATEGORIES, categoryByName } from './categories.js';
import { checkCommand, denialMessage } from './permission-check.js';
import { hasSpaces, type Selector } from './selector.js';

const GENPASS_MAX_BITS = 4096;
const NO_ACL_FILE =
  'ERR This Redis instance is not configured to use an ACL file. You may want to specify users via the ACL SETUSER ' +
  'command and then issue a CONFIG REWRITE (assuming you have a Redis configuration file set) in order to store users ' +
  'in the Redis configuration.';

function setuser(c: Client, argv: string[]): void {
  const name = argv[2];
  if (hasSpaces(name)) throw new CommandError("ERR Usernames can't contain spaces or null characters");
  const err = c.server.acl.setUser(name, argv.slice(3));
  if (err !== null) throw new CommandError(`ERR ${err}`);
  c.reply.ok();
}

function deluser(c: Client, argv: string[]): void {
  const names = argv.slice(2);
  if (names.includes('default')) throw new CommandError("ERR The 'default' user cannot be removed");
  let deleted = 0;
  for (const name of names) if (c.server.acl.deleteUser(name)) deleted++;
  c.reply.integer(deleted);
}

function describeSelector(r: Reply, s: Selector): void {
  r.bulk('commands');
  r.bulk(s.describeCommands());
  r.bulk('keys');
  r.bulk(s.describeKeys());
  r.bulk('channels');
  r.bulk(s.describeChannels());
}

function getuser(c: Client, argv: string[]): void {
  const u = c.server.acl.users.get(argv[2]);
  const r = c.reply;
  if (u === undefined) {
    r.nullBulk();
    return;
  }
  r.map(6);
  r.bulk('flags');
  const flags = u.flags();
  r.set(flags.length);
  for (const f of flags) r.bulk(f);
  r.bulk('passwords');
  r.array(u.passwords.length);
  for (const p of u.passwords) r.bulk(p);
  describeSelector(r, u.root);
  r.bulk('selectors');
  r.array(u.selectors.length - 1);
  for (const s of u.selectors.slice(1)) {
    r.map(3);
    describeSelector(r, s);
  }
}

function list(c: Client): void {
  const users = c.server.acl.sorted();
  c.reply.array(users.length);
  for (const u of users) c.reply.bulk(`user ${u.name} ${u.describe()}`);
}

function users(c: Client): void {
  const all = c.server.acl.sorted();
  c.reply.array(all.length);
  for (const u of all) c.reply.bulk(u.name);
}

function cat(c: Client, argv: string[]): void {
  if (argv.length > 3) throw new CommandError(subcommandSyntaxError(argv));
  if (argv.length === 2) {
    c.reply.array(ACL_CATEGORIES.length);
    for (const name of ACL_CATEGORIES) c.reply.bulk(name);
    return;
  }
  const category = categoryByName(argv[2]);
  if (category === null) throw new CommandError(`ERR Unknown category '${argv[2].slice(0, 128)}'`);
  const names: string[] = [];
  for (const cmd of c.server.acl.catalog.all()) if (cmd.aclCategories.includes(category)) names.push(cmd.fullName);
  c.reply.array(names.length);
  for (const n of names) c.reply.bulk(n);
}

function genpass(c: Client, argv: string[]): void {
  if (argv.length > 3) throw new CommandError(subcommandSyntaxError(argv));
  let bits = 256n;
  if (argv.length === 3) {
    const v = toInt64(argv[2]);
    if (v === null) throw new CommandError(NOT_INTEGER);
    bits = v;
  }
  if (bits <= 0n || bits > BigInt(GENPASS_MAX_BITS)) {
    throw new CommandError(
      `ERR ACL GENPASS argument must be the number of bits for the output password, a positive number up to ${GENPASS_MAX_BITS}`,
    );
  }
  const chars = Math.floor((Number(bits) + 3) / 4);
  c.reply.bulk(randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars));
}

function log(c: Client, argv: string[]): void {
  if (argv.length > 3) throw new CommandError(subcommandSyntaxError(argv));
  let count = 10;
  if (argv.length === 3) {
    if (argv[2].toLowerCase() === 'reset') {
      c.server.acl.log.reset();
      c.reply.ok();
      return;
    }
    const v = toInt64(argv[2]);
    if (v === null) throw new CommandError(NOT_INTEGER);
    count = v < 0n ? 0 : v > 1_000_000_000n ? 1_000_000_000 : Number(v);
  }
  c.server.acl.log.write(c.reply, count);
}

function whoami(c: Client): void {
  c.reply.bulk(c.user.name);
}

function dryrun(c: Client, argv: string[]): void {
  const u = c.server.acl.users.get(argv[2]);
  if (u === undefined) throw new CommandError(`ERR User '${argv[2]}' not found`);
  const line = argv.slice(3);
  const cmd = c.server.dispatcher.lookup(line);
  if (cmd === undefined) throw new CommandError(`ERR Command '${argv[3]}' not found`);
  if ((cmd.arity > 0 && cmd.arity !== line.length) || line.length < -cmd.arity) {
    throw new CommandError(`ERR wrong number of arguments for '${cmd.fullName}' command`);
  }
  const denied = checkCommand(u, cmd, line);
  if (denied === null) c.reply.ok();
  else c.reply.bulk(denialMessage(denied, u, cmd, line, true));
}

function aclFileOf(c: Client): string {
  const file = c.server.config.str('aclfile');
  if (file === '') throw new CommandError(NO_ACL_FILE);
  return file;
}

function load(c: Client): void {
  const errors = loadAclFile(c.server.acl, aclFileOf(c), c.server.config.str('dir'));
  if (errors !== null) throw new CommandError(`ERR ${errors}`);
  c.reply.ok();
}

function save(c: Client): void {
  const err = saveAclFile(c.server.acl, aclFileOf(c), c.server.config.str('dir'));
  if (err !== null) {
    c.server.log.warning(err);
    throw new CommandError('ERR There was an error trying to save the ACLs. Please check the server logs for more information');
  }
  c.reply.ok();
}

const HELP = [
  'CAT [<category>]',
  '    List all commands that belong to <category>, or all command categories',
  '    when no category is specified.',
  'DELUSER <username> [<username> ...]',
  '    Delete a list of users.',
  'DRYRUN <username> <command> [<arg> ...]',
  '    Returns whether the user can execute the given command without executing the command.',
  'GETUSER <username>',
  "    Get the user's details.",
  'GENPASS [<bits>]',
  '    Generate a secure 256-bit user password. The optional `bits` argument can',
  '    be used to specify a different size.',
  'LIST',
  '    Show users details in config file format.',
  'LOAD',
  '    Reload users from the ACL file.',
  'LOG [<count> | RESET]',
  '    Show the ACL log entries.',
  'SAVE',
  '    Save the current config to the ACL file.',
  'SETUSER <username> <attribute> [<attribute> ...]',
  '    Create or modify a user with the specified attributes.',
  'USERS',
  '    List all the registered usernames.',
  'WHOAMI',
  '    Return the current connection username.',
];

const ADMIN = ['admin', 'noscript', 'loading', 'stale'] as const;
const USERS = ['noscript', 'loading', 'stale'] as const;
const ALL_NODES = ['request_policy:all_nodes', 'response_policy:all_succeeded'];
const SUB = { acl: [], group: 'server', since: '6.0.0' } as const;
const PER_USER = 'O(N). Where N is the number of configured users.';

export const aclCommands: CommandSpec[] = [
  {
    name: 'acl', arity: -2, flags: [], acl: [], group: 'server', since: '6.0.0',
    summary: 'A container for Access List Control commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      {
        ...SUB, name: 'cat', arity: -2, flags: USERS, args: '[category]',
        summary: 'Lists the ACL categories, or the commands inside a category.',
        complexity: 'O(1) since the categories and commands are a fixed set.', handler: cat,
      },
      {
        ...SUB, name: 'deluser', arity: -3, flags: ADMIN, args: 'username...', tips: ALL_NODES,
        summary: 'Deletes ACL users, and terminates their connections.',
        complexity: 'O(1) amortized time considering the typical user.', handler: deluser,
      },
      {
        ...SUB, name: 'dryrun', arity: -4, flags: ADMIN, args: 'username command [arg...]', since: '7.0.0',
        summary: 'Simulates the execution of a command by a user, without executing the command.',
        complexity: 'O(1).', handler: dryrun,
      },
      {
        ...SUB, name: 'genpass', arity: -2, flags: USERS, args: '[bits:integer]',
        summary: 'Generates a pseudorandom, secure password that can be used to identify ACL users.',
        complexity: 'O(1)', handler: genpass,
      },
      {
        ...SUB, name: 'getuser', arity: 3, flags: ADMIN, args: 'username',
        history: [
          ['6.2.0', 'Added Pub/Sub channel patterns.'],
          ['7.0.0', 'Added selectors and changed the format of key and channel patterns from a list to their rule representation.'],
        ],
        summary: 'Lists the ACL rules of a user.',
        complexity: 'O(N). Where N is the number of password, command and pattern rules that the user has.', handler: getuser,
      },
      {
        ...SUB, name: 'help', arity: 2, flags: ['loading', 'stale'],
        summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)',
        handler: (c, argv) => helpReply(c, argv, HELP),
      },
      {
        ...SUB, name: 'list', arity: 2, flags: ADMIN, summary: 'Dumps the effective rules in ACL file format.',
        complexity: PER_USER, handler: list,
      },
      {
        ...SUB, name: 'load', arity: 2, flags: ADMIN, summary: 'Reloads the rules from the configured ACL file.',
        complexity: PER_USER, handler: load,
      },
      {
        ...SUB, name: 'log', arity: -2, flags: ADMIN, args: '[operation(count:integer | RESET)]',
        history: [['7.2.0', 'Added entry ID, timestamp created, and timestamp last updated.']],
        summary: 'Lists recent security events generated due to ACL rules.',
        complexity: 'O(N) with N being the number of entries shown.', handler: log,
      },
      {
        ...SUB, name: 'save', arity: 2, flags: ADMIN, tips: ALL_NODES,
        summary: 'Saves the effective ACL rules in the configured ACL file.', complexity: PER_USER, handler: save,
      },
      {
        ...SUB, name: 'setuser', arity: -3, flags: ADMIN, args: 'username [rule...]', tips: ALL_NODES,
        history: [
          ['6.2.0', 'Added Pub/Sub channel patterns.'],
          ['7.0.0', 'Added selectors and key based permissions.'],
        ],
        summary: 'Creates and modifies an ACL user and its rules.',
        complexity: 'O(N). Where N is the number of rules provided.', handler: setuser,
      },
      {
        ...SUB, name: 'users', arity: 2, flags: ADMIN, summary: 'Lists all ACL users.', complexity: PER_USER, handler: users,
      },
      {
        ...SUB, name: 'whoami', arity: 2, flags: USERS,
        summary: 'Returns the authenticated username of the current connection.', complexity: 'O(1)', handler: whoami,
      },
    ],
  },
];
