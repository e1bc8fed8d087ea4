import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ClusterNodeTable } from '../../../src/cluster/node-table/node.js';
import { readNodesConf } from '../../../src/cluster/node-table/nodes-conf-read.js';

/**
 * What test/cluster/fixtures/capture-node-table.mjs recorded of real Redis
 * nodes: per state, per node, its nodes.conf and its CLUSTER NODES, SLOTS
 * and SHARDS replies. Files are read as latin1, one char per byte, as the
 * reader takes them.
 */

export type Resp = string | number | null | Resp[] | Map<string, Resp>;

export interface CapturedNodeView {
  state: string;
  label: string;
  nodesConf: string;
  clusterNodes: string;
  /** By cluster-preferred-endpoint-type. */
  slots: Record<string, Resp>;
  shards: Record<string, Resp>;
}

/** The versions captured, the same as the bus capture's. */
export { CAPTURED_VERSIONS } from '../bus/captured.js';

interface Manifest {
  redis: string;
  nodes: Record<string, { id: string; port: number; cport: number; hostname: string | null; humanNodename: string | null }>;
  states: { state: string; nodes: string[] }[];
}

/** The capture writes RESP3 maps as {"map": [[key, value], ...]}, so that they come back as Maps. */
function revive(value: unknown): Resp {
  if (Array.isArray(value)) return value.map(revive);
  if (value !== null && typeof value === 'object') {
    const pairs = (value as { map: [string, unknown][] }).map;
    return new Map(pairs.map(([k, v]) => [k, revive(v)]));
  }
  return value as Resp;
}

export function loadNodeTableCapture(version: string): { manifest: Manifest; views: CapturedNodeView[] } {
  const dir = path.resolve(import.meta.dirname, `../fixtures/node-table/redis-${version}`);
  const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const views: CapturedNodeView[] = [];
  for (const { state, nodes } of manifest.states) {
    for (const label of nodes) {
      const file = (suffix: string) => readFileSync(path.join(dir, state, `${label}.${suffix}`), 'latin1');
      const replies = JSON.parse(file('replies.json')) as { slots: Record<string, unknown>; shards: Record<string, unknown> };
      const reviveAll = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, revive(v)]));
      views.push({
        state, label, nodesConf: file('nodes.conf'), clusterNodes: file('cluster-nodes.txt'),
        slots: reviveAll(replies.slots), shards: reviveAll(replies.shards),
      });
    }
  }
  return { manifest, views };
}

/** The table a captured nodes.conf reads into; the tests' premise, so a refusal throws. */
export function tableOf(view: CapturedNodeView): ClusterNodeTable {
  const result = readNodesConf(view.nodesConf);
  if (!result.ok) throw new Error(`${view.state}/${view.label}: ${result.error.reason}`);
  if (result.table === null) throw new Error(`${view.state}/${view.label}: empty nodes.conf`);
  return result.table;
}
