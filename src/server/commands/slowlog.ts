import { CommandError } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import type { Client } from '../client.js';
import type { CommandSpec } from '../command-types.js';
import { helpReply, subcommandSyntaxError } from '../../core/help.js';

const DEFAULT_COUNT = 10;

/** SLOWLOG GET [count]: newest first, each [id, time, µs, argv, addr, name]; -1 means all. */
function slowlogGet(c: Client, argv: string[]): void {
  const log = c.server.slowlog;
  if (argv.length > 3) throw new CommandError(subcommandSyntaxError(argv));
  let count = DEFAULT_COUNT;
  if (argv.length === 3) {
    const n = toInt64(argv[2]);
    if (n === null || n < -1n) throw new CommandError('ERR count should be greater than or equal to -1');
    count = n === -1n ? log.length : Number(n);
  }
  const entries = log.newest(count);
  const r = c.reply;
  r.array(entries.length);
  for (const e of entries) {
    r.array(6);
    r.integer(e.id);
    r.integer(e.time);
    r.integer(e.usec);
    r.array(e.argv.length);
    for (const a of e.argv) r.bulk(a);
    r.bulk(e.addr);
    r.bulk(e.name);
  }
}

function slowlogLen(c: Client): void {
  c.reply.integer(c.server.slowlog.length);
}

function slowlogReset(c: Client): void {
  c.server.slowlog.reset();
  c.reply.ok();
}

const HELP = [
  'GET [<count>]',
  '    Return top <count> entries from the slowlog (default: 10, -1 mean all).',
  '    Entries are made of:',
  '    id, timestamp, time in microseconds, arguments array, client IP and port,',
  '    client name',
  'LEN',
  '    Return the length of the slowlog.',
  'RESET',
  '    Reset the slowlog.',
];

function slowlogHelp(c: Client, argv: string[]): void {
  helpReply(c, argv, HELP);
}

const ADMIN = ['admin', 'loading', 'stale'] as const;

export const slowlogCommands: CommandSpec[] = [
  {
    name: 'slowlog', arity: -2, flags: [], acl: [], group: 'server', since: '2.2.12',
    summary: 'A container for slow log commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      {
        name: 'get', arity: -2, flags: ADMIN, acl: [], group: 'server', args: '[count:integer]', since: '2.2.12',
        history: [['4.0.0', 'Added client IP address, port and name to the reply.']],
        summary: "Returns the slow log's entries.", complexity: 'O(N) where N is the number of entries returned',
        tips: ['request_policy:all_nodes', 'nondeterministic_output'], handler: slowlogGet,
      },
      {
        name: 'help', arity: 2, flags: ['loading', 'stale'], acl: [], group: 'server',
        since: '6.2.0', summary: 'Show helpful text about the different subcommands', complexity: 'O(1)',
        handler: slowlogHelp,
      },
      {
        name: 'len', arity: 2, flags: ADMIN, acl: [], group: 'server', since: '2.2.12',
        summary: 'Returns the number of entries in the slow log.', complexity: 'O(1)',
        tips: ['request_policy:all_nodes', 'response_policy:agg_sum', 'nondeterministic_output'], handler: slowlogLen,
      },
      {
        name: 'reset', arity: 2, flags: ADMIN, acl: [], group: 'server', since: '2.2.12',
        summary: 'Clears all entries from the slow log.',
        complexity: 'O(N) where N is the number of entries in the slowlog',
        tips: ['request_policy:all_nodes', 'response_policy:all_succeeded'], handler: slowlogReset,
      },
    ],
  },
];
