import type { SubscriptionKind } from './registry.js';

/**
 * Messages delivered through each channel, pattern and shard channel that
 * has subscribers, for the console's message rates. Kept only while a
 * console is open (the broker's `counts` is null otherwise), so that
 * publishing pays nothing for it then. A name is counted only while someone
 * subscribes to it, and `prune` forgets the names nobody does any more:
 * the maps stay as small as the registry's.
 */
export class MessageCounts {
  readonly channels = new Map<string, number>();
  readonly patterns = new Map<string, number>();
  readonly shardChannels = new Map<string, number>();

  add(kind: SubscriptionKind, name: string): void {
    const map = this[kind];
    map.set(name, (map.get(name) ?? 0) + 1);
  }

  /** Drops the names that have no subscriber left. */
  prune(registry: Record<SubscriptionKind, ReadonlyMap<string, unknown>>): void {
    for (const kind of ['channels', 'patterns', 'shardChannels'] as const) {
      const live = registry[kind];
      for (const name of this[kind].keys()) if (!live.has(name)) this[kind].delete(name);
    }
  }
}
