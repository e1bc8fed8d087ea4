import { encodeTail, FrameArena, messageSize, pmessageSize, writeMessage, writePMessage, type Payload } from './messages.js';
import { KeyspaceNotifier } from './notifications.js';
import type { MessageCounts } from './message-counts.js';
import { Registry, type Subscriber } from './registry.js';

/** Counters for INFO and the Prometheus series. */
export interface BrokerStats {
  /** Messages fanned out, by origin: PUBLISH, SPUBLISH, keyspace notifications. */
  published: { publish: number; spublish: number; keyspace: number };
  /** Copies handed to subscribers (the sum of PUBLISH's receiver counts). */
  delivered: number;
}

/** What the broker asks of the server that hosts it. */
export interface BrokerHost<S extends Subscriber> {
  /** Queues a subscriber's output to be written at the end of this event-loop turn. */
  flush(c: S): void;
  /**
   * Applies client-output-buffer-limit to a subscriber's pending output;
   * true when the subscriber was dropped for it.
   */
  overLimit(c: S): boolean;
  /**
   * The pubsub class's hard limit in bytes (0: none), checked as each
   * message is queued. A method, not a getter: V8 called an object
   * literal's accessor through its generic property load on every
   * delivery, which cost a tenth of the one-subscriber delivery rate.
   */
  pubsubHardLimit(): number;
}

/**
 * The pub/sub broker: the subscription registry, fan-out of published
 * messages, and keyspace notifications. Each message is encoded once per
 * protocol among its receivers and every subscriber's output refers to the
 * same bytes; the server writes each client's output once at the end of
 * the event-loop turn, so a burst of publishes costs a subscriber one write.
 */
export class Broker<S extends Subscriber = Subscriber> {
  readonly registry = new Registry<S>();
  readonly notifier: KeyspaceNotifier;
  readonly stats: BrokerStats = { published: { publish: 0, spublish: 0, keyspace: 0 }, delivered: 0 };
  /**
   * The client whose request is executing (set by the dispatcher). As in
   * Redis 7.2, messages for it wait until its reply is written, so that a
   * push never lands inside a reply (EXEC's array, say).
   */
  executing: S | null = null;
  /** Messages held for clients that were executing when they were published. */
  deferred: Map<S, Buffer[]> | null = null;
  /**
   * In cluster mode, where a client's PUBLISH (shard: false) or SPUBLISH
   * (shard: true) also goes: the other nodes, over the cluster bus. Null
   * on a standalone server. Keyspace notifications stay on their node.
   */
  clusterPublish: ((channel: string, message: Payload, shard: boolean) => void) | null = null;
  /** Messages by channel, pattern and shard channel, while a console shows their rates; null otherwise. */
  counts: MessageCounts | null = null;
  /** Where messages are encoded, one arena per protocol so that a protocol's frames stay contiguous. */
  private readonly arenas = [new FrameArena(), new FrameArena()] as const;

  constructor(private readonly host: BrokerHost<S>) {
    this.notifier = new KeyspaceNotifier((channel, message) => {
      this.stats.published.keyspace++;
      this.publish(channel, message);
    });
  }

  /** PUBLISH: to the channel's subscribers, then once per matching pattern of each pattern subscriber. */
  publish(channel: string, message: Payload): number {
    const registry = this.registry;
    let receivers = 0;
    const subscribers = registry.channels.get(channel);
    if (subscribers !== undefined) {
      receivers = this.fanOut(subscribers, 'message', null, channel, message);
      if (this.counts !== null) this.counts.add('channels', channel);
    }
    if (registry.patterns.size !== 0) {
      const matching = registry.patternIndex.match(channel);
      if (matching.length !== 0) {
        const tail = encodeTail(channel, message);
        for (const pattern of matching) {
          const clients = registry.patterns.get(pattern);
          if (clients === undefined) continue;
          receivers += this.fanOut(clients, 'pmessage', pattern, channel, tail);
          if (this.counts !== null) this.counts.add('patterns', pattern);
        }
      }
    }
    this.stats.delivered += receivers;
    return receivers;
  }

  /** SPUBLISH: shard channels have no patterns. */
  spublish(channel: string, message: Payload): number {
    const subscribers = this.registry.shardChannels.get(channel);
    if (subscribers === undefined) return 0;
    const receivers = this.fanOut(subscribers, 'smessage', null, channel, message);
    if (this.counts !== null) this.counts.add('shardChannels', channel);
    this.stats.delivered += receivers;
    return receivers;
  }

  /**
   * Delivers to each subscriber in the set: the frame is encoded once per
   * protocol into that protocol's arena and each subscriber's output refers
   * to it. A pmessage's channel and payload come pre-encoded (`body`, the
   * tail all its patterns share). A subscriber dropped on the way (its
   * output limit) leaves the set during the walk, which a Set allows; it
   * still counts as a receiver, as in Redis.
   */
  private fanOut(
    subscribers: Set<S>,
    kind: 'message' | 'smessage' | 'pmessage',
    pattern: string | null,
    channel: string,
    body: Payload | Buffer,
  ): number {
    if (subscribers.size === 1) {
      const c: S = subscribers.values().next().value!;
      if (c !== this.executing) {
        this.deliverOne(c, kind, pattern, channel, body);
        return 1;
      }
    }
    const arena2 = this.arenas[0];
    const arena3 = this.arenas[1];
    let encoded2 = false;
    let encoded3 = false;
    const host = this.host;
    const hard = host.pubsubHardLimit() || Infinity;
    let n = 0;
    for (const c of subscribers) {
      n++;
      const out = c.out;
      const proto = out.proto;
      const arena = proto === 2 ? arena2 : arena3;
      if (proto === 2 ? !encoded2 : !encoded3) {
        if (kind === 'pmessage') arena.pmessage(proto, pattern!, body as Buffer);
        else arena.message(kind, proto, channel, body as Payload);
        if (proto === 2) encoded2 = true;
        else encoded3 = true;
      }
      if (c === this.executing) {
        this.defer(c, arena.frame.subarray(arena.start, arena.end));
        continue;
      }
      out.shared(arena.frame, arena.start, arena.end);
      // The full check (socket backlog, soft limit) runs when the output is written.
      if (out.pending >= hard && host.overLimit(c)) continue;
      host.flush(c);
    }
    return n;
  }

  /** A sole receiver gets the frame encoded straight into its output: one write of the bytes, no copy. */
  private deliverOne(c: S, kind: 'message' | 'smessage' | 'pmessage', pattern: string | null, channel: string, body: Payload | Buffer): void {
    const out = c.out;
    if (kind === 'pmessage') {
      const tail = body as Buffer;
      out.length = writePMessage(out.reserve(pmessageSize(pattern!, tail)), out.length, out.proto, pattern!, tail);
    } else {
      const payload = body as Payload;
      out.length = writeMessage(out.reserve(messageSize(kind, channel, payload)), out.length, kind, out.proto, channel, payload);
    }
    const host = this.host;
    if (out.pending >= (host.pubsubHardLimit() || Infinity) && host.overLimit(c)) return;
    host.flush(c);
  }

  /** Holds a frame for the executing client until its reply is written (and silenced, if it asked). */
  defer(c: S, frame: Buffer): void {
    const deferred = (this.deferred ??= new Map());
    const list = deferred.get(c);
    if (list === undefined) deferred.set(c, [frame]);
    else list.push(frame);
  }

  /** Appends the messages held for a client once its request has been answered. */
  releaseDeferred(c: S): void {
    const deferred = this.deferred!;
    const list = deferred.get(c);
    if (list === undefined) return;
    deferred.delete(c);
    if (deferred.size === 0) this.deferred = null;
    if (c.closed) return;
    for (const frame of list) c.out.raw(frame);
    if (!this.host.overLimit(c)) this.host.flush(c);
  }

  /** Forgets a client that disconnected. */
  removeClient(c: S): void {
    this.registry.removeAll(c);
    if (this.deferred !== null) {
      this.deferred.delete(c);
      if (this.deferred.size === 0) this.deferred = null;
    }
  }
}
