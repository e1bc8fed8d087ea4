import type { Cluster } from './cluster.js';
import { isSlave } from './state/live-node.js';
import { STAT_NAMES } from './state/message-stats.js';

/** CLUSTER INFO as genClusterInfoString writes it: counters of a type never sent or received are left out. */
export function clusterInfoText(cluster: Cluster): string {
  const state = cluster.state;
  const myself = state.myself;
  const health = cluster.slotHealth();
  const master = isSlave(myself) && myself.master !== null ? state.lookup(myself.master) : undefined;
  const myEpoch = master !== undefined ? master.configEpoch : myself.configEpoch;
  const lines = [
    `cluster_state:${state.state}`,
    `cluster_slots_assigned:${health.assigned}`,
    `cluster_slots_ok:${health.ok}`,
    `cluster_slots_pfail:${health.pfail}`,
    `cluster_slots_fail:${health.fail}`,
    `cluster_known_nodes:${state.nodes.length}`,
    `cluster_size:${state.size}`,
    `cluster_current_epoch:${state.currentEpoch}`,
    `cluster_my_epoch:${myEpoch}`,
  ];
  const { sent, received, linksBufferLimitExceeded } = state.stats;
  const counters = (counts: number[], direction: string) => {
    let total = 0;
    counts.forEach((n, code) => {
      if (n === 0) return;
      total += n;
      lines.push(`cluster_stats_messages_${STAT_NAMES[code]}_${direction}:${n}`);
    });
    lines.push(`cluster_stats_messages_${direction}:${total}`);
  };
  counters(sent, 'sent');
  counters(received, 'received');
  lines.push(`total_cluster_links_buffer_limit_exceeded:${linksBufferLimitExceeded}`);
  return `${lines.join('\r\n')}\r\n`;
}
