import type { ClusterState } from './cluster-state.js';
import { failed, inHandshake, isMaster, isSlave, timedOut, type LiveNode } from './live-node.js';

/**
 * How long a master must stay orphaned before a replica migrates to it
 * (CLUSTER_SLAVE_MIGRATION_DELAY), in ms: time for the replicas of a master
 * that just failed over to announce that they follow the new one.
 */
export const REPLICA_MIGRATION_DELAY = 5000;

/** A master's replicas not in FAIL (clusterCountNonFailingSlaves): PFAIL ones still count. */
export function workingReplicas(state: ClusterState, master: LiveNode): number {
  let ok = 0;
  for (const replica of state.replicasOf(master)) if (!failed(replica)) ok++;
  return ok;
}

/** A master that once had replicas, serves slots, is up, and has no working replica left. */
function orphaned(state: ClusterState, node: LiveNode): boolean {
  return isMaster(node) && !failed(node) && node.migrateTo && workingReplicas(state, node) === 0;
}

/**
 * Replica migration, from the cron (clusterCron's orphaned-master count
 * and clusterHandleSlaveMigration): a replica of one of the masters with
 * the most working replicas (at least two) moves to a master left with
 * none, if its own master keeps more than cluster-migration-barrier
 * working replicas without it, the cluster is ok, the orphan has been one
 * for REPLICA_MIGRATION_DELAY, and it is the replica with the smallest
 * name among those masters' replicas, so that one replica moves.
 *
 * Redis's orphan clock starts and stops only while a migration is being
 * considered; here a master that is no longer orphaned also has its clock
 * stopped by the count, so an old orphan time never cuts the delay short.
 */
export function migrateReplicaIfNeeded(state: ClusterState): void {
  const myself = state.myself;
  if (!isSlave(myself)) return;
  let orphans = 0;
  let maxReplicas = 0;
  let myMasterReplicas = 0;
  for (const node of state.nodes) {
    if (!orphaned(state, node)) node.orphanedTime = 0;
    if (node === myself || node.flags.has('noaddr') || inHandshake(node)) continue;
    if (!isMaster(node) || failed(node)) continue;
    const ok = workingReplicas(state, node);
    if (ok === 0 && node.numSlots > 0 && node.migrateTo) orphans++;
    if (ok > maxReplicas) maxReplicas = ok;
    if (myself.master === node.name) myMasterReplicas = ok;
  }
  // Migrating makes sense only when some master has two working replicas and mine is one of those with the most.
  if (orphans === 0 || maxReplicas < 2 || myMasterReplicas !== maxReplicas) return;
  if (!state.host.settings().allowReplicaMigration) return;
  considerMigration(state, maxReplicas);
}

/** clusterHandleSlaveMigration: the checks, the election of the replica that moves, and the move. */
function considerMigration(state: ClusterState, maxReplicas: number): void {
  const myself = state.myself;
  if (state.state !== 'ok') return;
  const myMaster = myself.master === null ? undefined : state.lookup(myself.master);
  if (myMaster === undefined) return;
  // My master must be left with at least the barrier's number of replicas that are neither FAIL nor PFAIL.
  let healthy = 0;
  for (const replica of state.replicasOf(myMaster)) if (!failed(replica) && !timedOut(replica)) healthy++;
  if (healthy <= state.host.settings().migrationBarrier) return;

  const now = state.host.now();
  let target: LiveNode | null = null;
  let candidate: LiveNode = myself;
  for (const node of state.nodes) {
    if (orphaned(state, node)) {
      if (target === null && node.numSlots > 0) target = node;
      if (node.orphanedTime === 0) node.orphanedTime = now;
    } else {
      node.orphanedTime = 0;
    }
    // Among the replicas of the masters with the most working replicas (failing ones included, as Redis
    // lists them), the one with the smallest name moves.
    if (isMaster(node) && workingReplicas(state, node) === maxReplicas) {
      for (const replica of state.replicasOf(node)) if (replica.name < candidate.name) candidate = replica;
    }
  }
  if (target === null || candidate !== myself || now - target.orphanedTime <= REPLICA_MIGRATION_DELAY) return;
  state.host.log.notice(`Migrating to orphaned master ${target.name}`);
  state.setMyMaster(target);
  state.later({ saveConfig: true, updateState: true });
}
