import type { SubscriptionKind } from './registry.js';

/**
 * Messages delivered through each channel, pattern and shard channel that
 * has subscribers, for the console's message rates. Kept only while a
 * console has shown the Pub/sub view (the broker's `counts` is null
 * otherwise), so that publishing pays nothing for it then. A name is
 * counted only while someone subscribes to it, and `prune` forgets the
 * names nobody does any more.
 */
export class MessageCounts {
  readonly channels = new Map<string, number>();
  readonly patterns = new Map<string, number>();
  readonly shardChannels = new Map<string, number>();

  add(kind: SubscriptionKind, name: string): void {
    const map = this[kind];
    map.set(name, (map.get(name) ?? 0) + 1);
  }

  /**
   * Drops the names that have no subscriber left, once they are as many as
   * the live ones (and a thousand more): a walk of the map costs then no
   * more than the messages that grew it, where walking it at every look
   * would cost a large registry's size each time.
   */
  prune(registry: Record<SubscriptionKind, ReadonlyMap<string, unknown>>): void {
    for (const kind of ['channels', 'patterns', 'shardChannels'] as const) {
      const live = registry[kind];
      const counted = this[kind];
      if (counted.size <= 2 * live.size + 1000) continue;
      for (const name of counted.keys()) if (!live.has(name)) counted.delete(name);
    }
  }
}
