import type { CommandSpec } from '../core/command.js';
import type { Ctx } from '../core/context.js';
import { CommandError } from '../core/errors.js';
import type { Persistence } from './persistence.js';

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
        // Redis answers a failed save with a bare ERR; the reason is in the log.
        if (!persistence.rdb.save()) throw new CommandError('ERR');
        c.reply.ok();
      },
    },
  ];
}
