import type { Client } from '../client.js';
import type { CommandSpec } from '../command-types.js';
import { infoText } from '../info.js';

function info(c: Client, argv: string[]): void {
  c.reply.verbatim(infoText(c.server, c, argv.slice(1)));
}

export const infoCommands: CommandSpec[] = [
  {
    name: 'info', arity: -1, flags: ['loading', 'stale'], keys: [0, 0, 0], acl: ['dangerous'], group: 'server',
    since: '1.0.0', summary: 'Returns information and statistics about the server.', complexity: 'O(1)',
    tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'], handler: info,
  },
];
