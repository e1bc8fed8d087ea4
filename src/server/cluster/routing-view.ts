import type { Cluster } from '../../cluster/cluster.js';
import { withAccessors } from '../../core/accessors.js';
import type { ClusterRoutingView } from '../../cluster/routing/routing-view.js';

/**
 * The routing view of a running cluster node: what the dispatcher's
 * redirections read, answered from the live state each time (CLUSTER RESET
 * HARD renames myself; failovers change masters and owners).
 */
export function routingView(cluster: Cluster): ClusterRoutingView {
  type Live = 'myself' | 'myMaster' | 'stateOk' | 'allowReadsWhenDown' | 'allowPubsubshardWhenDown';
  const view: Omit<ClusterRoutingView, Live> = {
    slotOwner: (slot) => cluster.slotOwner(slot),
    migratingTo: (slot) => cluster.migratingTo(slot),
    importingFrom: (slot) => cluster.importingFrom(slot),
    servesSettled: (slot) => cluster.servesSettled(slot),
    // The owner of a slot is always in the table; an unknown name would be a node deleted this very turn.
    redirectEndpoint: (node, tls) => cluster.redirectionTarget(node, tls) ?? ':0',
  };
  return withAccessors(view, {
    myself: { get: () => cluster.myself.name },
    myMaster: { get: () => cluster.masterName },
    stateOk: { get: () => cluster.stateOk },
    allowReadsWhenDown: { get: () => cluster.allowReadsWhenDown },
    allowPubsubshardWhenDown: { get: () => cluster.allowPubsubshardWhenDown },
  });
}
