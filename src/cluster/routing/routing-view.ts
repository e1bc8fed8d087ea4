/**
 * What routing a command by its keys asks of the cluster's live state
 * (Redis's server.cluster as getNodeByQuery and clusterRedirectClient read
 * it). The cluster state implements it and the server holds it
 * (Server.clusterRouting) while cluster-enabled is yes. Nodes are named by
 * their 40-character node ids.
 */
export interface ClusterRoutingView {
  /** This node's id. */
  readonly myself: string;
  /** The node that serves `slot` (cluster->slots[slot]), or null when no node does. */
  slotOwner(slot: number): string | null;
  /** The node this node is moving `slot` to (CLUSTER SETSLOT … MIGRATING), or null. */
  migratingTo(slot: number): string | null;
  /** The node this node is taking `slot` from (CLUSTER SETSLOT … IMPORTING), or null. */
  importingFrom(slot: number): string | null;
  /**
   * Whether this node serves `slot` with nothing to decide: it owns the
   * slot and has no slot open (MIGRATING or IMPORTING). Routing answers
   * such a command without its full scan; it must be cheap.
   */
  servesSettled(slot: number): boolean;
  /** The master this node replicates, or null when it is a master: a READONLY client reads its master's slots here. */
  readonly myMaster: string | null;
  /**
   * Whether the cluster state is ok. The state folds in
   * cluster-require-full-coverage (an unserved slot fails the whole
   * cluster only when it is yes), so routing reads no other setting for it.
   */
  readonly stateOk: boolean;
  /** cluster-allow-reads-when-down: while the state is not ok, read-only commands are still served. */
  readonly allowReadsWhenDown: boolean;
  /** cluster-allow-pubsubshard-when-down: while the state is not ok, SPUBLISH, SSUBSCRIBE and SUNSUBSCRIBE are still served. */
  readonly allowPubsubshardWhenDown: boolean;
  /**
   * The `host:port` a MOVED or ASK names for `node`: its endpoint as
   * cluster-preferred-endpoint-type chooses it, and its TLS port when the
   * redirected client is on TLS (`tls`), its plain port otherwise.
   */
  redirectEndpoint(node: string, tls: boolean): string;
}
