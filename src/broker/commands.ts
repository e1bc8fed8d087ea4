import type { Ctx } from '../core/context.js';
import type { CommandSpec } from '../core/command.js';
import { helpReply, subcommandSyntaxError } from '../core/help.js';
import { CommandError } from '../core/errors.js';
import { globMatch } from '../core/glob.js';
import { RespWriter, type Reply } from '../protocol/reply.js';
import type { Broker } from './broker.js';
import { payloadString, type Payload } from './messages.js';
import { subscriptionCount, type Subscriber, type SubscriptionKind } from './registry.js';

/** A client that may subscribe: the execution context plus its subscriptions and output. */
export type SubscriberCtx = Ctx & Subscriber;

/** How each namespace names itself in its replies. */
interface Namespace {
  kind: SubscriptionKind;
  subscribe: string;
  unsubscribe: string;
  /** Shard channels are counted apart from channels and patterns. */
  shard: boolean;
}

const CHANNELS: Namespace = { kind: 'channels', subscribe: 'subscribe', unsubscribe: 'unsubscribe', shard: false };
const PATTERNS: Namespace = { kind: 'patterns', subscribe: 'psubscribe', unsubscribe: 'punsubscribe', shard: false };
const SHARD: Namespace = { kind: 'shardChannels', subscribe: 'ssubscribe', unsubscribe: 'sunsubscribe', shard: true };

/** One confirmation: `[subscribe, name, count]`, a push frame in RESP3; a null name when there was nothing to leave. */
function writeConfirmation(r: Reply, what: string, name: string | null, count: number): void {
  r.push(3);
  r.bulk(what);
  if (name === null) r.nullBulk();
  else r.bulk(name);
  r.integer(count);
}

/**
 * Confirms a (un)subscription. As in Redis 7.2 a confirmation is a push,
 * which CLIENT REPLY OFF and SKIP do not silence: for a silenced client it
 * is held with the messages published to it meanwhile and written after the
 * command's own reply is dropped.
 */
function confirm(broker: Broker<SubscriberCtx>, c: SubscriberCtx, what: string, name: string | null, shard: boolean): void {
  const count = subscriptionCount(c, shard);
  if (!c.repliesSilenced) {
    writeConfirmation(c.reply, what, name, count);
    return;
  }
  const w = new RespWriter();
  w.proto = c.out.proto;
  writeConfirmation(w, what, name, count);
  const frame = w.take();
  broker.defer(c, Array.isArray(frame) ? Buffer.concat(frame) : frame!);
}

/** A reply per name, each carrying the count after that subscription. */
function subscribe(broker: Broker<SubscriberCtx>, ns: Namespace) {
  return (c: SubscriberCtx, argv: string[]): void => {
    const registry = broker.registry;
    for (let i = 1; i < argv.length; i++) {
      registry.subscribe(c, ns.kind, argv[i]);
      confirm(broker, c, ns.subscribe, argv[i], ns.shard);
    }
  };
}

/**
 * A reply per name, subscribed or not; with no names, a reply per current
 * subscription, or a single one with a null name when there is none.
 */
function unsubscribe(broker: Broker<SubscriberCtx>, ns: Namespace) {
  return (c: SubscriberCtx, argv: string[]): void => {
    const registry = broker.registry;
    if (argv.length > 1) {
      for (let i = 1; i < argv.length; i++) {
        registry.unsubscribe(c, ns.kind, argv[i]);
        confirm(broker, c, ns.unsubscribe, argv[i], ns.shard);
      }
    } else {
      const names = c.pubsub === null ? [] : [...c.pubsub[ns.kind]];
      for (const name of names) {
        registry.unsubscribe(c, ns.kind, name);
        confirm(broker, c, ns.unsubscribe, name, ns.shard);
      }
      if (names.length === 0) confirm(broker, c, ns.unsubscribe, null, ns.shard);
    }
    registry.settle(c);
  };
}

/** Inside EXEC a shard subscription is refused, as Redis refuses it to a client that may not block. */
function ssubscribe(broker: Broker<SubscriberCtx>) {
  const subscribeShard = subscribe(broker, SHARD);
  return (c: SubscriberCtx, argv: string[]): void => {
    if (c.denyBlocking) throw new CommandError("ERR SSUBSCRIBE isn't allowed for a DENY BLOCKING client");
    subscribeShard(c, argv);
  };
}

/**
 * A message reaches the other nodes that have subscribers: a cluster's bus
 * carries it to every node (SPUBLISH's to the shard); outside a cluster a
 * master's replicas get the command, as Redis propagates it to them (not
 * to the AOF), and publish it to their own subscribers.
 */
function forward(broker: Broker<SubscriberCtx>, c: Ctx, command: string, argv: string[], message: Payload, shard: boolean): void {
  if (broker.clusterPublish !== null) broker.clusterPublish(argv[1], message, shard);
  else if (c.replicating) c.propagateToReplicas([command, argv[1], payloadString(message)]);
}

function publish(broker: Broker<SubscriberCtx>) {
  return (c: Ctx, argv: string[]): void => {
    broker.stats.published.publish++;
    const message = c.unreadArg(argv, 2) ?? argv[2];
    c.reply.integer(broker.publish(argv[1], message));
    forward(broker, c, 'PUBLISH', argv, message, false);
  };
}

function spublish(broker: Broker<SubscriberCtx>) {
  return (c: Ctx, argv: string[]): void => {
    broker.stats.published.spublish++;
    const message = c.unreadArg(argv, 2) ?? argv[2];
    c.reply.integer(broker.spublish(argv[1], message));
    forward(broker, c, 'SPUBLISH', argv, message, true);
  };
}

/** PUBSUB CHANNELS / SHARDCHANNELS [pattern]: active names, optionally filtered. */
function channelList(broker: Broker<SubscriberCtx>, table: 'channels' | 'shardChannels') {
  return (c: Ctx, argv: string[]): void => {
    if (argv.length > 3) throw new CommandError(subcommandSyntaxError(argv));
    const pattern = argv.length === 3 ? argv[2] : null;
    const names: string[] = [];
    for (const name of broker.registry[table].keys()) {
      if (pattern === null || globMatch(pattern, name)) names.push(name);
    }
    c.reply.array(names.length);
    for (const name of names) c.reply.bulk(name);
  };
}

/** PUBSUB NUMSUB / SHARDNUMSUB: a flat array of name, count pairs (an array in RESP3 too, as Redis). */
function numsub(broker: Broker<SubscriberCtx>, table: 'channels' | 'shardChannels') {
  return (c: Ctx, argv: string[]): void => {
    const registry = broker.registry;
    c.reply.array((argv.length - 2) * 2);
    for (let i = 2; i < argv.length; i++) {
      c.reply.bulk(argv[i]);
      c.reply.integer(registry[table].get(argv[i])?.size ?? 0);
    }
  };
}

function numpat(broker: Broker<SubscriberCtx>) {
  return (c: Ctx): void => c.reply.integer(broker.registry.patterns.size);
}

const HELP = [
  'CHANNELS [<pattern>]',
  "    Return the currently active channels matching a <pattern> (default: '*').",
  'NUMPAT',
  '    Return number of subscriptions to patterns.',
  'NUMSUB [<channel> ...]',
  '    Return the number of subscribers for the specified channels, excluding',
  '    pattern subscriptions(default: no channels).',
  'SHARDCHANNELS [<pattern>]',
  "    Return the currently active shard level channels matching a <pattern> (default: '*').",
  'SHARDNUMSUB [<shardchannel> ...]',
  '    Return the number of subscribers for the specified shard level channel(s)',
];

const SUBSCRIBING = ['pubsub', 'noscript', 'loading', 'stale'] as const;
const INTROSPECTION = ['pubsub', 'loading', 'stale'] as const;
const PUBSUB = { acl: [], group: 'pubsub' } as const;
/** The subscribing commands are what a RESP2 connection in subscribed mode may run (with PING, QUIT, RESET). */
const WHEN_SUBSCRIBED = ['allowed-when-subscribed'] as const;
/** Shard channels sit in key positions (cluster routing) without being keys. */
const SHARD_CHANNELS = ['not_key: index 1, range -1'];

/** The pub/sub commands of one server, bound to its broker. */
export function pubsubCommands(broker: Broker<SubscriberCtx>): CommandSpec<SubscriberCtx>[] {
  return [
    {
      ...PUBSUB, name: 'subscribe', arity: -2, flags: SUBSCRIBING, traits: WHEN_SUBSCRIBED, args: 'channel...',
      since: '2.0.0', summary: 'Listens for messages published to channels.',
      complexity: 'O(N) where N is the number of channels to subscribe to.', handler: subscribe(broker, CHANNELS),
    },
    {
      ...PUBSUB, name: 'unsubscribe', arity: -1, flags: SUBSCRIBING, traits: WHEN_SUBSCRIBED, args: '[channel...]',
      since: '2.0.0', summary: 'Stops listening to messages posted to channels.',
      complexity: 'O(N) where N is the number of channels to unsubscribe.', handler: unsubscribe(broker, CHANNELS),
    },
    {
      ...PUBSUB, name: 'psubscribe', arity: -2, flags: SUBSCRIBING, traits: WHEN_SUBSCRIBED, args: 'pattern:pattern...',
      since: '2.0.0', summary: 'Listens for messages published to channels that match one or more patterns.',
      complexity: 'O(N) where N is the number of patterns to subscribe to.', handler: subscribe(broker, PATTERNS),
    },
    {
      ...PUBSUB, name: 'punsubscribe', arity: -1, flags: SUBSCRIBING, traits: WHEN_SUBSCRIBED,
      args: '[pattern:pattern...]', since: '2.0.0',
      summary: 'Stops listening to messages published to channels that match one or more patterns.',
      complexity: 'O(N) where N is the number of patterns to unsubscribe.', handler: unsubscribe(broker, PATTERNS),
    },
    {
      ...PUBSUB, name: 'ssubscribe', arity: -2, flags: SUBSCRIBING, traits: WHEN_SUBSCRIBED, keySpecs: SHARD_CHANNELS,
      args: 'shardchannel...', since: '7.0.0', summary: 'Listens for messages published to shard channels.',
      complexity: 'O(N) where N is the number of shard channels to subscribe to.', handler: ssubscribe(broker),
    },
    {
      ...PUBSUB, name: 'sunsubscribe', arity: -1, flags: SUBSCRIBING, traits: WHEN_SUBSCRIBED, keySpecs: SHARD_CHANNELS,
      args: '[shardchannel...]', since: '7.0.0', summary: 'Stops listening to messages posted to shard channels.',
      complexity: 'O(N) where N is the number of shard channels to unsubscribe.', handler: unsubscribe(broker, SHARD),
    },
    {
      // may_replicate is 7.2's (7.0 lacks it): CLIENT PAUSE WRITE holds PUBLISH.
      ...PUBSUB, name: 'publish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast', 'may_replicate'], bytesArg: 2,
      traits: ['keeps-no-argv'],
      args: 'channel message', since: '2.0.0', summary: 'Posts a message to a channel.',
      complexity: 'O(N+M) where N is the number of clients subscribed to the receiving channel and M is the total number of subscribed patterns (by any client).',
      handler: publish(broker),
    },
    {
      ...PUBSUB, name: 'spublish', arity: 3, flags: ['pubsub', 'loading', 'stale', 'fast', 'may_replicate'], bytesArg: 2,
      traits: ['keeps-no-argv'],
      keySpecs: ['not_key: index 1, range 0'], args: 'shardchannel message', since: '7.0.0',
      summary: 'Post a message to a shard channel',
      complexity: 'O(N) where N is the number of clients subscribed to the receiving shard channel.', handler: spublish(broker),
    },
    {
      ...PUBSUB, name: 'pubsub', arity: -2, flags: [], since: '2.8.0', summary: 'A container for Pub/Sub commands.',
      complexity: 'Depends on subcommand.',
      subcommands: [
        {
          ...PUBSUB, name: 'channels', arity: -2, flags: INTROSPECTION, args: '[pattern:pattern]', since: '2.8.0',
          summary: 'Returns the active channels.',
          complexity: 'O(N) where N is the number of active channels, and assuming constant time pattern matching (relatively short channels and patterns)',
          handler: channelList(broker, 'channels'),
        },
        {
          ...PUBSUB, name: 'numpat', arity: 2, flags: INTROSPECTION, since: '2.8.0',
          summary: 'Returns a count of unique pattern subscriptions.', complexity: 'O(1)', handler: numpat(broker),
        },
        {
          ...PUBSUB, name: 'numsub', arity: -2, flags: INTROSPECTION, args: '[channel...]', since: '2.8.0',
          summary: 'Returns a count of subscribers to channels.',
          complexity: 'O(N) for the NUMSUB subcommand, where N is the number of requested channels',
          handler: numsub(broker, 'channels'),
        },
        {
          ...PUBSUB, name: 'shardchannels', arity: -2, flags: INTROSPECTION, args: '[pattern:pattern]', since: '7.0.0',
          summary: 'Returns the active shard channels.',
          complexity: 'O(N) where N is the number of active shard channels, and assuming constant time pattern matching (relatively short shard channels).',
          handler: channelList(broker, 'shardChannels'),
        },
        {
          ...PUBSUB, name: 'shardnumsub', arity: -2, flags: INTROSPECTION, args: '[shardchannel...]', since: '7.0.0',
          summary: 'Returns the count of subscribers of shard channels.',
          complexity: 'O(N) for the SHARDNUMSUB subcommand, where N is the number of requested shard channels',
          handler: numsub(broker, 'shardChannels'),
        },
        {
          ...PUBSUB, name: 'help', arity: 2, flags: ['loading', 'stale'], since: '6.2.0',
          summary: 'Returns helpful text about the different subcommands.', complexity: 'O(1)',
          handler: (c, argv) => helpReply(c, argv, HELP),
        },
      ],
    },
  ];
}
