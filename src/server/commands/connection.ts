import { CommandError, DB_INDEX_RANGE, SYNTAX } from '../../core/errors.js';
import { intArg } from '../../core/numbers.js';
import { toInt64 } from '../../codecs/integer-text.js';
import type { Client } from '../client.js';
import type { CommandSpec } from '../command-types.js';
import { REDIS_VERSION } from '../version.js';
import { discardTransaction, unwatchAll } from './transactions.js';

const WRONGPASS = 'WRONGPASS invalid username-password pair or user is disabled.';

/** Client names are printable ASCII without spaces (CLIENT SETNAME, HELLO SETNAME). */
export function validClientName(name: string): boolean {
  return /^[\x21-\x7e]*$/.test(name);
}

export const CLIENT_NAME_ERROR = 'ERR Client names cannot contain spaces, newlines or special characters.';

function ping(c: Client, argv: string[]): void {
  if (argv.length > 2) throw new CommandError(`ERR wrong number of arguments for 'ping' command`);
  if (c.pubsub !== null && c.reply.proto === 2) {
    // In RESP2 subscribed mode the answer takes a message's shape: [pong, argument or ""].
    c.reply.array(2);
    c.reply.bulk('pong');
    c.reply.bulk(argv.length === 2 ? argv[1] : '');
  } else if (argv.length === 2) {
    c.reply.bulk(argv[1]);
  } else {
    c.reply.simple('PONG');
  }
}

function echo(c: Client, argv: string[]): void {
  c.reply.bulk(argv[1]);
}

function select(c: Client, argv: string[]): void {
  const index = intArg(argv[1]);
  if (c.server.clusterRouting !== null && index !== 0) throw new CommandError('ERR SELECT is not allowed in cluster mode');
  if (index < 0 || index >= c.server.keyspace.dbs.length) throw new CommandError(DB_INDEX_RANGE);
  c.db = c.server.keyspace.db(index);
  c.reply.ok();
}

function swapdb(c: Client, argv: string[]): void {
  // A cluster node has database 0 only.
  if (c.server.clusterRouting !== null) throw new CommandError('ERR SWAPDB is not allowed in cluster mode');
  const a = toInt64(argv[1]);
  if (a === null) throw new CommandError('ERR invalid first DB index');
  const b = toInt64(argv[2]);
  if (b === null) throw new CommandError('ERR invalid second DB index');
  const count = BigInt(c.server.keyspace.dbs.length);
  if (a < 0n || a >= count || b < 0n || b >= count) throw new CommandError(DB_INDEX_RANGE);
  c.server.keyspace.swap(Number(a), Number(b));
  c.server.keyspace.dirty++;
  c.reply.ok();
}

function quit(c: Client): void {
  c.reply.ok();
  c.closeAfterReply = true;
}

function reset(c: Client): void {
  discardTransaction(c);
  unwatchAll(c);
  c.server.monitors.delete(c);
  c.monitor = false;
  c.server.broker.registry.removeAll(c);
  c.server.tracking.disable(c);
  c.db = c.server.keyspace.db(0);
  c.out.proto = 2;
  c.name = '';
  c.replyOff = c.replySkip = c.replySkipNext = false;
  c.noEvict = c.noTouch = false;
  c.asking = 0;
  c.clusterReadOnly = false;
  c.user = c.server.acl.defaultUser;
  c.setAuthenticated(c.server.acl.startsAuthenticated());
  c.reply.simple('RESET');
}

function auth(c: Client, argv: string[]): void {
  if (argv.length > 3) throw new CommandError(SYNTAX);
  const user = argv.length === 3 ? argv[1] : 'default';
  const pass = argv[argv.length - 1];
  if (argv.length === 2 && c.server.acl.defaultUser.nopass) {
    throw new CommandError(
      'ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?',
    );
  }
  if (!c.server.acl.authenticate(c, user, pass, argv[0], 'auth')) throw new CommandError(WRONGPASS);
  c.reply.ok();
}

function hello(c: Client, argv: string[]): void {
  let proto = c.reply.proto;
  let i = 1;
  if (argv.length >= 2) {
    const v = toInt64(argv[1]);
    if (v === null) throw new CommandError('ERR Protocol version is not an integer or out of range');
    if (v < 2n || v > 3n) throw new CommandError('NOPROTO unsupported protocol version');
    proto = Number(v) as 2 | 3;
    i = 2;
  }
  let creds: [string, string] | null = null;
  let name: string | null = null;
  for (; i < argv.length; i++) {
    const opt = argv[i].toLowerCase();
    if (opt === 'auth' && i + 2 < argv.length) {
      creds = [argv[i + 1], argv[i + 2]];
      i += 2;
    } else if (opt === 'setname' && i + 1 < argv.length) {
      name = argv[++i];
      if (!validClientName(name)) throw new CommandError(CLIENT_NAME_ERROR);
    } else {
      throw new CommandError(`ERR Syntax error in HELLO option '${argv[i]}'`);
    }
  }
  if (creds !== null) {
    if (!c.server.acl.authenticate(c, creds[0], creds[1], argv[0], 'hello')) throw new CommandError(WRONGPASS);
  }
  if (!c.authenticated) {
    throw new CommandError(
      'NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO <proto> AUTH <user> <pass> option can be used to authenticate the client and select the RESP protocol version at the same time',
    );
  }
  if (name !== null) c.name = name;
  c.out.proto = proto;
  const r = c.reply;
  r.map(7);
  r.bulk('server');
  r.bulk('redis');
  r.bulk('version');
  r.bulk(REDIS_VERSION);
  r.bulk('proto');
  r.integer(proto);
  r.bulk('id');
  r.integer(c.id);
  r.bulk('mode');
  r.bulk('standalone');
  r.bulk('role');
  r.bulk('master');
  r.bulk('modules');
  r.array(0);
}

const CONNECTION = { acl: ['connection'], group: 'connection', complexity: 'O(1)' } as const;
/** The flags of the commands a connection may run before it authenticates. */
const BEFORE_AUTH = ['noscript', 'loading', 'stale', 'fast', 'no_auth', 'allow_busy'] as const;

export const connectionCommands: CommandSpec[] = [
  {
    ...CONNECTION, name: 'ping', arity: -1, flags: ['fast'], traits: ['allowed-when-subscribed', 'keeps-no-argv'], args: '[message]',
    tips: ['request_policy:all_shards', 'response_policy:all_succeeded'], since: '1.0.0',
    summary: "Returns the server's liveliness response.", handler: ping,
  },
  {
    ...CONNECTION, name: 'echo', arity: 2, flags: ['loading', 'stale', 'fast'], traits: ['keeps-no-argv'], args: 'message', since: '1.0.0',
    summary: 'Returns the given string.', handler: echo,
  },
  {
    ...CONNECTION, name: 'select', arity: 2, flags: ['loading', 'stale', 'fast'], args: 'index:integer', since: '1.0.0',
    summary: 'Changes the selected database.', handler: select,
  },
  {
    name: 'swapdb', arity: 3, flags: ['write', 'fast'], acl: ['keyspace', 'dangerous'], group: 'server',
    args: 'index1:integer index2:integer', since: '4.0.0', summary: 'Swaps two Redis databases.',
    complexity: 'O(N) where N is the count of clients watching or blocking on keys from both databases.', handler: swapdb,
  },
  {
    ...CONNECTION, name: 'quit', arity: -1, flags: ['allow_busy', 'noscript', 'loading', 'stale', 'fast', 'no_auth'],
    traits: ['ends-transaction', 'allowed-when-subscribed'], since: '1.0.0', summary: 'Closes the connection.',
    docFlags: ['deprecated'], deprecatedSince: '7.2.0', replacedBy: 'just closing the connection', handler: quit,
  },
  {
    ...CONNECTION, name: 'reset', arity: 1, flags: BEFORE_AUTH, traits: ['ends-transaction', 'allowed-when-subscribed'],
    since: '6.2.0', summary: 'Resets the connection.', handler: reset,
  },
  {
    ...CONNECTION, name: 'auth', arity: -2, flags: BEFORE_AUTH, args: '[username @6.0.0] password',
    since: '1.0.0', history: [['6.0.0', 'Added ACL style (username and password).']],
    summary: 'Authenticates the connection.',
    complexity: 'O(N) where N is the number of passwords defined for the user', handler: auth,
  },
  {
    ...CONNECTION, name: 'hello', arity: -1, flags: BEFORE_AUTH,
    args: '[arguments{protover:integer [AUTH auth{username password}] [SETNAME clientname]}]', since: '6.0.0',
    history: [
      ['6.2.0', "`protover` made optional; when called without arguments the command reports the current connection's context."],
    ],
    summary: 'Handshakes with the Redis server.', handler: hello,
  },
];
