import { CommandError, SYNTAX } from '../../core/errors.js';
import type { Client } from '../client.js';
import { unixMicros } from '../clock.js';
import type { CommandSpec } from '../command-types.js';
import { abortShutdown, shutdownServer } from '../shutdown.js';

/**
 * MONITOR: from now on the connection receives every command the server
 * executes. A connection that already monitors gets no reply at all, as in
 * Redis, where it is a replica by then.
 */
function monitor(c: Client): void {
  // Inside EXEC a client expects one reply per command: it cannot become a stream.
  if (c.denyBlocking) throw new CommandError("ERR MONITOR isn't allowed for DENY BLOCKING client");
  if (c.monitor) return;
  c.monitor = true;
  c.server.monitors.add(c);
  c.reply.ok();
}

/**
 * Where Redis 7.2's clock stands still (its cached time in nested calls):
 * inside a script, the script's start; inside EXEC, EXEC's start.
 */
function frozenMicros(c: Client): number {
  const run = c.fromScript ? c.server.scripting.current : null;
  if (run !== null) return Math.floor((performance.timeOrigin + run.startedAt) * 1000);
  return c.execStartedMicros;
}

/** TIME: [seconds, microseconds] as bulk strings. */
function time(c: Client): void {
  const frozen = frozenMicros(c);
  const us = frozen >= 0 ? frozen : unixMicros();
  const secs = Math.floor(us / 1e6);
  c.reply.array(2);
  c.reply.bulk(String(secs));
  c.reply.bulk(String(us - secs * 1e6));
}

function lastsave(c: Client): void {
  c.reply.integer(c.server.lastSave);
}

/**
 * SHUTDOWN [NOSAVE|SAVE] [NOW] [FORCE] [ABORT]. ABORT calls off a shutdown
 * that a signal asked for and the cron has not begun, or one waiting for
 * lagging replicas. The final snapshot is saved as Redis saves it (save
 * points set, or SAVE), and a failed one stops the shutdown unless FORCE.
 * On success nothing is replied: the host's onShutdown runs (the CLI exits)
 * and the server closes every connection, this one included.
 */
function shutdown(c: Client, argv: string[]): void {
  let save = false;
  let nosave = false;
  let force = false;
  let flagged = false;
  let abort = false;
  let now = false;
  for (let i = 1; i < argv.length; i++) {
    switch (argv[i].toLowerCase()) {
      case 'nosave': nosave = flagged = true; break;
      case 'save': save = flagged = true; break;
      case 'now': now = flagged = true; break;
      case 'force': force = flagged = true; break;
      case 'abort': abort = true; break;
      default: throw new CommandError(SYNTAX);
    }
  }
  if ((abort && flagged) || (save && nosave)) throw new CommandError(SYNTAX);
  if (abort) {
    if (!abortShutdown(c.server)) throw new CommandError('ERR No shutdown in progress.');
    c.reply.ok();
    return;
  }
  const server = c.server;
  const result = shutdownServer(server, { save, nosave, force, now });
  if (result === 'waiting') {
    // Answered only if the shutdown fails or is called off: the replicas are given their time.
    server.shutdownPending!.waiters.push(c);
    server.blocking.block(c, 0, () => {});
    return;
  }
  if (result !== null) throw new CommandError(result);
}

export const serverMiscCommands: CommandSpec[] = [
  {
    name: 'monitor', arity: 1, flags: ['admin', 'noscript', 'loading', 'stale'], acl: [],
    group: 'server', since: '1.0.0', summary: 'Listens for all requests received by the server in real-time.',
    handler: monitor,
  },
  {
    name: 'time', arity: 1, flags: ['loading', 'stale', 'fast'], acl: [], group: 'server',
    since: '2.6.0', summary: 'Returns the server time.', complexity: 'O(1)', tips: ['nondeterministic_output'],
    handler: time,
  },
  {
    name: 'lastsave', arity: 1, flags: ['loading', 'stale', 'fast'], acl: ['admin', 'dangerous'],
    group: 'server', since: '1.0.0', summary: 'Returns the Unix timestamp of the last successful save to disk.',
    complexity: 'O(1)', tips: ['nondeterministic_output'], handler: lastsave,
  },
  {
    name: 'shutdown', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'no_multi', 'allow_busy'], acl: [],
    group: 'server', args: '[save-selector(NOSAVE | SAVE)] [NOW @7.0.0] [FORCE @7.0.0] [ABORT @7.0.0]', since: '1.0.0',
    history: [['7.0.0', 'Added the `NOW`, `FORCE` and `ABORT` modifiers.']],
    summary: 'Synchronously saves the database(s) to disk and shuts down the Redis server.',
    complexity: 'O(N) when saving, where N is the total number of keys in all databases when saving data, otherwise O(1)',
    handler: shutdown,
  },
];
