import { PendingList, type Nack } from './pending.js';
import type { StreamId, U64 } from './id.js';

/** A consumer of a group (Redis's streamConsumer). */
export class Consumer {
  /** Last time it tried to read or claim, and last time it did (-1: never), in ms. */
  seenTime: number;
  activeTime = -1;
  readonly pel = new PendingList();

  constructor(readonly name: string, now: number) {
    this.seenTime = now;
  }
}

/** entries_read when unknown (Redis's SCG_INVALID_ENTRIES_READ). */
export const ENTRIES_READ_UNKNOWN = -1;

/**
 * A consumer group (Redis's streamCG): the last delivered ID, the logical
 * read counter, the group's pending entries and its consumers. A nack is
 * in the group's list and in its consumer's, the same object in both.
 */
export class Group {
  readonly pel = new PendingList();
  readonly consumers = new Map<string, Consumer>();

  constructor(
    readonly name: string,
    public lastId: StreamId,
    public entriesRead: U64,
  ) {}

  /** Consumers in Redis's order (its rax: bytewise by name). */
  sortedConsumers(): Consumer[] {
    return [...this.consumers.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** A deep copy: its own consumers and nacks. */
  clone(): Group {
    const g = new Group(this.name, this.lastId, this.entriesRead);
    const owners = new Map<Consumer, Consumer>();
    for (const c of this.consumers.values()) {
      const copy = new Consumer(c.name, c.seenTime);
      copy.activeTime = c.activeTime;
      g.consumers.set(c.name, copy);
      owners.set(c, copy);
    }
    for (const n of this.pel) {
      const owner = n.consumer === null ? null : owners.get(n.consumer)!;
      const copy: Nack = { id: n.id, deliveryTime: n.deliveryTime, deliveryCount: n.deliveryCount, consumer: owner };
      g.pel.push(copy);
      owner?.pel.push(copy);
    }
    return g;
  }

  /** Drops a consumer and its pending entries from the group. */
  deleteConsumer(c: Consumer): void {
    for (const n of c.pel) this.pel.remove(n.id);
    this.consumers.delete(c.name);
  }
}

/** Groups in Redis's order (bytewise by name). */
export function sortedGroups(groups: Map<string, Group> | null): Group[] {
  if (groups === null) return [];
  return [...groups.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}
