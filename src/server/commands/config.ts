import { aclFileText } from '../acl/acl-file.js';
import { strerror } from '../../persistence/io.js';
import { CommandError, SYNTAX } from '../../core/errors.js';
import type { Client } from '../client.js';
import type { CommandSpec } from '../command-types.js';
import { rewriteConfigFile } from '../config-rewrite.js';
import { mayRebind, rebindingOf, rebindThenReply, valuesBefore } from './config-rebind.js';
import { allowsProtectedAction } from '../protected-actions.js';
import { helpReply } from '../../core/help.js';

function configGet(c: Client, argv: string[]): void {
  const pairs = c.server.config.lookup(argv.slice(2));
  c.reply.map(pairs.length);
  for (const [name, value] of pairs) {
    c.reply.bulk(name);
    c.reply.bulk(value);
  }
}

function configSet(c: Client, argv: string[]): void {
  if (argv.length % 2 !== 0) throw new CommandError(SYNTAX);
  const pairs: [string, string][] = [];
  for (let i = 2; i < argv.length; i += 2) pairs.push([argv[i], argv[i + 1]]);
  const config = c.server.config;
  const names = pairs.map(([name]) => name);
  const before = mayRebind(c, names) ? valuesBefore(c, names) : [];
  const err = config.setMany(pairs, {
    allowProtected: allowsProtectedAction(config.str('enable-protected-configs'), c),
    loading: c.server.loading || c.server.asyncLoading,
  });
  if (err !== null) throw new CommandError(err);
  const rebinding = rebindingOf(c, before);
  if (rebinding !== null) rebindThenReply(c, rebinding, before);
  else c.reply.ok();
}

/** Resets what INFO counts: server, keyspace, command and error statistics. */
function configResetstat(c: Client): void {
  const server = c.server;
  server.stats.reset();
  server.acl.log.resetCounters();
  const ks = server.keyspace.stats;
  ks.hits = ks.misses = ks.expiredKeys = ks.activeExpired = ks.activeSampled = 0;
  server.memory.resetStats();
  server.replication.resetStats();
  for (const cmd of server.commands.all()) {
    const s = cmd.stats;
    s.calls = s.usec = s.rejectedCalls = s.failedCalls = 0;
    s.histogram = null;
  }
  c.reply.ok();
}

function configRewrite(c: Client): void {
  const server = c.server;
  const file = server.configFile;
  if (file === null) throw new CommandError('ERR The server is running without a config file');
  let leftOut: string[];
  try {
    leftOut = rewriteConfigFile(file, server.config, server.config.str('aclfile') === '' ? aclFileText(server.acl).split('\n').slice(0, -1) : []);
  } catch (e) {
    const reason = strerror(e);
    server.log.warning(`CONFIG REWRITE failed: ${reason}`);
    throw new CommandError(`ERR Rewriting config file: ${reason}`);
  }
  for (const line of leftOut) {
    const name = line.slice(0, line.indexOf(' '));
    server.log.warning(
      `CONFIG REWRITE left '${line}' out of ${file}: ${name} is Sluice's own, and redis-server refuses a file that sets it. ` +
        `Give it on the command line (--${line}), or add the line to the file: CONFIG REWRITE keeps a line that is there up to date.`,
    );
  }
  server.log.warning('CONFIG REWRITE executed with success.');
  c.reply.ok();
}

const HELP = [
  'GET <pattern>',
  '    Return parameters matching the glob-like <pattern> and their values.',
  'SET <directive> <value>',
  '    Set the configuration <directive> to <value>.',
  'RESETSTAT',
  '    Reset statistics reported by the INFO command.',
  'REWRITE',
  '    Rewrite the configuration file.',
];

const ADMIN = ['admin', 'noscript', 'loading', 'stale'] as const;
/** Tips of the subcommands that change a server's state (RESETSTAT and REWRITE carry them since 7.2). */
const ALL_NODES = ['request_policy:all_nodes', 'response_policy:all_succeeded'];

export const configCommands: CommandSpec[] = [
  {
    name: 'config', arity: -2, flags: [], acl: [], group: 'server', since: '2.0.0',
    summary: 'A container for server configuration commands.', complexity: 'Depends on subcommand.',
    subcommands: [
      {
        name: 'get', arity: -3, flags: ADMIN, acl: [], group: 'server', args: 'parameter...', since: '2.0.0',
        history: [['7.0.0', 'Added the ability to pass multiple pattern parameters in one call']],
        summary: 'Returns the effective values of configuration parameters.',
        complexity: 'O(N) when N is the number of configuration parameters provided', handler: configGet,
      },
      {
        name: 'set', arity: -4, flags: ADMIN, acl: [], group: 'server', args: 'data{parameter value}...', since: '2.0.0',
        history: [['7.0.0', 'Added the ability to set multiple parameters in one call.']],
        summary: 'Sets configuration parameters in-flight.',
        complexity: 'O(N) when N is the number of configuration parameters provided',
        tips: ALL_NODES, handler: configSet,
      },
      {
        name: 'resetstat', arity: 2, flags: ADMIN, acl: [], group: 'server', since: '2.0.0',
        summary: "Resets the server's statistics.", complexity: 'O(1)', tips: ALL_NODES, handler: configResetstat,
      },
      {
        name: 'rewrite', arity: 2, flags: ADMIN, acl: [], group: 'server', since: '2.8.0',
        summary: 'Persists the effective configuration to file.', complexity: 'O(1)', tips: ALL_NODES,
        handler: configRewrite,
      },
      {
        name: 'help', arity: 2, flags: ['loading', 'stale'], acl: [], group: 'server', since: '5.0.0',
        summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)',
        handler: (c, argv) => helpReply(c, argv, HELP),
      },
    ],
  },
];
