import { withAccessors } from '../core/accessors.js';
import type { ScriptHost } from '../scripting/host.js';
import { checkCommand } from './acl/permission-check.js';
import { BusyPoll } from './busy-poll.js';
import { scriptClusterDenial } from './cluster/script-cluster-check.js';
import type { Client } from './client.js';
import type { Command } from './command-types.js';
import type { Server } from './server.js';

/**
 * The server's side of scripting: commands a script calls run through the
 * dispatcher as `client()`, the script's own client (Redis's Lua client),
 * which replies into the scripting sink and may not block.
 */
export function scriptHost(server: Server, client: () => Client): ScriptHost {
  const busy = new BusyPoll(server);
  const host: Omit<ScriptHost, 'log'> = {
    lookup: (argv) => server.dispatcher.lookup(argv),
    call(cmd, argv, targets) {
      const propagation = server.propagation;
      const outer = propagation.targets;
      propagation.targets = outer & targets;
      // The stamp is where the script's previous call ended: a command a script calls is timed from its own start, as Redis times it, not charged with the script's work before it.
      server.dispatcher.stamp = performance.now();
      server.dispatcher.call(client(), cmd as unknown as Command, argv);
      propagation.targets = outer;
    },
    aclDenial(caller, cmd, argv) {
      const c = caller as Client;
      if (c.user.unrestricted) return null;
      const denied = server.acl.deny(c, cmd as unknown as Command, argv, 'lua');
      return denied === null ? null : `ERR ACL failure in script: ${denied}`;
    },
    aclAllows(caller, cmd, argv) {
      const c = caller as Client;
      return c.user.unrestricted || checkCommand(c.user, cmd as unknown as Command, argv) === null;
    },
    clusterMode: () => server.clusterRouting !== null,
    clusterDenial: (caller, cmd, argv, allowCrossSlot) => scriptClusterDenial(server, caller as Client, cmd as unknown as Command, argv, allowCrossSlot),
    rejected(cmd, error) {
      if (cmd !== undefined) cmd.stats.rejectedCalls++;
      server.stats.countError(error);
    },
    enter(caller) {
      // Redis's scriptPrepareForRun: the script's client runs in its caller's database, as its caller's user.
      const c = client();
      const from = caller as Client;
      c.db = from.db;
      c.user = from.user;
      c.actsForNoUser = from.actsForNoUser;
    },
    now: () => server.dispatcher.stamp,
    overMemory: () => server.memoryLimit !== null && server.memoryLimit.overLimit(),
    writeRefusal: () => server.persistence.writeRefusal,
    replicasShort: () => server.replicasShort,
    runningStale: () => server.replication.runningStale,
    readOnlyReplicaFor: (caller) => server.replication.readOnlyFor(caller as Client) && !server.loading,
    whileBusy: (caller) => busy.serve(caller),
    discardEffects: () => server.propagation.discardPending(),
    busyEnded: () => busy.reset(),
    feedMonitors(caller, argv) {
      if (server.monitors.size !== 0) server.feedMonitors(caller as Client, argv);
    },
  };
  return withAccessors(host, { log: { get: () => server.log } });
}
