import type { CommandSpec } from '../core/command.js';
import type { Ctx } from '../core/context.js';
import { CommandError, SYNTAX } from '../core/errors.js';
import type { Persistence } from './persistence.js';
import { BGSAVE_IN_PROGRESS } from './rdb-files.js';

/** The persistence commands of one server, bound to its persistence. */
export function persistenceCommands<C extends Ctx>(persistence: Persistence<C>): CommandSpec[] {
  return [
    {
      name: 'bgrewriteaof', arity: 1, flags: ['admin', 'noscript', 'no_async_loading'], acl: [],
      group: 'server', since: '1.0.0', summary: 'Asynchronously rewrites the append-only file to disk.', complexity: 'O(1)',
      handler: (c) => c.reply.simple(persistence.bgrewrite(c)),
    },
    {
      name: 'save', arity: 1, flags: ['admin', 'noscript', 'no_async_loading', 'no_multi'], acl: [],
      group: 'server', since: '1.0.0', summary: 'Synchronously saves the database(s) to disk.',
      complexity: 'O(N) where N is the total number of keys in all databases',
      handler: (c) => {
        const rdb = persistence.rdb;
        if (rdb.background !== null) throw new CommandError(BGSAVE_IN_PROGRESS);
        rdb.saves++;
        // Redis answers a failed save with a bare ERR; the reason is in the log.
        if (!rdb.save()) throw new CommandError('ERR');
        c.reply.ok();
      },
    },
    {
      name: 'bgsave', arity: -1, flags: ['admin', 'noscript', 'no_async_loading'], acl: [],
      group: 'server', since: '1.0.0', summary: 'Asynchronously saves the database(s) to disk.', complexity: 'O(1)',
      args: '[SCHEDULE @3.2.2]', history: [['3.2.2', 'Added the `SCHEDULE` option.']],
      handler: (c, argv) => {
        const schedule = argv.length === 2 && argv[1].toLowerCase() === 'schedule';
        if (argv.length > 2 || (argv.length === 2 && !schedule)) throw new CommandError(SYNTAX);
        c.reply.simple(persistence.rdb.bgsave(schedule, c.denyBlocking));
      },
    },
  ];
}
