import { helpReply } from '../../core/help.js';
import type { Client } from '../client.js';
import type { CommandSpec } from '../command-types.js';

const HELP = [
  'LIST',
  '    Return a list of loaded modules.',
  'LOAD <path> [<arg> ...]',
  '    Load a module library from <path>, passing to it any optional arguments.',
  'LOADEX <path> [[CONFIG NAME VALUE] [CONFIG NAME VALUE]] [ARGS ...]',
  '    Load a module library from <path>, while passing it module configurations and optional arguments.',
  'UNLOAD <name>',
  '    Unload a module.',
];

/** Redis's log lines stop at LOG_MAX_LEN (1024 bytes): a path or name a client sends is cut there too. */
const LOGGED = 1024;

/**
 * Redis modules are native libraries built against Redis's C API: Sluice
 * can load none, so MODULE LIST is always empty and a load fails as a
 * library that does not load fails in Redis, with the reason in the log.
 */
function load(c: Client, argv: string[]): void {
  c.server.log.warning(`Module ${argv[2].slice(0, LOGGED)} failed to load: Sluice cannot load Redis modules (native libraries for Redis's C API)`);
  c.reply.error('ERR Error loading the extension. Please check the server logs.');
}

function unload(c: Client, argv: string[]): void {
  c.server.log.warning(`Error unloading module ${argv[2].slice(0, LOGGED)}: no such module with that name`);
  c.reply.error('ERR Error unloading module: no such module with that name');
}

const CHANGE = { flags: ['admin', 'noscript', 'no_async_loading', 'protected'], acl: [], group: 'server' } as const;

export const moduleCommands: CommandSpec[] = [
  {
    name: 'module', arity: -2, flags: [], acl: [], group: 'server', since: '4.0.0',
    summary: 'A container for module commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      {
        name: 'help', arity: 2, flags: ['loading', 'stale'], acl: [], group: 'server', since: '5.0.0',
        summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)',
        handler: (c, argv) => helpReply(c, argv, HELP),
      },
      {
        name: 'list', arity: 2, flags: ['admin', 'noscript'], acl: [], group: 'server', since: '4.0.0',
        summary: 'Returns all loaded modules.', complexity: 'O(N) where N is the number of loaded modules.',
        tips: ['nondeterministic_output_order'],
        handler: (c) => c.reply.array(0),
      },
      {
        ...CHANGE, name: 'load', arity: -3, since: '4.0.0', summary: 'Loads a module.', complexity: 'O(1)',
        args: 'path [arg...]', handler: load,
      },
      {
        ...CHANGE, name: 'loadex', arity: -3, since: '7.0.0', summary: 'Loads a module using extended parameters.', complexity: 'O(1)',
        args: 'path [CONFIG configs{name value}... +] [ARGS args...]', handler: load,
      },
      {
        ...CHANGE, name: 'unload', arity: 3, since: '4.0.0', summary: 'Unloads a module.', complexity: 'O(1)',
        args: 'name', handler: unload,
      },
    ],
  },
];
