import { CommandError, SYNTAX } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import { isFiltered, type Replica } from '../../replication/replica.js';
import type { Client } from '../client.js';
import type { CommandSpec } from '../command-types.js';
import { clientInfoLine } from './client-list.js';
import { splitInlineArgs } from '../../protocol/inline.js';

/** Redis's NET_HOST_STR_LEN: an announced address must be shorter. */
const HOST_STR_LEN = 256;
const NOT_INTEGER = 'ERR value is not an integer or out of range';

function longArg(s: string): number {
  const n = toInt64(s);
  if (n === null) throw new CommandError(NOT_INTEGER);
  return Number(n);
}

/** The replica state a connection builds up before SYNC (REPLCONF), and keeps as a replica. */
function replicaOf(c: Client): Replica {
  return (c.replica ??= c.server.replication.newReplica(c));
}


/**
 * REPLCONF <option> <value> …: how a replica-to-be describes itself, and a
 * replica's acknowledgements (ACK, which gets no reply).
 */
function replconf(c: Client, argv: string[]): void {
  if (argv.length % 2 === 0) throw new CommandError(SYNTAX);
  for (let j = 1; j < argv.length; j += 2) {
    const option = argv[j].toLowerCase();
    const value = argv[j + 1];
    switch (option) {
      case 'listening-port':
        replicaOf(c).listeningPort = longArg(value);
        break;
      case 'ip-address':
        if (value.length >= HOST_STR_LEN) {
          throw new CommandError(`ERR REPLCONF ip-address provided by replica instance is too long: ${value.length} bytes`);
        }
        replicaOf(c).announcedIp = value;
        break;
      case 'capa': {
        const capa = value.toLowerCase();
        if (capa === 'eof') replicaOf(c).capaEof = true;
        else if (capa === 'psync2') replicaOf(c).capaPsync2 = true;
        break;
      }
      case 'ack': {
        // No reply. Only a replica's acknowledgement counts; from anyone else it changes nothing.
        if (!c.isReplica) return;
        const offset = toInt64(value);
        if (offset === null) return;
        let fack: number | null = null;
        if (argv.length > j + 3 && argv[j + 2].toLowerCase() === 'fack') {
          const f = toInt64(argv[j + 3]);
          if (f === null) return;
          fack = Number(f);
        }
        c.server.replication.acked(c.replica!, Number(offset), fack);
        return;
      }
      case 'getack':
        c.server.replication.ackToMaster();
        return;
      case 'rdb-only': {
        const n = toInt64(value);
        if (n === null || n < 0n || n > 1n) throw new CommandError('ERR value is out of range, value must between 0 and 1');
        replicaOf(c).rdbOnly = n === 1n;
        break;
      }
      case 'rdb-filter-only': {
        const filters = splitInlineArgs(Buffer.from(value, 'latin1'));
        if (filters === null) throw new CommandError('ERR Missing rdb-filter-only values');
        // As Redis, everything is left out first (so "" leaves out the functions too), and a refused filter keeps what came before it.
        const r = replicaOf(c);
        r.filter = { data: true, functions: true };
        for (const f of filters) {
          const name = f.toString('latin1');
          if (name.toLowerCase() !== 'functions') throw new CommandError(`ERR Unsupported rdb-filter-only option: ${name}`);
          r.filter = { data: true, functions: false };
        }
        break;
      }
      default:
        throw new CommandError(`ERR Unrecognized REPLCONF option: ${argv[j]}`);
    }
  }
  c.reply.ok();
}

/** SYNC and PSYNC <replid> <offset>: the connection becomes a replica (Redis's syncCommand). */
function sync(c: Client, argv: string[]): void {
  if (c.isReplica) return;
  const server = c.server;
  if (argv.length > 3 && argv[0].toLowerCase() === 'psync' && argv[3].toLowerCase() === 'failover') {
    // The old master of a FAILOVER hands over: this replica becomes the master if it follows the same history.
    server.log.notice(`Failover request received for replid ${argv[1]}.`);
    if (!server.replication.isReplica) throw new CommandError("ERR PSYNC FAILOVER can't be sent to a master.");
    if (argv[1].toLowerCase() !== server.replication.stream.replid) throw new CommandError('ERR PSYNC FAILOVER replid must match my replid.');
    server.replication.promote(`failover request from '${clientInfoLine(c, Date.now())}'`);
  }
  const refusal = server.replication.syncRefusal();
  if (refusal !== null) throw new CommandError(refusal);
  if (c.conn !== null && c.conn.out.pending !== 0) throw new CommandError('ERR SYNC and PSYNC are invalid with pending output');
  // A filtered snapshot is only ever sent to the socket, which takes a reader of $EOF: payloads.
  const r = c.replica;
  if (r !== null && isFiltered(r.filter) && !r.capaEof) throw new CommandError('ERR Filtered replica requires EOF capability');
  if (argv[0].toLowerCase() === 'psync') {
    const offset = toInt64(argv[2]);
    if (offset === null) {
      server.log.warning(`Replica ${replicaOf(c).ip} asks for synchronization but with a wrong offset`);
      throw new CommandError(NOT_INTEGER);
    }
    server.replication.sync(c, argv[1], Number(offset));
  } else {
    server.replication.sync(c, null, 0);
  }
}

/** REPLICAOF host port | NO ONE (and SLAVEOF): follow a master, or become one. */
function replicaof(c: Client, argv: string[]): void {
  const repl = c.server.replication;
  if (c.server.cluster !== null) throw new CommandError('ERR REPLICAOF not allowed in cluster mode.');
  if (repl.failover !== null) throw new CommandError('ERR REPLICAOF not allowed while failing over.');
  if (argv[1].toLowerCase() === 'no' && argv[2].toLowerCase() === 'one') {
    if (repl.isReplica) repl.promote(`user request from '${clientInfoLine(c, Date.now())}'`);
    c.reply.ok();
    return;
  }
  if (c.isReplica) throw new CommandError('ERR Command is not valid when client is a replica.');
  const port = toInt64(argv[2]);
  if (port === null || port < 0n || port > 65535n) throw new CommandError('ERR Invalid master port');
  const answer = repl.replicaOf(argv[1], Number(port), clientInfoLine(c, Date.now()));
  c.reply.simple(answer);
}

/** FAILOVER [TO host port [FORCE]] [ABORT] [TIMEOUT ms] (Redis's failoverCommand). */
function failover(c: Client, argv: string[]): void {
  const repl = c.server.replication;
  if (c.server.cluster !== null) throw new CommandError('ERR FAILOVER not allowed in cluster mode. Use CLUSTER FAILOVER command instead.');
  if (argv.length === 2 && argv[1].toLowerCase() === 'abort') {
    if (repl.failover === null) throw new CommandError('ERR No failover in progress.');
    repl.abortFailover('Failover manually aborted');
    c.reply.ok();
    return;
  }
  let timeout = 0;
  let force = false;
  let host: string | null = null;
  let port = 0;
  for (let j = 1; j < argv.length; j++) {
    const word = argv[j].toLowerCase();
    if (word === 'timeout' && j + 1 < argv.length && timeout === 0) {
      timeout = longArg(argv[j + 1]);
      if (timeout <= 0) throw new CommandError('ERR FAILOVER timeout must be greater than 0');
      j++;
    } else if (word === 'to' && j + 2 < argv.length && host === null) {
      port = longArg(argv[j + 2]);
      host = argv[j + 1];
      j += 2;
    } else if (word === 'force' && !force) {
      force = true;
    } else {
      throw new CommandError(SYNTAX);
    }
  }
  if (repl.failover !== null) throw new CommandError('ERR FAILOVER already in progress.');
  if (repl.isReplica) throw new CommandError('ERR FAILOVER is not valid when server is a replica.');
  if (repl.master.replicas.size === 0) throw new CommandError('ERR FAILOVER requires connected replicas.');
  if (force && (timeout === 0 || host === null)) throw new CommandError('ERR FAILOVER with force option requires both a timeout and target HOST and IP.');
  try {
    repl.startFailover(host, port, timeout, force);
  } catch (e) {
    throw new CommandError(`ERR ${(e as Error).message}`);
  }
  c.reply.ok();
}

/** ROLE: master with its online replicas, or replica with its link. */
function role(c: Client): void {
  c.server.replication.role(c.reply);
}

export const replicationCommands: CommandSpec[] = [
  {
    name: 'replconf', arity: -1, flags: ['admin', 'noscript', 'loading', 'stale', 'allow_busy'], acl: [],
    group: 'server', since: '3.0.0', summary: 'An internal command for configuring the replication stream.',
    complexity: 'O(1)', docFlags: ['syscmd'], handler: replconf,
  },
  {
    name: 'sync', arity: 1, flags: ['no_async_loading', 'admin', 'no_multi', 'noscript'], acl: [],
    group: 'server', since: '1.0.0', summary: 'An internal command used in replication.', handler: sync,
  },
  {
    name: 'psync', arity: -3, flags: ['no_async_loading', 'admin', 'no_multi', 'noscript'], acl: [],
    group: 'server', since: '2.8.0', summary: 'An internal command used in replication.',
    args: 'replicationid offset:integer', handler: sync,
  },
  {
    name: 'replicaof', arity: 3, flags: ['no_async_loading', 'admin', 'noscript', 'stale'], acl: [],
    group: 'server', since: '5.0.0', summary: 'Configures a server as replica of another, or promotes it to a master.',
    complexity: 'O(1)', args: 'args(host-port{host port:integer} | no-one{NO ONE})', handler: replicaof,
  },
  {
    name: 'slaveof', arity: 3, flags: ['no_async_loading', 'admin', 'noscript', 'stale'], acl: [],
    group: 'server', since: '1.0.0', summary: 'Sets a Redis server as a replica of another, or promotes it to being a master.',
    complexity: 'O(1)', args: 'args(host-port{host port:integer} | no-one{NO ONE})', docFlags: ['deprecated'],
    deprecatedSince: '5.0.0', replacedBy: '`REPLICAOF`', handler: replicaof,
  },
  {
    name: 'failover', arity: -1, flags: ['admin', 'noscript', 'stale'], acl: [],
    group: 'server', since: '6.2.0', summary: 'Starts a coordinated failover from a server to one of its replicas.',
    complexity: 'O(1)', args: '[TO target{host port:integer [FORCE]}] [ABORT] [TIMEOUT milliseconds:integer]', handler: failover,
  },
  {
    name: 'role', arity: 1, flags: ['noscript', 'loading', 'stale', 'fast', 'sentinel'], acl: ['admin', 'dangerous'],
    group: 'server', since: '2.8.12', summary: 'Returns the replication role.', complexity: 'O(1)', handler: role,
  },
];
