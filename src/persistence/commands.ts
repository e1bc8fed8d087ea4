import type { CommandSpec } from '../core/command.js';
import type { Ctx } from '../core/context.js';
import type { Persistence } from './persistence.js';

/** The persistence commands of one server, bound to its persistence. */
export function persistenceCommands<C extends Ctx>(persistence: Persistence<C>): CommandSpec[] {
  return [
    {
      name: 'bgrewriteaof', arity: 1, flags: ['admin', 'noscript', 'no_async_loading'], acl: [],
      group: 'server', since: '1.0.0', summary: 'Asynchronously rewrites the append-only file to disk.', complexity: 'O(1)',
      handler: (c) => c.reply.simple(persistence.bgrewrite(c)),
    },
  ];
}
