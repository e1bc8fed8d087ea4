import type { Ctx } from '../../core/context.js';
import type { CommandSpec } from '../../core/command.js';
import { CommandError, SYNTAX } from '../../core/errors.js';

/** FLUSHDB/FLUSHALL take an optional ASYNC or SYNC; both free synchronously here. */
function checkFlushMode(argv: string[]): void {
  if (argv.length > 2) throw new CommandError(SYNTAX);
  if (argv.length === 2 && !/^(a?sync)$/i.test(argv[1])) throw new CommandError(SYNTAX);
}

function flushdb(c: Ctx, argv: string[]): void {
  checkFlushMode(argv);
  c.keyspace.flushDb(c.db.index);
  // Counted even when empty so the flush always propagates, as in Redis.
  c.keyspace.dirty++;
  c.reply.ok();
}

function flushall(c: Ctx, argv: string[]): void {
  checkFlushMode(argv);
  c.keyspace.flushAll();
  c.keyspace.dirty++;
  // After the count, so that the save it may make leaves no change unsaved (rdb_changes_since_last_save:0), as in Redis.
  c.keyspace.listener.flushedAll();
  c.reply.ok();
}

function dbsize(c: Ctx): void {
  c.reply.integer(c.db.size);
}

const FLUSH = {
  arity: -1, flags: ['write'], acl: ['keyspace', 'dangerous'], group: 'server',
  tips: ['request_policy:all_shards', 'response_policy:all_succeeded'], args: '[flush-type(ASYNC @4.0.0 | SYNC @6.2.0)]',
  history: [['4.0.0', 'Added the `ASYNC` flushing mode modifier.'], ['6.2.0', 'Added the `SYNC` flushing mode modifier.']],
} as const;

export const flushCommands: CommandSpec[] = [
  {
    ...FLUSH, name: 'flushdb', since: '1.0.0', summary: 'Remove all keys from the current database.',
    complexity: 'O(N) where N is the number of keys in the selected database', handler: flushdb,
  },
  {
    ...FLUSH, name: 'flushall', since: '1.0.0', summary: 'Removes all keys from all databases.',
    complexity: 'O(N) where N is the total number of keys in all databases', handler: flushall,
  },
  {
    name: 'dbsize', arity: 1, flags: ['readonly', 'fast'], acl: ['keyspace'], group: 'server',
    tips: ['request_policy:all_shards', 'response_policy:agg_sum'], since: '1.0.0',
    summary: 'Returns the number of keys in the database.', complexity: 'O(1)', handler: dbsize,
  },
];
