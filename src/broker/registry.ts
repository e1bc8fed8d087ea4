import type { RespWriter } from '../protocol/reply.js';
import { PatternIndex } from './pattern-index.js';

/**
 * One client's subscriptions. A client holds this object only while it has
 * at least one subscription of any kind (Redis's CLIENT_PUBSUB flag): RESP2
 * subscribed mode, CLIENT LIST's P flag and the pubsub client class all
 * read `c.pubsub !== null`.
 */
export interface Subscriptions {
  channels: Set<string>;
  patterns: Set<string>;
  shardChannels: Set<string>;
}

/**
 * What the broker needs of a client: its subscriptions, and the RESP output
 * of its connection that messages are encoded into.
 */
export interface Subscriber {
  pubsub: Subscriptions | null;
  readonly out: RespWriter;
  readonly closed: boolean;
  /** CLIENT REPLY OFF or SKIP silences the running command's reply, though not the pushes it causes. */
  readonly repliesSilenced: boolean;
}

/** Which of the three namespaces a subscription lives in. */
export type SubscriptionKind = 'channels' | 'patterns' | 'shardChannels';

/**
 * Who listens to what: channel, pattern and shard channel → subscribers
 * (in subscription order), and each client's own subscriptions on the
 * client. A name stays in a table only while someone subscribes to it, so
 * abandoned channels cost nothing.
 */
export class Registry<S extends Subscriber = Subscriber> {
  readonly channels = new Map<string, Set<S>>();
  readonly patterns = new Map<string, Set<S>>();
  readonly shardChannels = new Map<string, Set<S>>();
  readonly patternIndex = new PatternIndex();
  /** Clients with at least one subscription (INFO pubsub_clients). */
  clients = 0;

  /** Adds a subscription; false when the client already had it. */
  subscribe(c: S, kind: SubscriptionKind, name: string): boolean {
    let subs = c.pubsub;
    if (subs === null) {
      subs = c.pubsub = { channels: new Set(), patterns: new Set(), shardChannels: new Set() };
      this.clients++;
    }
    const own = subs[kind];
    if (own.has(name)) return false;
    own.add(name);
    const table = this[kind];
    let clients = table.get(name);
    if (clients === undefined) {
      table.set(name, (clients = new Set()));
      if (kind === 'patterns') this.patternIndex.add(name);
    }
    clients.add(c);
    return true;
  }

  /** Removes a subscription; false when the client did not have it. */
  unsubscribe(c: S, kind: SubscriptionKind, name: string): boolean {
    const subs = c.pubsub;
    if (subs === null || !subs[kind].delete(name)) return false;
    const table = this[kind];
    const clients = table.get(name)!;
    clients.delete(c);
    if (clients.size === 0) {
      table.delete(name);
      if (kind === 'patterns') this.patternIndex.remove(name);
    }
    return true;
  }

  /**
   * Leaves subscribed mode once the client's last subscription of any kind
   * is gone. Commands call this after their whole batch of unsubscriptions,
   * so that the counts in their replies are read while the state is there.
   */
  settle(c: S): void {
    const subs = c.pubsub;
    if (subs === null || subs.channels.size + subs.patterns.size + subs.shardChannels.size !== 0) return;
    c.pubsub = null;
    this.clients--;
  }

  /** Drops every subscription of a client (disconnect, RESET). */
  removeAll(c: S): void {
    const subs = c.pubsub;
    if (subs === null) return;
    for (const kind of ['channels', 'patterns', 'shardChannels'] as const) {
      for (const name of [...subs[kind]]) this.unsubscribe(c, kind, name);
    }
    this.settle(c);
  }
}

/** The count every (un)subscribe reply carries: channels plus patterns, or shard channels alone. */
export function subscriptionCount(c: Subscriber, shard: boolean): number {
  const subs = c.pubsub;
  if (subs === null) return 0;
  return shard ? subs.shardChannels.size : subs.channels.size + subs.patterns.size;
}
