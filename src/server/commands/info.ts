import type { Client } from '../client.js';
import type { CommandSpec } from '../command-types.js';
import { infoText } from '../info.js';

function info(c: Client, argv: string[]): void {
  c.reply.verbatim(infoText(c.server, c, argv.slice(1)));
}

export const infoCommands: CommandSpec[] = [
  {
    name: 'info', arity: -1, flags: ['loading', 'stale'], acl: ['dangerous'], group: 'server', args: '[section...]',
    since: '1.0.0', history: [['7.0.0', 'Added support for taking multiple section arguments.']], summary: 'Returns information and statistics about the server.', complexity: 'O(1)',
    tips: ['nondeterministic_output', 'request_policy:all_shards', 'response_policy:special'], handler: info,
  },
];
