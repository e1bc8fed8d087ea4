import { CommandError } from '../../core/errors.js';
import type { Client } from '../client.js';
import type { CommandSpec } from '../command-types.js';

const DISABLED = 'ERR This instance has cluster support disabled';

/**
 * ASKING, READONLY and READWRITE as a cluster node runs them: each sets or
 * clears a client flag that routing reads. A standalone server answers as
 * Redis's does, that cluster support is disabled.
 */
const HANDLERS: Record<string, (c: Client) => void> = {
  asking(c) {
    // Run by EXEC, it covers nothing after the transaction, as Redis clears it once EXEC is done.
    c.asking = c.execing !== null ? 1 : 2;
  },
  readonly(c) {
    c.clusterReadOnly = true;
  },
  readwrite(c) {
    c.clusterReadOnly = false;
  },
};

function clusterOnly(set: (c: Client) => void): (c: Client) => void {
  return (c) => {
    if (c.server.clusterRouting === null) throw new CommandError(DISABLED);
    set(c);
    c.reply.ok();
  };
}

/**
 * The cluster commands' declarations (commands/cluster.ts, the standalone
 * server's) with cluster mode's handlers in place of ASKING's, READONLY's
 * and READWRITE's.
 */
export function withClientFlagCommands(specs: readonly CommandSpec[]): CommandSpec[] {
  return specs.map((spec) => {
    const set = HANDLERS[spec.name];
    return set === undefined ? spec : { ...spec, handler: clusterOnly(set) };
  });
}
