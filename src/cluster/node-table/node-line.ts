import { slotRanges } from '../slot-bitmap.js';
import { NODE_FLAGS, shownConfigEpoch, type ClusterNode, type ClusterNodeTable } from './node.js';

export interface NodeLineOptions {
  /** Whether to add the aux fields only nodes.conf carries (7.2's file; never a client's reply). */
  aux: boolean;
  /** Whether the main port is the TLS one, as for a TLS client; the other then goes into the aux fields. */
  tlsPrimary: boolean;
}

/**
 * One node's line, without its newline, as Redis's
 * clusterGenNodeDescription writes it both for nodes.conf and for
 * CLUSTER NODES, which differ only in the aux fields.
 */
export function nodeLine(table: ClusterNodeTable, node: ClusterNode, options: NodeLineOptions): string {
  const port = options.tlsPrimary ? node.tlsPort : node.tcpPort;
  let line = `${node.name} ${node.ip}:${port}@${node.cport}`;
  if (node.hostname !== '') line += `,${node.hostname}`;
  if (options.aux) line += auxFields(node, options.tlsPrimary);
  line += ` ${flagsText(node)} ${node.master ?? '-'}`;
  const isMyself = node.name === table.myself;
  line += ` ${node.pingSent} ${node.pongReceived} ${shownConfigEpoch(table, node)} ${node.linkConnected || isMyself ? 'connected' : 'disconnected'}`;
  for (const [start, end] of slotRanges(node.slots)) line += start === end ? ` ${start}` : ` ${start}-${end}`;
  if (isMyself) line += slotMoveMarkers(table);
  return line;
}

/**
 * Redis lists aux fields in the reverse of its handler table's order, and
 * always writes the comma that stands for an empty hostname before them so
 * that the first aux field is never read as a hostname.
 */
function auxFields(node: ClusterNode, tlsPrimary: boolean): string {
  let text = node.hostname === '' ? ',' : '';
  text += tlsPrimary ? `,tcp-port=${node.tcpPort}` : `,tls-port=${node.tlsPort}`;
  if (node.humanNodename !== '') text += `,nodename=${node.humanNodename}`;
  if (node.shardId !== null) text += `,shard-id=${node.shardId}`;
  return text;
}

function flagsText(node: ClusterNode): string {
  const names = NODE_FLAGS.filter((f) => node.flags.has(f));
  return names.length === 0 ? 'noflags' : names.join(',');
}

/** A slot both migrating and importing shows only as migrating, as in Redis. */
function slotMoveMarkers(table: ClusterNodeTable): string {
  if (table.migratingTo.size === 0 && table.importingFrom.size === 0) return '';
  const slots = new Set([...table.migratingTo.keys(), ...table.importingFrom.keys()]);
  let text = '';
  for (const slot of [...slots].sort((a, b) => a - b)) {
    const to = table.migratingTo.get(slot);
    text += to !== undefined ? ` [${slot}->-${to}]` : ` [${slot}-<-${table.importingFrom.get(slot)}]`;
  }
  return text;
}
