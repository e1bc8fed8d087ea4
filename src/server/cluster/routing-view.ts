import type { Cluster } from '../../cluster/cluster.js';
import type { ClusterRoutingView } from '../../cluster/routing/routing-view.js';

/**
 * The routing view of a running cluster node: what the dispatcher's
 * redirections read, answered from the live state each time (CLUSTER RESET
 * HARD renames myself; failovers change masters and owners).
 */
export function routingView(cluster: Cluster): ClusterRoutingView {
  return {
    get myself() {
      return cluster.myself.name;
    },
    slotOwner: (slot) => cluster.slotOwner(slot),
    migratingTo: (slot) => cluster.migratingTo(slot),
    importingFrom: (slot) => cluster.importingFrom(slot),
    servesSettled: (slot) => cluster.servesSettled(slot),
    get myMaster() {
      return cluster.masterName;
    },
    get stateOk() {
      return cluster.stateOk;
    },
    get allowReadsWhenDown() {
      return cluster.allowReadsWhenDown;
    },
    get allowPubsubshardWhenDown() {
      return cluster.allowPubsubshardWhenDown;
    },
    // The owner of a slot is always in the table; an unknown name would be a node deleted this very turn.
    redirectEndpoint: (node, tls) => cluster.redirectionTarget(node, tls) ?? ':0',
  };
}
