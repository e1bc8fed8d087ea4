import { keyIndices } from '../../core/command.js';
import { globMatch } from '../../core/glob.js';
import { CommandError, SYNTAX } from '../../core/errors.js';
import type { Client } from '../client.js';
import type { Command, CommandSpec } from '../command-types.js';
import type { CommandTable } from '../command-table.js';
import { hasMovableKeys, keyFlags, writeCommandDocs, writeCommandInfo } from '../command-reply.js';
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

/** The argv positions of a command line's keys, after Redis's checks, or an empty list when it may have none. */
function keysOf(c: Client, line: string[]): { cmd: Command; positions: number[] } {
  const table = c.server.commands;
  const cmd = byCommandLine(table, line);
  if (cmd === undefined) throw new CommandError('ERR Invalid command specified');
  // Shard channels sit in key positions without being keys (see keyFlags): the pub/sub commands have none.
  const keyless = (cmd.spec.keys[0] === 0 && !hasMovableKeys(cmd)) || cmd.flagSet.has('pubsub');
  if (keyless) throw new CommandError('ERR The command has no key arguments');
  if ((cmd.arity > 0 && cmd.arity !== line.length) || line.length < -cmd.arity) {
    throw new CommandError('ERR Invalid number of arguments specified for command');
  }
  let positions: number[];
  try {
    positions = keyIndices(cmd.spec, line);
  } catch (e) {
    // A key finder that rejects the arguments means what an empty result means.
    if (!(e instanceof CommandError)) throw e;
    positions = [];
  }
  if (positions.length === 0 && !cmd.flagSet.has('no_mandatory_keys')) {
    throw new CommandError('ERR Invalid arguments specified for command');
  }
  return { cmd, positions };
}

function commandGetkeys(c: Client, argv: string[]): void {
  const line = argv.slice(2);
  const { positions } = keysOf(c, line);
  c.reply.array(positions.length);
  for (const p of positions) c.reply.bulk(line[p]);
}

function commandGetkeysandflags(c: Client, argv: string[]): void {
  const line = argv.slice(2);
  const { cmd, positions } = keysOf(c, line);
  const flags = keyFlags(cmd);
  c.reply.array(positions.length);
  for (const p of positions) {
    c.reply.array(2);
    c.reply.bulk(line[p]);
    c.reply.set(flags.length);
    for (const f of flags) c.reply.simple(f);
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
    name: 'command', arity: -1, flags: FLAGS, keys: [0, 0, 0], acl: ACL, group: 'server', since: '2.8.13',
    summary: 'Returns detailed information about all commands.',
    complexity: 'O(N) where N is the total number of Redis commands', tips: UNORDERED, handler: commandAll,
    subcommands: [
      {
        name: 'count', arity: 2, flags: FLAGS, keys: [0, 0, 0], acl: ACL, group: 'server', since: '2.8.13',
        summary: 'Returns a count of commands.', complexity: 'O(1)', handler: commandCount,
      },
      {
        name: 'docs', arity: -2, flags: FLAGS, keys: [0, 0, 0], acl: ACL, group: 'server', since: '7.0.0',
        summary: 'Returns documentary information about one, multiple or all commands.',
        complexity: 'O(N) where N is the number of commands to look up', tips: UNORDERED, handler: commandDocs,
      },
      {
        // Arity -3 since Redis 7.2 (7.0 required an argument after the command name).
        name: 'getkeys', arity: -3, flags: FLAGS, keys: [0, 0, 0], acl: ACL, group: 'server', since: '2.8.13',
        summary: 'Extracts the key names from an arbitrary command.',
        complexity: 'O(N) where N is the number of arguments to the command', handler: commandGetkeys,
      },
      {
        name: 'getkeysandflags', arity: -3, flags: FLAGS, keys: [0, 0, 0], acl: ACL, group: 'server', since: '7.0.0',
        summary: 'Extracts the key names and access flags for an arbitrary command.',
        complexity: 'O(N) where N is the number of arguments to the command', handler: commandGetkeysandflags,
      },
      {
        name: 'help', arity: 2, flags: FLAGS, keys: [0, 0, 0], acl: ACL, group: 'server', since: '5.0.0',
        summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)',
        handler: (c, argv) => helpReply(c, argv, HELP),
      },
      {
        name: 'info', arity: -2, flags: FLAGS, keys: [0, 0, 0], acl: ACL, group: 'server', since: '2.8.13',
        summary: 'Returns information about one, multiple or all commands.',
        complexity: 'O(N) where N is the number of commands to look up', tips: UNORDERED, handler: commandInfo,
      },
      {
        name: 'list', arity: -2, flags: FLAGS, keys: [0, 0, 0], acl: ACL, group: 'server', since: '7.0.0',
        summary: 'Returns a list of command names.',
        complexity: 'O(N) where N is the total number of Redis commands', tips: UNORDERED, handler: commandList,
      },
    ],
  },
];
