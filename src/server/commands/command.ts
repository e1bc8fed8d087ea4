import { extractKeys, type KeyRef } from '../../core/command.js';
import { globMatch } from '../../core/glob.js';
import { CommandError, SYNTAX } from '../../core/errors.js';
import type { Client } from '../client.js';
import type { Command, CommandSpec } from '../command-types.js';
import type { CommandTable } from '../command-table.js';
import { writeCommandDocs, writeCommandInfo, writeFlags } from '../command-reply.js';
import { helpReply } from '../../core/help.js';

/**
 * A command by the name COMMAND INFO and DOCS take: "get", or "config|get"
 * for a subcommand (one level only, any case).
 */
function byName(table: CommandTable, name: string): Command | undefined {
  const parts = name.split('|');
  if (name === '' || parts.length > 2) return undefined;
  const top = table.get(parts[0].toLowerCase());
  if (parts.length === 1) return top;
  return top?.subcommands?.get(parts[1].toLowerCase());
}

/** The command a full command line runs, as the dispatcher would find it (COMMAND GETKEYS). */
function byCommandLine(table: CommandTable, argv: string[]): Command | undefined {
  const top = table.get(argv[0].toLowerCase());
  if (top === undefined || argv.length === 1 || top.subcommands === null) return top;
  return top.subcommands.get(argv[1].toLowerCase());
}

function commandAll(c: Client): void {
  const table = c.server.commands;
  c.reply.array(table.commands.size);
  for (const cmd of table.commands.values()) writeCommandInfo(c.reply, cmd);
}

function commandCount(c: Client): void {
  c.reply.integer(c.server.commands.commands.size);
}

function commandInfo(c: Client, argv: string[]): void {
  if (argv.length === 2) {
    commandAll(c);
    return;
  }
  c.reply.array(argv.length - 2);
  for (let i = 2; i < argv.length; i++) writeCommandInfo(c.reply, byName(c.server.commands, argv[i]));
}

function commandDocs(c: Client, argv: string[]): void {
  const table = c.server.commands;
  const cmds: Command[] = [];
  if (argv.length === 2) {
    cmds.push(...table.commands.values());
  } else {
    for (let i = 2; i < argv.length; i++) {
      const cmd = byName(table, argv[i]);
      if (cmd !== undefined) cmds.push(cmd);
    }
  }
  c.reply.map(cmds.length);
  for (const cmd of cmds) {
    c.reply.bulk(cmd.fullName);
    writeCommandDocs(c.reply, cmd);
  }
}

/** The keys of a command line, after Redis's checks (getKeysSubcommandImpl); empty when it may have none. */
function keysOf(c: Client, line: string[]): KeyRef[] {
  const cmd = byCommandLine(c.server.commands, line);
  if (cmd === undefined) throw new CommandError('ERR Invalid command specified');
  if (!cmd.hasKeys) throw new CommandError('ERR The command has no key arguments');
  if ((cmd.arity > 0 && cmd.arity !== line.length) || line.length < -cmd.arity) {
    throw new CommandError('ERR Invalid number of arguments specified for command');
  }
  const keys = extractKeys(cmd, line);
  if (keys.length === 0 && !cmd.flagSet.has('no_mandatory_keys')) {
    throw new CommandError('ERR Invalid arguments specified for command');
  }
  return keys;
}

function commandGetkeys(c: Client, argv: string[]): void {
  const line = argv.slice(2);
  const keys = keysOf(c, line);
  c.reply.array(keys.length);
  for (const k of keys) c.reply.bulk(line[k.pos]);
}

function commandGetkeysandflags(c: Client, argv: string[]): void {
  const line = argv.slice(2);
  const keys = keysOf(c, line);
  c.reply.array(keys.length);
  for (const k of keys) {
    c.reply.array(2);
    c.reply.bulk(line[k.pos]);
    writeFlags(c.reply, k.flags);
  }
}

type ListFilter = (cmd: Command) => boolean;

function listFilter(type: string, arg: string): ListFilter {
  switch (type) {
    case 'module':
      // No module can be loaded, so no command belongs to one.
      return () => false;
    case 'aclcat': {
      const cat = arg.toLowerCase();
      return (cmd) => cmd.aclCategories.includes(cat);
    }
    default:
      return (cmd) => globMatch(arg, cmd.fullName, true);
  }
}

function commandList(c: Client, argv: string[]): void {
  let filter: ListFilter = () => true;
  for (let i = 2; i < argv.length; i++) {
    const type = argv[i + 1]?.toLowerCase();
    if (argv[i].toLowerCase() !== 'filterby' || argv.length - 1 - i !== 2) throw new CommandError(SYNTAX);
    if (type !== 'module' && type !== 'aclcat' && type !== 'pattern') throw new CommandError(SYNTAX);
    filter = listFilter(type, argv[i + 2]);
    i += 2;
  }
  const names: string[] = [];
  for (const cmd of c.server.commands.all()) if (filter(cmd)) names.push(cmd.fullName);
  c.reply.array(names.length);
  for (const n of names) c.reply.bulk(n);
}

const HELP = [
  '(no subcommand)',
  '    Return details about all Redis commands.',
  'COUNT',
  '    Return the total number of commands in this Redis server.',
  'LIST',
  '    Return a list of all commands in this Redis server.',
  'INFO [<command-name> ...]',
  '    Return details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'DOCS [<command-name> ...]',
  '    Return documentation details about multiple Redis commands.',
  '    If no command names are given, documentation details for all',
  '    commands are returned.',
  'GETKEYS <full-command>',
  '    Return the keys from a full Redis command.',
  'GETKEYSANDFLAGS <full-command>',
  '    Return the keys and the access flags from a full Redis command.',
];

const FLAGS = ['loading', 'stale'] as const;
const ACL = ['connection'];
const UNORDERED = ['nondeterministic_output_order'];

export const commandCommands: CommandSpec[] = [
  {
    name: 'command', arity: -1, flags: FLAGS, acl: ACL, group: 'server', since: '2.8.13',
    summary: 'Returns detailed information about all commands.',
    complexity: 'O(N) where N is the total number of Redis commands', tips: UNORDERED, handler: commandAll,
    subcommands: [
      {
        name: 'count', arity: 2, flags: FLAGS, acl: ACL, group: 'server', since: '2.8.13',
        summary: 'Returns a count of commands.', complexity: 'O(1)', handler: commandCount,
      },
      {
        name: 'docs', arity: -2, flags: FLAGS, acl: ACL, group: 'server', args: '[command-name...]', since: '7.0.0',
        summary: 'Returns documentary information about one, multiple or all commands.',
        complexity: 'O(N) where N is the number of commands to look up', tips: UNORDERED, handler: commandDocs,
      },
      {
        // Arity -3 since Redis 7.2 (7.0 required an argument after the command name).
        name: 'getkeys', arity: -3, flags: FLAGS, acl: ACL, group: 'server', args: 'command [arg...]', since: '2.8.13',
        summary: 'Extracts the key names from an arbitrary command.',
        complexity: 'O(N) where N is the number of arguments to the command', handler: commandGetkeys,
      },
      {
        name: 'getkeysandflags', arity: -3, flags: FLAGS, acl: ACL, group: 'server', args: 'command [arg...]',
        since: '7.0.0',
        summary: 'Extracts the key names and access flags for an arbitrary command.',
        complexity: 'O(N) where N is the number of arguments to the command', handler: commandGetkeysandflags,
      },
      {
        name: 'help', arity: 2, flags: FLAGS, acl: ACL, group: 'server', since: '5.0.0',
        summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)',
        handler: (c, argv) => helpReply(c, argv, HELP),
      },
      {
        name: 'info', arity: -2, flags: FLAGS, acl: ACL, group: 'server', args: '[command-name...]', since: '2.8.13',
        history: [['7.0.0', 'Allowed to be called with no argument to get info on all commands.']],
        summary: 'Returns information about one, multiple or all commands.',
        complexity: 'O(N) where N is the number of commands to look up', tips: UNORDERED, handler: commandInfo,
      },
      {
        name: 'list', arity: -2, flags: FLAGS, acl: ACL, group: 'server',
        args: '[FILTERBY filterby(MODULE module-name | ACLCAT category | PATTERN pattern:pattern)]', since: '7.0.0',
        summary: 'Returns a list of command names.',
        complexity: 'O(N) where N is the total number of Redis commands', tips: UNORDERED, handler: commandList,
      },
    ],
  },
];
