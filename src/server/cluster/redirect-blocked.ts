import { keyHashSlot } from '../../keyspace/key-slot.js';
import { redirectionError } from '../../cluster/routing/route.js';
import type { Client } from '../client.js';
import type { Server } from '../server.js';
import { onTls } from './router.js';

/**
 * Redis's clusterRedirectBlockedClientIfNeeded for every client blocked on
 * keys (BLPOP, BZPOPMIN, XREAD…; not WAIT): while the cluster is down, or
 * once the slot of its keys is served elsewhere and not being imported
 * here, its wait ends with the cluster error or a MOVED, since the write
 * that would serve it will not come here. Redis checks from its clients
 * cron; the cluster state calls this whenever slot ownership or the state
 * changes. Returns how many clients were redirected.
 */
export function redirectBlockedClients(server: Server): number {
  const view = server.clusterRouting;
  if (view === null || server.blocking.size === 0) return 0;
  const redirected: [Client, string][] = [];
  for (const c of server.clients.values()) {
    const blocked = c.blocked;
    if (blocked === null || blocked.db === null || blocked.keys.length === 0) continue;
    let error: string | null = null;
    if (!view.stateOk) {
      error = redirectionError('down', 0, null, view, false);
    } else {
      const slot = keyHashSlot(blocked.keys[0]);
      let node = view.slotOwner(slot);
      // A READONLY client's read of its master's slot is served by this replica.
      if (c.clusterReadOnly && !(blocked.cmd?.isWrite ?? false) && view.myMaster !== null && view.myMaster === node) node = view.myself;
      if (node !== view.myself && view.importingFrom(slot) === null) {
        error = node === null ? redirectionError('unbound', slot, null, view, false) : redirectionError('moved', slot, node, view, onTls(c));
      }
    }
    if (error !== null) redirected.push([c, error]);
  }
  // Collected first: waking a client may run others' commands, which must not change the walk.
  for (const [c, error] of redirected) {
    if (c.blocked !== null) server.blocking.wake(c, () => c.reply.error(error), true);
  }
  return redirected.length;
}
