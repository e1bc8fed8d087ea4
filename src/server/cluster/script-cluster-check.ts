import type { Client } from '../client.js';
import type { Command } from '../command-types.js';
import type { Server } from '../server.js';
import { obeysUnconditionally, routerFor } from './router.js';

/**
 * Redis's scriptVerifyClusterState: a command a script calls is routed as
 * if its caller had sent it (with the caller's READONLY and ASKING); one
 * this node would not serve is refused, and, unless the script allows
 * cross-slot keys, so is one whose keys hash to another slot than the
 * caller's command or the script's earlier calls did.
 */
export function scriptClusterDenial(server: Server, caller: Client, cmd: Command, argv: string[], allowCrossSlot: boolean): string | null {
  const view = server.clusterRouting;
  if (view === null || obeysUnconditionally(caller)) return null;
  const router = routerFor(server, view);
  const route = router.route(cmd, argv, null, caller.asking !== 0, caller.clusterReadOnly);
  if (route === 'down-readonly') return 'ERR Script attempted to execute a write command while the cluster is down and readonly';
  if (route === 'down') return 'ERR Script attempted to execute a command while the cluster is down';
  if (route !== 'here') return 'ERR Script attempted to access a non local key in a cluster node';
  if (router.slot !== -1 && !allowCrossSlot) {
    if (caller.slot === -1) caller.slot = router.slot;
    else if (caller.slot !== router.slot) return 'ERR Script attempted to access keys that do not hash to the same slot';
  }
  return null;
}
