import { CommandError } from '../../core/errors.js';
import { intArg } from '../../core/numbers.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { WAITAOF_AOF_OFF } from '../../persistence/aof-waits.js';
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

/** WAITAOF's reply: whether the local AOF holds the client's writes on disk, and how many replicas' do (none: Sluice has no replicas). */
export function waitAofReply(c: Client, local: number): void {
  c.reply.array(2);
  c.reply.integer(local);
  c.reply.integer(0);
}

/**
 * WAITAOF numlocal numreplicas timeout (Redis 7.2): waits until the AOF is
 * fsynced past the client's last write (numlocal 1) and `numreplicas`
 * replicas say theirs are; with none connected, asking for any blocks until
 * the timeout. Answers at once when satisfied, inside MULTI, or under
 * `appendfsync no` only by the timeout; turning appendonly off ends a wait
 * for the local copy with the error it would have got at the start.
 */
function waitaof(c: Client, argv: string[]): void {
  const numlocal = intArg(argv[1]);
  if (numlocal < 0 || numlocal > 1) throw new CommandError('ERR value is out of range, value must between 0 and 1');
  const numreplicas = intArg(argv[2]);
  if (numreplicas < 0) throw new CommandError('ERR value is out of range, must be positive');
  const server = c.server;
  const deadline = timeoutDeadline(argv[3], server.keyspace.now);
  if (numlocal > 0 && !server.config.bool('appendonly')) throw new CommandError(WAITAOF_AOF_OFF);
  const persistence = server.persistence;
  const local = persistence.fsyncedOffset >= c.woff ? 1 : 0;
  if ((numreplicas === 0 && local >= numlocal) || c.denyBlocking) {
    waitAofReply(c, local);
    return;
  }
  server.blocking.block(c, deadline, () => {
    server.aofWaits.remove(c);
    waitAofReply(c, persistence.fsyncedOffset >= c.woff ? 1 : 0);
  });
  server.aofWaits.add(c, c.woff, numlocal, numreplicas);
}

export const waitCommands: CommandSpec[] = [
  {
    // Redis 7.2 dropped 7.0's noscript: in a script WAIT answers at once, as in MULTI.
    name: 'wait', arity: 3, flags: [], acl: ['connection'], group: 'generic', args: 'numreplicas:integer timeout:integer',
    since: '3.0.0',
    summary: 'Blocks until the asynchronous replication of all preceding write commands sent by the connection is completed.',
    tips: ['request_policy:all_shards', 'response_policy:agg_min'], complexity: 'O(1)', handler: wait,
  },
  {
    name: 'waitaof', arity: 4, flags: ['noscript'], acl: ['connection'], group: 'generic', args: 'numlocal:integer numreplicas:integer timeout:integer',
    since: '7.2.0',
    summary: 'Blocks until all of the preceding write commands sent by the connection are written to the append-only file of the master and/or replicas.',
    tips: ['request_policy:all_shards', 'response_policy:agg_min'], complexity: 'O(1)', handler: waitaof,
  },
];
