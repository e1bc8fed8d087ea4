import { CLUSTER_SLOTS } from '../../../src/keyspace/key-slot.js';
import type { ClusterRoutingView } from '../../../src/cluster/routing/routing-view.js';

/** A node of the fake cluster: its id and the address MOVED and ASK name. */
export interface FakeNode {
  id: string;
  host: string;
  port: number;
  tlsPort: number;
}

export const MYSELF: FakeNode = { id: 'a'.repeat(40), host: '127.0.0.1', port: 7000, tlsPort: 17000 };
export const OTHER: FakeNode = { id: 'b'.repeat(40), host: '10.0.0.2', port: 7001, tlsPort: 17001 };
export const THIRD: FakeNode = { id: 'c'.repeat(40), host: 'node-3.example', port: 7002, tlsPort: 17002 };

/**
 * The cluster's state as routing sees it, in memory and set by hand: slot
 * owners, open slots, this node's role, the state and the settings.
 * Nothing owns a slot until `assign`.
 */
export class FakeRoutingView implements ClusterRoutingView {
  readonly myself = MYSELF.id;
  myMaster: string | null = null;
  stateOk = true;
  allowReadsWhenDown = false;
  allowPubsubshardWhenDown = true;
  private readonly owners: (string | null)[] = new Array(CLUSTER_SLOTS).fill(null);
  private readonly migrating = new Map<number, string>();
  private readonly importing = new Map<number, string>();
  private readonly nodes = new Map<string, FakeNode>([MYSELF, OTHER, THIRD].map((n) => [n.id, n]));

  /** Slots `from`..`to` (inclusive) are served by `node` (null: by none). */
  assign(node: FakeNode | null, from = 0, to = CLUSTER_SLOTS - 1): this {
    for (let s = from; s <= to; s++) this.owners[s] = node?.id ?? null;
    return this;
  }

  migrate(slot: number, to: FakeNode): this {
    this.migrating.set(slot, to.id);
    return this;
  }

  import(slot: number, from: FakeNode): this {
    this.importing.set(slot, from.id);
    return this;
  }

  slotOwner(slot: number): string | null {
    return this.owners[slot];
  }

  migratingTo(slot: number): string | null {
    return this.migrating.get(slot) ?? null;
  }

  importingFrom(slot: number): string | null {
    return this.importing.get(slot) ?? null;
  }

  servesSettled(slot: number): boolean {
    return this.owners[slot] === this.myself && this.migrating.size === 0 && this.importing.size === 0;
  }

  redirectEndpoint(node: string, tls: boolean): string {
    const n = this.nodes.get(node)!;
    return `${n.host}:${tls ? n.tlsPort : n.port}`;
  }
}
