import { nodeLine } from './node-line.js';
import type { ClusterNodeTable } from './node.js';

/**
 * Which Redis's file to write: 7.2 adds the aux fields (ports, human
 * nodename, shard id) after the hostname; 7.0 writes the hostname alone.
 */
export type NodesConfDialect = '7.2' | '7.0';

/**
 * nodes.conf as Redis's clusterSaveConfig writes it: every node but those
 * still in handshake, then the vars line. The main port is always the
 * plain one; a TLS port goes into the aux fields.
 */
export function writeNodesConf(table: ClusterNodeTable, dialect: NodesConfDialect = '7.2'): string {
  let text = '';
  for (const node of table.nodes) {
    if (node.flags.has('handshake')) continue;
    text += `${nodeLine(table, node, { aux: dialect === '7.2', tlsPrimary: false })}\n`;
  }
  return `${text}vars currentEpoch ${table.currentEpoch} lastVoteEpoch ${table.lastVoteEpoch}\n`;
}
