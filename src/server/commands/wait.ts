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
 * WAIT numreplicas timeout: blocks until `numreplicas` replicas have
 * acknowledged the client's last write (REPLCONF GETACK asks them at the end
 * of the turn), or the timeout (0: forever) or CLIENT UNBLOCK; answers the
 * count then. Inside MULTI or a script it answers at once.
 */
function wait(c: Client, argv: string[]): void {
  const server = c.server;
  const refusal = server.replication.waitRefusal();
  if (refusal !== null) throw new CommandError(refusal);
  const wanted = intArg(argv[1]);
  const deadline = timeoutDeadline(argv[2], server.keyspace.now);
  const master = server.replication.master;
  const acked = master.ackedAt(c.replWoff);
  if (acked >= wanted || c.denyBlocking) {
    c.reply.integer(acked);
    return;
  }
  const woff = c.replWoff;
  server.blocking.block(c, deadline, (client) => {
    server.replicaWaits.delete(c);
    client.reply.integer(master.ackedAt(woff));
  });
  server.replicaWaits.set(c, { woff, wanted, state: c.blocked });
  server.replication.requestAcks();
}

/** WAITAOF's reply: whether the local AOF holds the client's writes on disk, and how many replicas' do. */
export function waitAofReply(c: Client, local: number, replicas: number): void {
  c.reply.array(2);
  c.reply.integer(local);
  c.reply.integer(replicas);
}

/**
 * WAITAOF numlocal numreplicas timeout (Redis 7.2): waits until the AOF is
 * fsynced past the client's last write (numlocal 1) and `numreplicas`
 * replicas say theirs are (REPLCONF ACK … FACK). Answers at once when
 * satisfied, inside MULTI, or under `appendfsync no` only by the timeout;
 * turning appendonly off ends a wait for the local copy with the error it
 * would have got at the start.
 */
function waitaof(c: Client, argv: string[]): void {
  const server = c.server;
  const refusal = server.replication.waitAofRefusal();
  if (refusal !== null) throw new CommandError(refusal);
  const numlocal = intArg(argv[1]);
  if (numlocal < 0 || numlocal > 1) throw new CommandError('ERR value is out of range, value must between 0 and 1');
  const numreplicas = intArg(argv[2]);
  if (numreplicas < 0) throw new CommandError('ERR value is out of range, must be positive');
  const deadline = timeoutDeadline(argv[3], server.keyspace.now);
  if (numlocal > 0 && !server.config.bool('appendonly')) throw new CommandError(WAITAOF_AOF_OFF);
  const persistence = server.persistence;
  const master = server.replication.master;
  const local = persistence.fsyncedOffset >= c.woff ? 1 : 0;
  const replicas = master.aofAckedAt(c.replWoff);
  if ((replicas >= numreplicas && local >= numlocal) || c.denyBlocking) {
    waitAofReply(c, local, replicas);
    return;
  }
  const replWoff = c.replWoff;
  server.blocking.block(c, deadline, () => {
    server.aofWaits.remove(c);
    waitAofReply(c, persistence.fsyncedOffset >= c.woff ? 1 : 0, master.aofAckedAt(replWoff));
  });
  server.aofWaits.add(c, c.woff, replWoff, numlocal, numreplicas);
  if (numreplicas > 0) server.replication.requestAcks();
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
