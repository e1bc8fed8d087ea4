import { TLSSocket } from 'node:tls';
import { QueryRouter } from '../../cluster/routing/query-router.js';
import type { ClusterRoutingView } from '../../cluster/routing/routing-view.js';
import type { Client } from '../client.js';
import type { Server } from '../server.js';

/**
 * The router for the server's cluster view, made once per view and kept
 * on the server, which asks for it on every command: keys are looked up in
 * database 0, writes judged as Redis's getCommandFlags.
 */
export function routerFor(server: Server, view: ClusterRoutingView): QueryRouter {
  const kept = server.clusterRouter;
  if (kept !== null && kept.view === view) return kept;
  const db = server.keyspace.db(0);
  const router = new QueryRouter(view, {
    keyExists: (key) => db.dict.has(key) && !db.isExpired(key),
    writes: (cmd, argv) => (cmd.runsScript ? server.scripting.declaresWrites(cmd.fullName, argv) ?? cmd.isWrite : cmd.isWrite),
  });
  server.clusterRouter = router;
  return router;
}

/** Redis's mustObeyClient: its master's stream and the AOF being loaded (the loader's client has id 0) are never redirected. */
export function obeysUnconditionally(c: Client): boolean {
  return c.fromMaster || c.id === 0;
}

/** Whether a redirection names TLS ports: the client's connection is TLS. */
export function onTls(c: Client): boolean {
  return c.conn !== null && c.conn.socket instanceof TLSSocket;
}
