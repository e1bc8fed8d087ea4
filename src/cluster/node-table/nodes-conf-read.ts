import { splitInlineArgs } from '../../protocol/inline.js';
import { CLUSTER_SLOTS } from '../key-slot.js';
import { hasSlot } from '../slot-bitmap.js';
import { readUint64 } from './decimal.js';
import { readNodeLine, type SlotMoveMarker } from './node-conf-line.js';
import type { NodesConfError } from './nodes-conf-error.js';
import type { ClusterNode, ClusterNodeTable } from './node.js';

export type NodesConfRead =
  /** `table` is null for an empty file, which Redis takes as "no config yet". */
  | { ok: true; table: ClusterNodeTable | null }
  | { ok: false; error: NodesConfError };

export interface NodesConfReadOptions {
  /** Whether the cluster speaks TLS, which decides what a file without aux ports means by its port. */
  tlsCluster?: boolean;
}

interface ReadLine {
  node: ClusterNode;
  markers: SlotMoveMarker[];
  line: number;
}

/**
 * Reads nodes.conf as Redis 7.2's clusterLoadConfig does, which also reads
 * what 7.0 wrote: node lines and `vars` lines in any order, blank lines
 * skipped, fields split with Redis's quoting rules. Anything Redis would
 * refuse (or crash on) is an error value naming the line. Stricter than
 * Redis, which reads numbers with atoi/strtoull, invents nodes it has no
 * line for, merges repeated lines and keeps the first of two claims on a
 * slot: none of that is in a file Redis wrote, so all of it is refused.
 */
export function readNodesConf(text: string, options: NodesConfReadOptions = {}): NodesConfRead {
  if (text.length === 0) return { ok: true, table: null };
  const table: ClusterNodeTable = {
    nodes: [], myself: '', currentEpoch: 0n, lastVoteEpoch: 0n, migratingTo: new Map(), importingFrom: new Map(),
  };
  const read: ReadLine[] = [];
  const names = new Set<string>();
  const lines = text.split('\n');
  if (lines[lines.length - 1] === '') lines.pop();
  const refuse = (index: number, reason: string): NodesConfRead => ({ ok: false, error: { line: index + 1, text: lines[index] ?? '', reason } });

  for (let index = 0; index < lines.length; index++) {
    const lineText = lines[index];
    if (lineText === '') continue;
    const args = splitInlineArgs(Buffer.from(lineText, 'latin1'));
    if (args === null) return refuse(index, 'unbalanced quotes');
    const fields = args.map((a) => a.toString('latin1'));
    if (fields.length === 0) return refuse(index, 'a line of only spaces');
    if (fields[0].toLowerCase() === 'vars') {
      const varsError = readVars(table, fields);
      if (varsError !== null) return refuse(index, varsError);
      continue;
    }
    const result = readNodeLine(fields, options.tlsCluster ?? false);
    if (typeof result === 'string') return refuse(index, result);
    if (names.has(result.node.name)) return refuse(index, `node ${result.node.name} has a second line`);
    names.add(result.node.name);
    if (result.node.flags.has('myself')) {
      if (table.myself !== '') return refuse(index, 'a second node flagged myself');
      table.myself = result.node.name;
    }
    read.push({ ...result, line: index });
  }

  table.nodes = read.map((r) => r.node);
  const owners: ClusterNode[] = [];
  for (const r of read) {
    for (let slot = 0; slot < CLUSTER_SLOTS; slot++) {
      if (!hasSlot(r.node.slots, slot)) continue;
      // Redis keeps the first claim and silently drops the rest; a file like that was not written by Redis.
      const owner = owners[slot];
      if (owner !== undefined) return refuse(r.line, `slot ${slot} is also claimed by ${owner.name}`);
      owners[slot] = r.node;
    }
  }
  for (const r of read) {
    const reason = linkLine(table, r);
    if (reason !== null) return refuse(r.line, reason);
  }
  if (table.myself === '') return refuse(Math.max(lines.length - 1, 0), 'no node is flagged myself');
  // As Redis does against hand edits: the current epoch is never below an epoch in the table.
  for (const node of table.nodes) if (node.configEpoch > table.currentEpoch) table.currentEpoch = node.configEpoch;
  return { ok: true, table };
}

/** `vars name value ...`: unknown names are skipped, as Redis only logs them. */
function readVars(table: ClusterNodeTable, fields: string[]): string | null {
  if (fields.length % 2 === 0) return 'vars without a value for its last name';
  for (let i = 1; i < fields.length; i += 2) {
    const name = fields[i].toLowerCase();
    if (name !== 'currentepoch' && name !== 'lastvoteepoch') continue;
    const value = readUint64(fields[i + 1]);
    if (value === null) return `${fields[i]} "${fields[i + 1]}" is not an unsigned 64-bit number`;
    if (name === 'currentepoch') table.currentEpoch = value;
    else table.lastVoteEpoch = value;
  }
  return null;
}

/**
 * Checks what a line says of other nodes once all lines are read (Redis
 * would invent a blank node for a name it has not seen; this refuses), and
 * records its slot moves as the myself node's, where Redis keeps them.
 */
function linkLine(table: ClusterNodeTable, r: ReadLine): string | null {
  const { node } = r;
  if (node.master !== null) {
    const master = table.nodes.find((n) => n.name === node.master);
    if (master === undefined) return `master ${node.master} has no line of its own`;
    if (master === node) return 'a node cannot be its own master';
    if (node.shardId !== null && master.shardId !== null && node.shardId !== master.shardId) {
      return `shard-id ${node.shardId} differs from its master's ${master.shardId}`;
    }
  }
  for (const marker of r.markers) {
    if (!table.nodes.some((n) => n.name === marker.peer)) return `slot ${marker.slot} moves to or from ${marker.peer}, which has no line of its own`;
    (marker.direction === 'migrating' ? table.migratingTo : table.importingFrom).set(marker.slot, marker.peer);
  }
  return null;
}
