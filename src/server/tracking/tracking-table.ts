import { BigMap } from '../../keyspace/big-map.js';

/**
 * Reader slots: bits of a small integer, so that a key's readers are one
 * small integer in the table (V8 keeps it in the entry itself, no object).
 * 30 bits keep every mask within V8's small integers.
 */
const SLOTS = 30;

/**
 * Redis's tracking table: each key a tracking client has read → the ids of
 * the clients that may hold it in their cache. An entry is dropped when its
 * key is invalidated; ids of clients that stopped tracking or left stay
 * until then (Redis cleans them up lazily too).
 *
 * Keys are re-read soon after every invalidation, so entries are made all
 * the time and live long enough to survive a young collection or two: an
 * object per entry (a Set of ids) made the tracking load's scavenges copy
 * megabytes. So the first 30 tracking clients each get a slot, a bit, and a
 * key read only by such clients holds their bits as one small integer; a
 * key also read by a client without a slot holds a Set of ids. A slot
 * stands for its client's id until no entry has its bit, even after the
 * client has gone, so that an invalidation reaches exactly the ids Redis's
 * table would hold.
 */
export class TrackingTable {
  private readonly keys = new BigMap<string, number | Set<number>>();
  /** The client id each slot stands for (0: none yet). */
  private readonly owner = new Float64Array(SLOTS);
  /** Whether the slot's client still tracks; a slot given up is free again once no entry has its bit. */
  private readonly held = new Uint8Array(SLOTS);
  /** Entries with each slot's bit. */
  private readonly users = new Int32Array(SLOTS);
  /** Ids over all keys: INFO's tracking_total_items. */
  items = 0;

  get size(): number {
    return this.keys.size;
  }

  /**
   * A slot for client `id`, which has turned tracking on: the one it had,
   * if entries still hold it, else one no entry holds; -1 when none is free.
   */
  claimSlot(id: number): number {
    for (let s = 0; s < SLOTS; s++) {
      if (this.owner[s] === id) {
        this.held[s] = 1;
        return s;
      }
    }
    for (let s = 0; s < SLOTS; s++) {
      if (this.held[s] === 0 && this.users[s] === 0) {
        this.owner[s] = id;
        this.held[s] = 1;
        return s;
      }
    }
    return -1;
  }

  /** The slot's client stopped tracking: its bits stay until their keys are invalidated. */
  releaseSlot(slot: number): void {
    this.held[slot] = 0;
  }

  /** Client `id` (with `slot`, or -1) may now cache `key`. */
  remember(key: string, id: number, slot: number): void {
    const entry = this.keys.get(key);
    if (slot >= 0 && typeof entry !== 'object') {
      const bit = 1 << slot;
      const mask = entry ?? 0;
      if ((mask & bit) !== 0) return;
      this.keys.set(key, mask | bit);
      this.users[slot]++;
    } else if (entry === undefined) {
      this.keys.set(key, new Set([id]));
    } else {
      const ids = typeof entry === 'number' ? this.maskToSet(key, entry) : entry;
      if (ids.has(id)) return;
      ids.add(id);
    }
    this.items++;
  }

  /** Removes a key's entry and returns the ids it held (undefined if none). */
  take(key: string): readonly number[] | undefined {
    const entry = this.keys.get(key);
    if (entry === undefined) return undefined;
    this.keys.delete(key);
    const ids = typeof entry === 'number' ? this.dropMask(entry) : [...entry];
    this.items -= ids.length;
    return ids;
  }

  /** The key tracked longest (the one tracking-table-max-keys drops first). */
  oldest(): string | undefined {
    const r = this.keys.keys().next();
    return r.done ? undefined : r.value;
  }

  clear(): void {
    this.keys.clear();
    this.users.fill(0);
    this.items = 0;
  }

  /** A client without a slot reads a key held as a mask: the entry becomes a Set of the same ids. */
  private maskToSet(key: string, mask: number): Set<number> {
    const ids = new Set(this.dropMask(mask));
    this.keys.set(key, ids);
    return ids;
  }

  /** The ids a mask stands for; its slots lose a user each. */
  private dropMask(mask: number): number[] {
    const ids: number[] = [];
    for (let rest = mask; rest !== 0; rest &= rest - 1) {
      const s = 31 - Math.clz32(rest & -rest);
      ids.push(this.owner[s]);
      this.users[s]--;
    }
    return ids;
  }
}
