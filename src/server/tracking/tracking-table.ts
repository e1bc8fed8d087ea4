import { BigMap } from '../../store/keyspace/big-map.js';

/**
 * Redis's tracking table: each key a tracking client has read → the ids of
 * the clients that may hold it in their cache. An entry is dropped when its
 * key is invalidated; ids of clients that stopped tracking or left stay
 * until then (Redis cleans them up lazily too). A key most often has one
 * reader, held as a bare id: a Set per key would cost about ten times as much.
 */
export class TrackingTable {
  private readonly keys = new BigMap<string, number | Set<number>>();
  /** Ids over all keys: INFO's tracking_total_items. */
  items = 0;

  get size(): number {
    return this.keys.size;
  }

  remember(key: string, id: number): void {
    const ids = this.keys.get(key);
    if (ids === id) return;
    if (ids === undefined) {
      this.keys.set(key, id);
    } else if (typeof ids === 'number') {
      this.keys.set(key, new Set([ids, id]));
    } else {
      if (ids.has(id)) return;
      ids.add(id);
    }
    this.items++;
  }

  /** Removes a key's entry and returns the ids it held (undefined if none). */
  take(key: string): number | Set<number> | undefined {
    const ids = this.keys.get(key);
    if (ids === undefined) return undefined;
    this.keys.delete(key);
    this.items -= typeof ids === 'number' ? 1 : ids.size;
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
