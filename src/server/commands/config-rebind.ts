import type { Client } from '../client.js';
import { bindFailure } from '../listen-error.js';

/** The parameters whose change makes the server listen again, with Redis's reason when it cannot. */
const REBIND_FAILURE: ReadonlyMap<string, string> = new Map([
  ['port', 'Unable to listen on this port. Check server logs.'],
  ['bind', 'Failed to bind to specified addresses.'],
  ['tls-port', 'Unable to listen on this port. Check server logs.'],
  ['metrics-port', 'Unable to listen on this port. Check server logs.'],
  ['console-port', 'Unable to listen on this port. Check server logs.'],
]);

/** Whether a CONFIG SET of these names may make a listening server bind again (so their old values are kept). */
export function mayRebind(c: Client, names: readonly string[]): boolean {
  return c.server.listening && names.some((n) => REBIND_FAILURE.has(c.server.config.def(n)?.name ?? ''));
}

/** What a CONFIG SET makes listen again: the first parameter responsible (for the error), the client ports, the metrics endpoint, the console. */
export interface Rebinding {
  name: string;
  clients: boolean;
  metrics: boolean;
  console: boolean;
}

/**
 * After the values are set: what the call makes the server bind again
 * (bind always does; a port when it changed, as Redis applies only a
 * changed number), or null.
 */
export function rebindingOf(c: Client, before: readonly [string, string][]): Rebinding | null {
  const config = c.server.config;
  let rebinding: Rebinding | null = null;
  for (const [name, old] of before) {
    const changed = config.settable(config.def(name)!) !== old;
    const clients = name === 'bind' || ((name === 'port' || name === 'tls-port') && changed);
    const metrics = name === 'metrics-port' && changed;
    const web = name === 'console-port' && changed;
    if (!clients && !metrics && !web) continue;
    rebinding ??= { name, clients: false, metrics: false, console: false };
    rebinding.clients ||= clients;
    rebinding.metrics ||= metrics;
    rebinding.console ||= web;
  }
  return rebinding;
}

/**
 * What CONFIG SET's parameters held before it, in a form that sets them
 * again (a parameter named twice, by its name and its alias, once).
 */
export function valuesBefore(c: Client, names: readonly string[]): [string, string][] {
  const config = c.server.config;
  const before = new Map<string, string>();
  for (const n of names) {
    const def = config.def(n);
    if (def !== undefined && !before.has(def.name)) before.set(def.name, config.settable(def));
  }
  return [...before];
}

/**
 * Redis's apply step for port and bind (and Sluice's metrics-port and console-port), which Node can only do
 * asynchronously: the client waits (as a blocked client) until the sockets
 * are bound, then gets OK; when they cannot be, every parameter of the call
 * gets its old value back, the server listens as before, and the client
 * gets Redis's error. Inside MULTI, where nothing may wait, the reply is OK
 * at once and a failure is only logged.
 */
export function rebindThenReply(c: Client, rebinding: Rebinding, before: [string, string][]): void {
  const server = c.server;
  const { name, clients, metrics, console: web } = rebinding;
  const outcome = server.rebind(clients, metrics, web).then(
    () => null,
    async (e: Error) => {
      server.log.warning(bindFailure(e) ?? `Warning: Could not create server TCP listening socket: ${e.message}`);
      server.log.warning(`Failed applying new configuration. Possibly related to new ${name} setting. Restoring previous settings.`);
      server.config.setMany(before, { startup: true });
      await server.rebind(clients, metrics, web).catch((again: Error) => server.log.warning(`Failed applying restored failed CONFIG SET command: ${again.message}`));
      return `ERR CONFIG SET failed (possibly related to argument '${name}') - ${REBIND_FAILURE.get(name)}`;
    },
  );
  if (c.denyBlocking) {
    c.reply.ok();
    return;
  }
  let failure: string | null = null;
  server.blocking.block(c, 0, (client) => {
    if (failure === null) {
      client.reply.ok();
    } else {
      client.reply.error(failure);
      server.stats.countError(failure);
    }
  });
  void outcome.then((reason) => {
    failure = reason;
    server.blocking.unblockClient(c, false);
  });
}
