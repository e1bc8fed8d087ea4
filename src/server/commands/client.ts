import { CommandError, NOT_INTEGER, SYNTAX } from '../../core/errors.js';
import { toInt64 } from '../../codecs/integer-text.js';
import type { Client } from '../client.js';
import type { CommandSpec } from '../command-types.js';
import type { PauseState, Server } from '../server.js';
import { clientKill } from './client-kill.js';
import { clientInfoLine, clientType, clientTypeByName } from './client-list.js';
import { CLIENT_NAME_ERROR, validClientName } from './connection.js';
import { helpReply, subcommandSyntaxError } from '../../core/help.js';
import { trackingSubcommands } from '../tracking/tracking-commands.js';

/** setTimeout's longest delay; longer pauses re-arm the timer when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

function clientId(c: Client): void {
  c.reply.integer(c.id);
}

function clientInfo(c: Client, argv: string[]): void {
  if (c.execing === null) c.lastCommand = 'client|info';
  c.reply.verbatim(clientInfoLine(c, c.server.keyspace.now, argv) + '\n');
}

/** CLIENT LIST [TYPE type] | [ID id [id ...]]: one line per connection, in connection order. */
function clientList(c: Client, argv: string[]): void {
  const server = c.server;
  const now = server.keyspace.now;
  // Redis names the running command in its own line: it is already "last" while it runs.
  if (c.execing === null) c.lastCommand = 'client|list';
  const line = (x: Client) => clientInfoLine(x, now, x === c ? argv : null) + '\n';
  let out = '';
  if (argv.length === 4 && argv[2].toLowerCase() === 'type') {
    const type = clientTypeByName(argv[3]);
    if (type === null) throw new CommandError(`ERR Unknown client type '${argv[3]}'`);
    for (const x of server.clients.values()) if (clientType(x) === type) out += line(x);
  } else if (argv.length > 3 && argv[2].toLowerCase() === 'id') {
    const ids: number[] = [];
    for (let i = 3; i < argv.length; i++) {
      const id = toInt64(argv[i]);
      if (id === null) throw new CommandError('ERR Invalid client ID');
      ids.push(Number(id));
    }
    for (const id of ids) {
      const x = server.clients.get(id);
      if (x !== undefined) out += line(x);
    }
  } else if (argv.length !== 2) {
    throw new CommandError(SYNTAX);
  } else {
    for (const x of server.clients.values()) out += line(x);
  }
  c.reply.verbatim(out);
}

function clientSetname(c: Client, argv: string[]): void {
  if (!validClientName(argv[2])) throw new CommandError(CLIENT_NAME_ERROR);
  c.name = argv[2];
  c.reply.ok();
}

function clientGetname(c: Client): void {
  if (c.name === '') c.reply.nullBulk();
  else c.reply.bulk(c.name);
}

/** CLIENT SETINFO LIB-NAME|LIB-VER value; an empty value clears the attribute. */
function clientSetinfo(c: Client, argv: string[]): void {
  const attr = argv[2];
  const which = attr.toLowerCase();
  if (which !== 'lib-name' && which !== 'lib-ver') throw new CommandError(`ERR Unrecognized option '${attr}'`);
  const value = argv[3];
  if (!validClientName(value)) {
    throw new CommandError(`ERR ${attr} cannot contain spaces, newlines or special characters.`);
  }
  if (which === 'lib-name') c.libName = value;
  else c.libVer = value;
  c.reply.ok();
}

/** ON or OFF, case-insensitively; anything else is a syntax error. */
function onOff(arg: string): boolean {
  const v = arg.toLowerCase();
  if (v === 'on') return true;
  if (v === 'off') return false;
  throw new CommandError(SYNTAX);
}

function clientNoEvict(c: Client, argv: string[]): void {
  c.noEvict = onOff(argv[2]);
  c.reply.ok();
}

function clientNoTouch(c: Client, argv: string[]): void {
  c.noTouch = onOff(argv[2]);
  c.reply.ok();
}

/**
 * CLIENT REPLY ON|OFF|SKIP. OFF and SKIP write no reply of their own; the
 * dispatcher (applyReplyMode) drops the replies the mode suppresses.
 */
function clientReply(c: Client, argv: string[]): void {
  switch (argv[2].toLowerCase()) {
    case 'on':
      c.replyOff = false;
      c.replySkip = false;
      c.reply.ok();
      return;
    case 'off':
      c.replyOff = true;
      return;
    case 'skip':
      if (!c.replyOff) c.replySkipNext = true;
      return;
    default:
      throw new CommandError(SYNTAX);
  }
}

/** Redis's getTimeoutFromObjectOrReply in milliseconds: an absolute deadline, or 0 for none. */
function pauseDeadline(arg: string, now: number): number {
  const t = toInt64(arg);
  if (t === null) throw new CommandError('ERR timeout is not an integer or out of range');
  if (t < 0n) throw new CommandError('ERR timeout is negative');
  if (t === 0n) return 0;
  if (t > 2n ** 63n - 1n - BigInt(now)) throw new CommandError('ERR timeout is out of range');
  return Number(t) + now;
}

/**
 * Starts or extends CLIENT PAUSE. As in Redis 7.2 a new pause replaces the
 * mode and keeps the later of the two deadlines. While paused, keys do not
 * expire: reads see an expired key as gone but nothing deletes it, so the
 * dataset holds still (what a failover relies on).
 */
function pauseClients(server: Server, until: number, mode: PauseState['mode']): void {
  const now = Date.now();
  const current = server.pause;
  const end = current === null ? until : Math.max(current.until, until);
  if (current === null && end <= now) return;
  if (current !== null) clearTimeout(current.timer);
  server.pause = { until: end, mode, timer: pauseTimer(server, end - now) };
  server.keyspace.readOnlyExpiry = true;
}

function pauseTimer(server: Server, delay: number): NodeJS.Timeout {
  const timer = setTimeout(() => {
    const p = server.pause;
    if (p === null || p.timer !== timer) return;
    const left = p.until - Date.now();
    if (left > 0) p.timer = pauseTimer(server, left);
    else server.unpause();
  }, Math.min(Math.max(delay, 0), MAX_TIMER_MS));
  timer.unref();
  return timer;
}

/** CLIENT PAUSE timeout [WRITE|ALL] */
function clientPause(c: Client, argv: string[]): void {
  if (argv.length > 4) throw new CommandError(subcommandSyntaxError(argv));
  let mode: PauseState['mode'] = 'all';
  if (argv.length === 4) {
    const m = argv[3].toLowerCase();
    if (m === 'write') mode = 'write';
    else if (m !== 'all') throw new CommandError('ERR CLIENT PAUSE mode must be WRITE or ALL');
  }
  const now = c.server.keyspace.now;
  pauseClients(c.server, pauseDeadline(argv[2], now), mode);
  c.reply.ok();
}

/**
 * CLIENT UNBLOCK id [TIMEOUT|ERROR]: ends another client's blocking command
 * as its timeout would, or with an UNBLOCKED error. 1 if it was blocked.
 */
function clientUnblock(c: Client, argv: string[]): void {
  if (argv.length > 4) throw new CommandError(subcommandSyntaxError(argv));
  let error = false;
  if (argv.length === 4) {
    const reason = argv[3].toLowerCase();
    if (reason === 'error') error = true;
    else if (reason !== 'timeout') throw new CommandError('ERR CLIENT UNBLOCK reason should be TIMEOUT or ERROR');
  }
  const id = toInt64(argv[2]);
  if (id === null) throw new CommandError(NOT_INTEGER);
  const target = c.server.clients.get(Number(id));
  c.reply.integer(target !== undefined && c.server.blocking.unblockClient(target, error) ? 1 : 0);
}

function clientUnpause(c: Client): void {
  c.server.unpause();
  c.reply.ok();
}

/** Redis 7.2's CLIENT HELP, each entry shown only when Sluice has that subcommand. */
const HELP: [string, string[]][] = [
  ['caching', ['CACHING (YES|NO)', '    Enable/disable tracking of the keys for next command in OPTIN/OPTOUT modes.']],
  ['getredir', ['GETREDIR', '    Return the client ID we are redirecting to when tracking is enabled.']],
  ['getname', ['GETNAME', '    Return the name of the current connection.']],
  ['id', ['ID', '    Return the ID of the current connection.']],
  ['info', ['INFO', '    Return information about the current client connection.']],
  ['kill', [
    'KILL <ip:port>',
    '    Kill connection made from <ip:port>.',
    'KILL <option> <value> [<option> <value> [...]]',
    '    Kill connections. Options are:',
    '    * ADDR (<ip:port>|<unixsocket>:0)',
    '      Kill connections made from the specified address',
    '    * LADDR (<ip:port>|<unixsocket>:0)',
    '      Kill connections made to specified local address',
    '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '      Kill connections by type.',
    '    * USER <username>',
    '      Kill connections authenticated by <username>.',
    '    * SKIPME (YES|NO)',
    '      Skip killing current connection (default: yes).',
    '    * ID <client-id>',
    '      Kill connections by client id.',
    '    * MAXAGE <maxage>',
    '      Kill connections older than the specified age.',
  ]],
  ['list', [
    'LIST [options ...]',
    '    Return information about client connections. Options:',
    '    * TYPE (NORMAL|MASTER|REPLICA|PUBSUB)',
    '      Return clients of specified type.',
  ]],
  ['unpause', ['UNPAUSE', '    Stop the current client pause, resuming traffic.']],
  ['pause', ['PAUSE <timeout> [WRITE|ALL]', '    Suspend all, or just write, clients for <timeout> milliseconds.']],
  ['reply', ['REPLY (ON|OFF|SKIP)', '    Control the replies sent to the current connection.']],
  ['setname', ['SETNAME <name>', '    Assign the name <name> to the current connection.']],
  ['setinfo', [
    'SETINFO <option> <value>',
    '    Set client meta attr. Options are:',
    '    * LIB-NAME: the client lib name.',
    '    * LIB-VER: the client lib version.',
  ]],
  ['unblock', ['UNBLOCK <clientid> [TIMEOUT|ERROR]', '    Unblock the specified blocked client.']],
  ['tracking', [
    'TRACKING (ON|OFF) [REDIRECT <id>] [BCAST] [PREFIX <prefix> [...]]',
    '         [OPTIN] [OPTOUT] [NOLOOP]',
    '    Control server assisted client side caching.',
  ]],
  ['trackinginfo', ['TRACKINGINFO', '    Report tracking status for the current connection.']],
  ['no-evict', ['NO-EVICT (ON|OFF)', '    Protect current client connection from eviction.']],
  ['no-touch', ['NO-TOUCH (ON|OFF)', '    Will not touch LRU/LFU stats when this mode is on.']],
];

function clientHelp(c: Client, argv: string[]): void {
  const lines: string[] = [];
  for (const [sub, text] of HELP) if (c.server.commands.byFullName(`client|${sub}`) !== undefined) lines.push(...text);
  helpReply(c, argv, lines);
}

const CONNECTION = ['connection'] as const;
const SUB = { acl: CONNECTION, group: 'connection', complexity: 'O(1)' } as const;
const PLAIN = ['noscript', 'loading', 'stale'] as const;
const ADMIN = ['admin', 'noscript', 'loading', 'stale'] as const;
const ALL_CLIENTS = 'O(N) where N is the number of client connections';
const ALL_NODES = ['request_policy:all_nodes', 'response_policy:all_succeeded'];

export const clientCommands: CommandSpec[] = [
  {
    name: 'client', arity: -2, flags: [], acl: [], group: 'connection', since: '2.4.0',
    summary: 'A container for client connection commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      {
        ...SUB, name: 'getname', arity: 2, flags: PLAIN, since: '2.6.9', summary: 'Returns the name of the connection.',
        handler: clientGetname,
      },
      {
        ...SUB, name: 'help', arity: 2, flags: ['loading', 'stale'], since: '5.0.0',
        summary: 'Returns helpful text about the different subcommands.', handler: clientHelp,
      },
      {
        ...SUB, name: 'id', arity: 2, flags: PLAIN, since: '5.0.0', summary: 'Returns the unique client ID of the connection.',
        handler: clientId,
      },
      {
        ...SUB, name: 'info', arity: 2, flags: PLAIN, tips: ['nondeterministic_output'], since: '6.2.0',
        summary: 'Returns information about the connection.', handler: clientInfo,
      },
      {
        ...SUB, name: 'kill', arity: -3, flags: ADMIN,
        args: 'filter(old-format=ip:port !2.8.12 | new-format([ID client-id:integer @2.8.12] '
          + '| [TYPE client-type(NORMAL | MASTER @3.2.0 | SLAVE | REPLICA @5.0.0 | PUBSUB) @2.8.12] | [USER username] '
          + '| [ADDR addr=ip:port] | [LADDR laddr=ip:port @6.2.0] | [SKIPME skipme(YES | NO)])...)',
        since: '2.4.0',
        history: [
          ['2.8.12', 'Added new filter format.'],
          ['2.8.12', '`ID` option.'],
          ['3.2.0', 'Added `master` type in for `TYPE` option.'],
          ['5.0.0', 'Replaced `slave` `TYPE` with `replica`. `slave` still supported for backward compatibility.'],
          ['6.2.0', '`LADDR` option.'],
        ],
        summary: 'Terminates open connections.', complexity: ALL_CLIENTS, handler: clientKill,
      },
      {
        ...SUB, name: 'list', arity: -2, flags: ADMIN, tips: ['nondeterministic_output'],
        args: '[TYPE client-type(NORMAL | MASTER | REPLICA | PUBSUB) @5.0.0] [ID client-id:integer... @6.2.0]',
        since: '2.4.0',
        history: [
          ['2.8.12', 'Added unique client `id` field.'],
          ['5.0.0', 'Added optional `TYPE` filter.'],
          ['6.0.0', 'Added `user` field.'],
          ['6.2.0', 'Added `argv-mem`, `tot-mem`, `laddr` and `redir` fields and the optional `ID` filter.'],
          ['7.0.0', 'Added `resp`, `multi-mem`, `rbs` and `rbp` fields.'],
          ['7.0.3', 'Added `ssub` field.'],
        ],
        summary: 'Lists open connections.', complexity: ALL_CLIENTS, handler: clientList,
      },
      {
        ...SUB, name: 'no-evict', arity: 3, flags: ADMIN, args: 'enabled(ON | OFF)', since: '7.0.0',
        summary: 'Sets the client eviction mode of the connection.', handler: clientNoEvict,
      },
      {
        ...SUB, name: 'no-touch', arity: 3, flags: PLAIN, args: 'enabled(ON | OFF)', since: '7.2.0',
        summary: 'Controls whether commands sent by the client affect the LRU/LFU of accessed keys.',
        handler: clientNoTouch,
      },
      {
        ...SUB, name: 'pause', arity: -3, flags: ADMIN, args: 'timeout:integer [mode(WRITE | ALL) @6.2.0]',
        since: '3.0.0', history: [['6.2.0', '`CLIENT PAUSE WRITE` mode added along with the `mode` option.']],
        summary: 'Suspends commands processing.', handler: clientPause,
      },
      {
        ...SUB, name: 'reply', arity: 3, flags: PLAIN, args: 'action(ON | OFF | SKIP)', since: '3.2.0',
        summary: 'Instructs the server whether to reply to commands.', handler: clientReply,
      },
      {
        ...SUB, name: 'setinfo', arity: 4, flags: PLAIN, tips: ALL_NODES, args: 'attr(LIB-NAME libname | LIB-VER libver)',
        since: '7.2.0', summary: 'Sets information specific to the client or connection.', handler: clientSetinfo,
      },
      {
        // The tips are 7.2's (7.0 has none).
        ...SUB, name: 'setname', arity: 3, flags: PLAIN, tips: ALL_NODES, args: 'connection-name', since: '2.6.9',
        summary: 'Sets the connection name.', handler: clientSetname,
      },
      {
        ...SUB, name: 'unblock', arity: -3, flags: ADMIN, args: 'client-id:integer [unblock-type(TIMEOUT | ERROR)]',
        since: '5.0.0', summary: 'Unblocks a client blocked by a blocking command from a different connection.',
        complexity: 'O(log N) where N is the number of client connections', handler: clientUnblock,
      },
      {
        ...SUB, name: 'unpause', arity: 2, flags: ADMIN, since: '6.2.0',
        summary: 'Resumes processing commands from paused clients.',
        complexity: 'O(N) Where N is the number of paused clients', handler: clientUnpause,
      },
      ...trackingSubcommands,
    ],
  },
];
