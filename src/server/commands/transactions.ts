import { CommandError } from '../../core/errors.js';
import type { Client } from '../client.js';
import type { CommandSpec } from '../command-types.js';
import { unixMicros } from '../clock.js';

/** Leaves MULTI state, dropping what was queued. */
export function discardTransaction(c: Client): void {
  c.multi = null;
  c.multiFailed = false;
  c.multiCharge = 0;
}

export function unwatchAll(c: Client): void {
  for (const w of c.watchedKeys) w.db.unwatch(w);
  c.watchedKeys = [];
  c.casDirty = false;
}

/** Redis's isWatchedKeyExpired: a watched key not stale at WATCH time that is past its deadline now breaks the transaction. */
function watchedKeyExpired(c: Client): boolean {
  for (const w of c.watchedKeys) {
    if (!w.stale && w.db.isExpired(w.key)) return true;
  }
  return false;
}

function multi(c: Client): void {
  if (c.multi !== null) throw new CommandError('ERR MULTI calls can not be nested');
  c.multi = [];
  c.multiFailed = false;
  c.reply.ok();
}

function discard(c: Client): void {
  if (c.multi === null) throw new CommandError('ERR DISCARD without MULTI');
  discardTransaction(c);
  unwatchAll(c);
  c.reply.ok();
}

function exec(c: Client, argv: string[]): void {
  const queued = c.multi;
  if (queued === null) throw new CommandError('ERR EXEC without MULTI');
  const failed = c.multiFailed;
  discardTransaction(c);
  if (failed) {
    unwatchAll(c);
    throw new CommandError('EXECABORT Transaction discarded because of previous errors.');
  }
  if (c.casDirty || watchedKeyExpired(c)) {
    unwatchAll(c);
    c.reply.nullArray();
    return;
  }
  unwatchAll(c);
  const server = c.server;
  c.reply.array(queued.length);
  server.propagation.begin();
  c.denyBlocking = true;
  c.execStartedMicros = unixMicros();
  c.execing = { queued, argv };
  try {
    for (const { cmd, argv } of queued) {
      // Rules may have changed since the command was queued.
      const denied = c.user.unrestricted ? null : server.acl.execDenial(c, cmd, argv);
      if (denied === null) {
        server.dispatcher.call(c, cmd, argv);
      } else {
        c.reply.error(denied);
        server.stats.countError(c.reply.lastError);
        // EXEC fails for it, as in Redis, without counting the same error again.
        c.reply.lastErrorCounted = true;
      }
    }
  } finally {
    c.denyBlocking = false;
    c.execStartedMicros = -1;
    c.execing = null;
  }
  server.propagation.end();
  // The queued commands propagated their own effects; EXEC adds none of its own.
  c.propagateArgv = null;
}

function watch(c: Client, argv: string[]): void {
  if (c.multi !== null) throw new CommandError('ERR WATCH inside MULTI is not allowed');
  for (let i = 1; i < argv.length; i++) {
    const key = argv[i];
    if (c.watchedKeys.some((w) => w.db === c.db && w.key === key)) continue;
    c.watchedKeys.push(c.db.watch(key, c));
  }
  c.reply.ok();
}

function unwatch(c: Client): void {
  unwatchAll(c);
  c.reply.ok();
}

const TRANSACTION = { acl: ['transaction'], group: 'transactions' } as const;
const BUSY_OK = ['noscript', 'loading', 'stale', 'fast', 'allow_busy'] as const;

export const transactionCommands: CommandSpec[] = [
  {
    ...TRANSACTION, name: 'multi', arity: 1, flags: BUSY_OK, traits: ['not-queued'], since: '1.2.0',
    summary: 'Starts a transaction.', complexity: 'O(1)', handler: multi,
  },
  {
    ...TRANSACTION, name: 'exec', arity: 1, flags: ['noscript', 'loading', 'stale', 'skip_slowlog'],
    traits: ['ends-transaction'], since: '1.2.0', summary: 'Executes all commands in a transaction.',
    complexity: 'Depends on commands in the transaction', handler: exec,
  },
  {
    ...TRANSACTION, name: 'discard', arity: 1, flags: BUSY_OK, traits: ['ends-transaction'], since: '2.0.0',
    summary: 'Discards a transaction.', complexity: 'O(N), when N is the number of queued commands', handler: discard,
  },
  {
    ...TRANSACTION, name: 'watch', arity: -2, flags: BUSY_OK, traits: ['not-queued'],
    keySpecs: ['RO: index 1, range -1'], args: 'key:key...', since: '2.2.0',
    summary: 'Monitors changes to keys to determine the execution of a transaction.',
    complexity: 'O(1) for every key.', handler: watch,
  },
  {
    ...TRANSACTION, name: 'unwatch', arity: 1, flags: BUSY_OK, since: '2.2.0',
    summary: 'Forgets about watched keys of a transaction.', complexity: 'O(1)', handler: unwatch,
  },
];
