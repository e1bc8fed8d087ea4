import { corruptedConfigMessage } from '../node-table/nodes-conf-error.js';
import { readNodesConf } from '../node-table/nodes-conf-read.js';
import type { ClusterHost } from './cluster-host.js';
import { ClusterState } from './cluster-state.js';

/** The node cannot start with this configuration: the message is Redis's, logged before it exits. */
export class ClusterStartError extends Error {}

/**
 * clusterInit's configuration step: nodes.conf read, or, when there is
 * none, a new node with a new name and shard id, saved at once. A damaged
 * file stops the server with Redis's message.
 */
export function loadClusterState(host: ClusterHost): ClusterState {
  let text: string | null;
  try {
    text = host.readConfig();
  } catch (e) {
    throw new ClusterStartError(`Loading the cluster node config from ${e instanceof Error ? e.message : String(e)}`);
  }
  const read = text === null ? null : readNodesConf(text, { tlsCluster: host.settings().tlsCluster });
  if (read !== null && !read.ok) {
    host.log.verbose(`nodes.conf line ${read.error.line}: ${read.error.reason}`);
    throw new ClusterStartError(corruptedConfigMessage(read.error));
  }
  if (read === null || read.table === null) {
    const state = ClusterState.fresh(host);
    host.log.notice(`No cluster configuration found, I'm ${state.myself.name}`);
    state.saveConfigOrDie();
    return state;
  }
  const state = new ClusterState(host, read.table);
  // As Redis, a loaded node forgets the times and link states it wrote: they were facts of the process before.
  for (const node of state.nodes) {
    node.linkConnected = false;
    if (node.pingSent !== 0) node.pingSent = host.now();
    if (node.pongReceived !== 0) node.pongReceived = host.now();
  }
  host.log.notice(`Node configuration loaded, I'm ${state.myself.name}`);
  return state;
}
