import { CommandError } from '../../core/errors.js';
import { intArg, toInt64 } from '../../core/numbers.js';
import type { Client } from '../client.js';
import type { CommandSpec } from '../command-types.js';

const INT64_MAX = 2n ** 63n - 1n;
const TIMEOUT_NOT_INTEGER = 'ERR timeout is not an integer or out of range';

/** Redis's getTimeoutFromObjectOrReply in milliseconds: an absolute deadline, 0 for none. */
export function timeoutDeadline(arg: string, now: number): number {
  const ms = toInt64(arg);
  if (ms === null) throw new CommandError(TIMEOUT_NOT_INTEGER);
  if (ms < 0n) throw new CommandError('ERR timeout is negative');
  if (ms === 0n) return 0;
  if (ms > INT64_MAX - BigInt(now)) throw new CommandError('ERR timeout is out of range');
  return Number(ms) + now;
}

/**
 * WAIT numreplicas timeout. Sluice has no replicas, so 0 have acknowledged
 * anything: asking for none (or fewer) answers 0 at once, asking for more
 * blocks until the timeout (0: forever) or CLIENT UNBLOCK and then answers
 * 0, as Redis does with no replica connected. Inside MULTI it answers at once.
 */
function wait(c: Client, argv: string[]): void {
  const wanted = intArg(argv[1]);
  const deadline = timeoutDeadline(argv[2], c.server.keyspace.now);
  const acked = 0;
  if (acked >= wanted || c.denyBlocking) {
    c.reply.integer(acked);
    return;
  }
  c.server.blocking.block(c, deadline, (client) => client.reply.integer(acked));
}

export const waitCommands: CommandSpec[] = [
  {
    // Redis 7.2 dropped 7.0's noscript: in a script WAIT answers at once, as in MULTI.
    name: 'wait', arity: 3, flags: [], acl: ['connection'], group: 'generic', args: 'numreplicas:integer timeout:integer',
    since: '3.0.0',
    summary: 'Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.',
    tips: ['request_policy:all_shards', 'response_policy:agg_min'], complexity: 'O(1)', handler: wait,
  },
];
