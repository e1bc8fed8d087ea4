import { redirectionError } from '../../cluster/routing/route.js';
import type { ClusterRoutingView } from '../../cluster/routing/routing-view.js';
import type { Client } from '../client.js';
import type { Command } from '../command-types.js';
import { discardTransaction, unwatchAll } from '../commands/transactions.js';
import type { Server } from '../server.js';
import { obeysUnconditionally, onTls, routerFor } from './router.js';

/**
 * processCommand's cluster redirection, after the ACL check: a command
 * with keys (or EXEC, routed by its transaction) that this node does not
 * serve is answered with the redirection or cluster error instead of
 * running. A redirected EXEC discards its transaction; any other command
 * dooms the open one, as a refused command does. True when redirected.
 * Sets the client's slot (Redis's c->slot), which its scripts' keys keep to.
 */
export function clusterRedirected(server: Server, view: ClusterRoutingView, c: Client, cmd: Command, argv: string[]): boolean {
  c.slot = -1;
  if (obeysUnconditionally(c)) return false;
  const exec = cmd.fullName === 'exec';
  if (!exec && !cmd.movableKeys && cmd.keySpecs.length === 0) return false;
  const router = routerFor(server, view);
  const route = router.route(cmd, argv, c.multi, c.asking !== 0, c.clusterReadOnly);
  if (route === 'here') {
    c.slot = router.slot;
    return false;
  }
  if (exec) {
    discardTransaction(c);
    unwatchAll(c);
  } else if (c.multi !== null) {
    c.multiFailed = true;
  }
  c.reply.error(redirectionError(route, router.slot, router.node, view, onTls(c)));
  cmd.stats.rejectedCalls++;
  server.stats.countError(c.reply.lastError);
  return true;
}
