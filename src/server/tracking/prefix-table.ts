import { BigMap } from '../../keyspace/big-map.js';
import type { Client } from '../client.js';
import { keysPayload } from './invalidation-frames.js';

/**
 * A BCAST prefix: its subscribers, and the keys under it changed since the
 * last broadcast → who changed each last (a BigMap: one script or DEBUG
 * POPULATE can change more keys in a turn than a Map holds).
 */
interface PrefixState {
  readonly clients: Set<Client>;
  keys: BigMap<string, Client | null>;
}

/**
 * Redis's prefix table for BCAST tracking. A changed key is noted under
 * every prefix it starts with; once per event-loop turn each prefix sends
 * its keys, in byte order, to its subscribers (leaving out, for a NOLOOP
 * subscriber, the keys it changed itself).
 */
export class PrefixTable {
  private readonly prefixes = new Map<string, PrefixState>();
  /** Some prefix has keys waiting to be broadcast. */
  pending = false;

  get size(): number {
    return this.prefixes.size;
  }

  subscribe(c: Client, prefix: string): boolean {
    let state = this.prefixes.get(prefix);
    if (state === undefined) this.prefixes.set(prefix, (state = { clients: new Set(), keys: new BigMap() }));
    if (state.clients.has(c)) return false;
    state.clients.add(c);
    return true;
  }

  unsubscribe(c: Client, prefix: string): void {
    const state = this.prefixes.get(prefix);
    if (state === undefined) return;
    state.clients.delete(c);
    if (state.clients.size === 0) this.prefixes.delete(prefix);
  }

  /** Notes a changed key under the prefixes it matches; true when it matched any. */
  keyChanged(key: string, writer: Client | null): boolean {
    let matched = false;
    for (const [prefix, state] of this.prefixes) {
      if (!key.startsWith(prefix)) continue;
      state.keys.set(key, writer);
      matched = true;
    }
    if (matched) this.pending = true;
    return matched;
  }

  /** Sends each prefix's changed keys to its subscribers through `send`, then forgets them. */
  broadcast(send: (c: Client, payload: Buffer) => void): void {
    this.pending = false;
    const prefixes = [...this.prefixes.keys()].sort();
    for (const prefix of prefixes) {
      const state = this.prefixes.get(prefix)!;
      if (state.keys.size === 0) continue;
      const changed = state.keys;
      state.keys = new BigMap();
      const keys = [...changed.keys()].sort();
      const common = keysPayload(keys);
      for (const c of state.clients) {
        if (!c.tracking!.noloop) {
          send(c, common);
          continue;
        }
        const own = keys.filter((k) => changed.get(k) !== c);
        if (own.length !== 0) send(c, keysPayload(own));
      }
    }
  }
}

/**
 * Redis's check that no two prefixes of one client overlap (one starts
 * with the other), among those asked for and against those it has: the
 * error text, or null.
 */
export function prefixOverlap(existing: ReadonlySet<string>, asked: readonly string[]): string | null {
  const overlaps = (a: string, b: string) => a.startsWith(b) || b.startsWith(a);
  const held = [...existing].sort();
  for (let i = 0; i < asked.length; i++) {
    for (const old of held) {
      if (overlaps(old, asked[i])) {
        return `ERR Prefix '${asked[i]}' overlaps with an existing prefix '${old}'. Prefixes for a single client must not overlap.`;
      }
    }
    for (let j = i + 1; j < asked.length; j++) {
      if (overlaps(asked[i], asked[j])) {
        return `ERR Prefix '${asked[i]}' overlaps with another provided prefix '${asked[j]}'. Prefixes for a single client must not overlap.`;
      }
    }
  }
  return null;
}
