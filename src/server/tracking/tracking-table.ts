import { BigMap } from '../../store/keyspace/big-map.js';

/**
 * Redis's tracking table: each key a tracking client has read → the ids of
 * the clients that may hold it in their cache. An entry is dropped when its
 * key is invalidated; ids of clients that stopped tracking or left stay
 * until then (Redis cleans them up lazily too).
 */
export class TrackingTable {
  private readonly keys = new BigMap<string, Set<number>>();
  /** Ids over all keys: INFO's tracking_total_items. */
  items = 0;

  get size(): number {
    return this.keys.size;
  }

  remember(key: string, id: number): void {
    let ids = this.keys.get(key);
    if (ids === undefined) this.keys.set(key, (ids = new Set()));
    if (ids.has(id)) return;
    ids.add(id);
    this.items++;
  }

  /** Removes a key's entry and returns the ids it held (undefined if none). */
  take(key: string): Set<number> | undefined {
    const ids = this.keys.get(key);
    if (ids === undefined) return undefined;
    this.keys.delete(key);
    this.items -= ids.size;
    return ids;
  }

  /** The key tracked longest (the one tracking-table-max-keys drops first). */
  oldest(): string | undefined {
    const r = this.keys.keys().next();
    return r.done ? undefined : r.value;
  }

  clear(): void {
    this.keys.clear();
    this.items = 0;
  }
}
