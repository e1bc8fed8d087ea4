import { nodeLine } from './node-line.js';
import type { ClusterNodeTable } from './node.js';

/**
 * CLUSTER NODES: every node's line, handshaking ones too, without the
 * aux fields, each ending in a newline. A TLS client is given the TLS
 * ports.
 */
export function clusterNodesReply(table: ClusterNodeTable, tlsClient = false): string {
  let text = '';
  for (const node of table.nodes) text += `${nodeLine(table, node, { aux: false, tlsPrimary: tlsClient })}\n`;
  return text;
}
