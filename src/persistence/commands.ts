import type { Client } from '../server/client.js';
import type { CommandSpec } from '../core/command.js';

function bgrewriteaof(c: Client): void {
  c.reply.simple(c.server.persistence.bgrewrite(c));
}

export const persistenceCommands: CommandSpec[] = [
  {
    name: 'bgrewriteaof', arity: 1, flags: ['admin', 'noscript', 'no_async_loading'], keys: [0, 0, 0], acl: [],
    group: 'server', since: '1.0.0', summary: 'Asynchronously rewrites the append-only file to disk.', complexity: 'O(1)',
    handler: bgrewriteaof,
  },
];
