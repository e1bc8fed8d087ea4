import { c, differential, fails, help } from '../helpers/differential.js';
import { on, onItems, onShape, onUnordered, pipeline, pubsubDifferential } from '../helpers/pubsub-script.js';

const BIN = '\x00\xff\r\nbin';
const ALL_BYTES = String.fromCharCode(...Array.from({ length: 256 }, (_, i) => i));
/**
 * Messages around the lengths where the parser makes strings and the output
 * copies bytes by other means, each of every byte value it can hold; the
 * last is past the size the parser frames in one pass, so it comes as a string.
 */
const SIZED = [0, 1, 24, 25, 64, 95, 96, 97, 300, 5000, 40000].map((n) => ALL_BYTES.repeat(Math.ceil(n / 256)).slice(0, n));

pubsubDifferential('pub/sub replies and deliveries', 3, {
  'SUBSCRIBE answers once per channel with the running count, duplicates included': [
    on(0, 'SUBSCRIBE', 'a', 'b', 'a'), on(0, 'SUBSCRIBE', 'c'), on(1, 'PUBLISH', 'a', 'hello'), on(1, 'PUBLISH', 'zz', 'x'),
    on(2, 'SUBSCRIBE', 'a'), on(1, 'PUBLISH', 'a', 'two'), on(1, 'PUBLISH', 'b', ''),
  ],
  'UNSUBSCRIBE answers per name, subscribed or not, and leaves subscribed mode at zero': [
    on(0, 'SUBSCRIBE', 'a', 'b'), on(0, 'UNSUBSCRIBE', 'zz', 'a'), on(1, 'PUBLISH', 'a', 'gone'), on(1, 'PUBLISH', 'b', 'here'),
    on(0, 'UNSUBSCRIBE', 'b'), on(0, 'GET', 'k'), on(0, 'UNSUBSCRIBE', 'b'),
  ],
  'UNSUBSCRIBE without names leaves every channel, or answers once with a null name': [
    on(0, 'UNSUBSCRIBE'), on(0, 'SUBSCRIBE', 'only'), on(0, 'UNSUBSCRIBE'), on(0, 'UNSUBSCRIBE'),
    on(0, 'PSUBSCRIBE', 'p'), on(0, 'SSUBSCRIBE', 's'), on(0, 'PUNSUBSCRIBE'), on(0, 'PUNSUBSCRIBE'), on(0, 'SUNSUBSCRIBE'),
    on(0, 'GET', 'k'),
  ],
  'patterns count with channels; each matching pattern delivers its own pmessage': [
    on(0, 'PSUBSCRIBE', 'news.*', 'news.?port*', 'n*'), on(0, 'SUBSCRIBE', 'news.sport'),
    onUnordered(1, 'PUBLISH', 'news.sport', 'goal'), on(1, 'PUBLISH', 'weather', 'rain'),
    onUnordered(1, 'PUBLISH', 'news.', 'empty tail'), on(0, 'PUNSUBSCRIBE', 'n*', 'nosuch'),
    onUnordered(1, 'PUBLISH', 'news.sport', 'again'), on(0, 'PUNSUBSCRIBE', 'news.?port*'), on(0, 'PUNSUBSCRIBE'),
    on(0, 'UNSUBSCRIBE'),
  ],
  'glob patterns: classes, ranges, escapes, and * does not match the empty channel': [
    on(0, 'PSUBSCRIBE', '[a-c]x', 'h[^e]llo', 'lit\\*', '*', '?', 'ab[', '\\'), onUnordered(1, 'PUBLISH', 'bx', '1'),
    onUnordered(1, 'PUBLISH', 'hallo', '2'), onUnordered(1, 'PUBLISH', 'hello', '3'), onUnordered(1, 'PUBLISH', 'lit*', '4'),
    onUnordered(1, 'PUBLISH', 'litx', '5'), onUnordered(1, 'PUBLISH', '', '6'), onUnordered(1, 'PUBLISH', 'q', '7'),
    onUnordered(1, 'PUBLISH', 'ab[', '8'), onUnordered(1, 'PUBLISH', '\\', '9'),
  ],
  'binary channel names, patterns and messages pass through byte for byte': [
    on(0, 'SUBSCRIBE', BIN, ''), on(0, 'PSUBSCRIBE', '\x00*'), on(1, 'PUBLISH', BIN, BIN), on(1, 'PUBLISH', '', 'empty'),
    on(1, 'PUBSUB', 'CHANNELS', '\x00*'), on(1, 'PUBSUB', 'NUMSUB', BIN, ''),
  ],
  'shard channels are counted apart and ignore patterns': [
    on(0, 'SSUBSCRIBE', 's1', 's2', 's1'), on(0, 'SUBSCRIBE', 'c1'), on(0, 'PSUBSCRIBE', 's*'), on(1, 'SPUBLISH', 's1', 'm'),
    on(1, 'PUBLISH', 's1', 'not shard'), on(1, 'SPUBLISH', 'nosuch', 'm'), on(0, 'SUNSUBSCRIBE', 's2', 'zz'),
    on(0, 'UNSUBSCRIBE'), on(0, 'PUNSUBSCRIBE'), on(0, 'PING'), on(0, 'SUNSUBSCRIBE'), on(0, 'PING'), on(0, 'SUNSUBSCRIBE'),
  ],
  'RESP2 subscribed mode refuses other commands and answers PING in the message shape': [
    on(0, 'SUBSCRIBE', 'a'), on(0, 'PING'), on(0, 'PING', 'hi'), on(0, 'PING', 'a', 'b'), on(0, 'GET', 'k'),
    on(0, 'CONFIG', 'GET', 'hz'), on(0, 'SET', 'k', 'v'), on(0, 'ECHO', 'x'), on(0, 'MULTI'), on(0, 'HELLO', '2'),
    on(0, 'NOSUCH'), on(0, 'SUBSCRIBE'), on(0, 'PSUBSCRIBE', 'p'), on(0, 'SSUBSCRIBE', 's'), on(1, 'GET', 'k'),
  ],
  'RESET leaves every subscription silently': [
    on(0, 'SUBSCRIBE', 'a'), on(0, 'PSUBSCRIBE', 'a*'), on(0, 'SSUBSCRIBE', 's'), on(0, 'RESET'), on(1, 'PUBLISH', 'a', 'x'),
    on(1, 'SPUBLISH', 's', 'x'), on(0, 'GET', 'k'), on(1, 'PUBSUB', 'NUMPAT'), on(1, 'PUBSUB', 'NUMSUB', 'a'),
  ],
  'QUIT in subscribed mode closes the connection and its subscriptions': [
    on(0, 'SUBSCRIBE', 'a'), on(0, 'QUIT'), on(1, 'PUBLISH', 'a', 'x'), on(1, 'PUBSUB', 'NUMSUB', 'a'),
  ],
  'SUBSCRIBE inside MULTI answers in EXEC; SSUBSCRIBE is refused there': [
    // Redis writes each confirmation as an item of EXEC's array, two of them for SUBSCRIBE's one slot.
    pipeline(0, ['MULTI'], ['SUBSCRIBE', 'a', 'b'], ['SSUBSCRIBE', 's'], ['PSUBSCRIBE', 'p*'], ['EXEC']), on(0, 'GET', 'k'), on(1, 'PUBLISH', 'a', 'x'), on(1, 'PUBSUB', 'SHARDNUMSUB', 's'),
  ],
  'CLIENT REPLY OFF silences replies but not pushes, even those its own PUBLISH causes': [
    onShape(0, 'HELLO', '3'), on(0, 'SUBSCRIBE', 'ch'),
    pipeline(0, ['CLIENT', 'REPLY', 'OFF'], ['PUBLISH', 'ch', 'self'], ['GET', 'k'], ['CLIENT', 'REPLY', 'ON']),
    on(1, 'PUBLISH', 'ch', 'other'),
  ],
  // Each step turns replies back on at its end: the transcript's barrier is a PING, which OFF would silence too.
  'CLIENT REPLY OFF keeps (un)subscribe confirmations, which are pushes (RESP2)': [
    // Subscribed mode refuses CLIENT REPLY ON, so every subscription is left before it.
    pipeline(0, ['CLIENT', 'REPLY', 'OFF'], ['SUBSCRIBE', 'ch1'], ['SUBSCRIBE', 'ch2', 'ch3'], ['PSUBSCRIBE', 'ch*'], ['SSUBSCRIBE', 's1'], ['PING'], ['UNSUBSCRIBE', 'ch1'], ['PUNSUBSCRIBE', 'ch*'], ['SUNSUBSCRIBE', 's1'], ['UNSUBSCRIBE', 'ch2'], ['UNSUBSCRIBE', 'ch3'], ['UNSUBSCRIBE'], ['CLIENT', 'REPLY', 'ON']),
  ],
  'CLIENT REPLY OFF keeps confirmations in RESP3, inside MULTI too, while EXEC and PUBLISH replies stay silent': [
    onShape(0, 'HELLO', '3'),
    pipeline(0, ['CLIENT', 'REPLY', 'OFF'], ['SUBSCRIBE', 'a'], ['PUBLISH', 'a', 'self'], ['CLIENT', 'REPLY', 'ON']),
    pipeline(0, ['CLIENT', 'REPLY', 'OFF'], ['MULTI'], ['PING', 'abc'], ['SUBSCRIBE', 'x', 'y'], ['PUBLISH', 'x', 'm'], ['EXEC'], ['CLIENT', 'REPLY', 'ON']),
    pipeline(0, ['CLIENT', 'REPLY', 'OFF'], ['UNSUBSCRIBE', 'zz'], ['UNSUBSCRIBE', 'y', 'a', 'x'], ['UNSUBSCRIBE'], ['CLIENT', 'REPLY', 'ON']),
  ],
  'CLIENT REPLY SKIP drops the next reply but not the confirmations that command causes': [
    onShape(0, 'HELLO', '3'),
    pipeline(0, ['CLIENT', 'REPLY', 'SKIP'], ['SUBSCRIBE', 'a'], ['PING'], ['CLIENT', 'REPLY', 'SKIP'], ['PSUBSCRIBE', 'a*'], ['CLIENT', 'REPLY', 'SKIP'], ['PUBLISH', 'a', 'self'], ['CLIENT', 'REPLY', 'SKIP'], ['UNSUBSCRIBE', 'a'], ['PING']),
  ],
  'RESP3: pushes for confirmations and messages, any command allowed meanwhile': [
    onShape(0, 'HELLO', '3'), on(0, 'SUBSCRIBE', 'a'), on(0, 'PSUBSCRIBE', 'a*'), on(0, 'SSUBSCRIBE', 's'), on(0, 'SET', 'k', 'v'),
    on(0, 'GET', 'k'), on(0, 'PING'), on(1, 'PUBLISH', 'a', 'hi'), on(1, 'SPUBLISH', 's', 'sh'), on(0, 'UNSUBSCRIBE'),
    on(0, 'UNSUBSCRIBE'), on(0, 'PUNSUBSCRIBE'), on(0, 'SUNSUBSCRIBE'), on(0, 'SUNSUBSCRIBE'),
  ],
  'messages of every length and byte reach one subscriber, several in both protocols, patterns and shard channels unchanged': [
    on(0, 'SUBSCRIBE', 'ch'), ...SIZED.map((m) => on(1, 'PUBLISH', 'ch', m)),
    onShape(2, 'HELLO', '3'), on(2, 'SUBSCRIBE', 'ch'), on(2, 'PSUBSCRIBE', 'c*'), ...SIZED.map((m) => onUnordered(1, 'PUBLISH', 'ch', m)),
    on(0, 'SSUBSCRIBE', 's'), ...SIZED.map((m) => on(1, 'SPUBLISH', 's', m)),
  ],
  'pipelined PUBLISHes between other commands, inside MULTI and from a script each deliver their own message': [
    on(0, 'SUBSCRIBE', 'ch'),
    pipeline(1, ['PUBLISH', 'ch', SIZED[4]], ['SET', 'k', SIZED[5]], ['PUBLISH', 'ch', SIZED[8]], ['GET', 'k'], ['PUBLISH', 'ch', SIZED[9]], ['PUBLISH', 'ch', 'short']),
    pipeline(1, ['MULTI'], ['PUBLISH', 'ch', SIZED[4]], ['PUBLISH', 'ch', SIZED[7]], ['EXEC']),
    on(1, 'EVAL', "return redis.call('PUBLISH', 'ch', ARGV[1])", '0', SIZED[8]),
  ],
  'a RESP2 subscriber and a RESP3 subscriber receive the same message in their own encodings': [
    on(0, 'SUBSCRIBE', 'a'), onShape(1, 'HELLO', '3'), on(1, 'SUBSCRIBE', 'a'), on(1, 'PSUBSCRIBE', '*'), onUnordered(2, 'PUBLISH', 'a', 'both'),
  ],
  'PUBSUB introspection counts active channels and distinct patterns': [
    on(0, 'SUBSCRIBE', 'a', 'b'), on(1, 'SUBSCRIBE', 'b'), on(0, 'PSUBSCRIBE', 'p*', 'q*'), on(1, 'PSUBSCRIBE', 'p*'),
    on(1, 'SSUBSCRIBE', 's'), onItems(2, 'PUBSUB', 'CHANNELS'), on(2, 'PUBSUB', 'CHANNELS', 'b*'),
    on(2, 'PUBSUB', 'NUMSUB', 'a', 'b', 'c', 'p*'), on(2, 'PUBSUB', 'NUMSUB'), on(2, 'PUBSUB', 'NUMPAT'),
    on(2, 'PUBSUB', 'SHARDCHANNELS'), on(2, 'PUBSUB', 'SHARDCHANNELS', 'x*'), on(2, 'PUBSUB', 'SHARDNUMSUB', 's', 'a'),
    on(2, 'PUBSUB', 'SHARDNUMSUB'), on(1, 'PUNSUBSCRIBE', 'p*'), on(2, 'PUBSUB', 'NUMPAT'), on(0, 'PUNSUBSCRIBE'),
    on(2, 'PUBSUB', 'NUMPAT'), onShape(2, 'HELLO', '3'), on(2, 'PUBSUB', 'NUMSUB', 'a'), onItems(2, 'PUBSUB', 'CHANNELS'),
  ],
});

differential('pub/sub command errors', {
  'arity and subcommand errors': [
    fails('SUBSCRIBE'), fails('PSUBSCRIBE'), fails('SSUBSCRIBE'), fails('PUBLISH', 'a'), fails('PUBLISH', 'a', 'b', 'c'),
    fails('SPUBLISH', 'a'), fails('PUBSUB'), fails('PUBSUB', 'NOSUCH'), fails('PUBSUB', 'NUMPAT', 'x'),
    fails('PUBSUB', 'CHANNELS', 'a', 'b'), fails('PUBSUB', 'SHARDCHANNELS', 'a', 'b'), fails('PUBSUB', 'HELP', 'x'),
    help('PUBSUB', 'HELP'), help('pubsub', 'help'), c('PUBLISH', 'nobody', 'x'), c('SPUBLISH', 'nobody', 'x'),
  ],
  'COMMAND INFO of the pub/sub commands': [
    c('COMMAND', 'INFO', 'subscribe', 'unsubscribe', 'psubscribe', 'punsubscribe', 'ssubscribe', 'sunsubscribe'),
    // PUBSUB itself is left out: Redis lists its subcommands in hash order, which varies from run to run.
    c('COMMAND', 'INFO', 'publish', 'spublish', 'pubsub|channels', 'pubsub|numsub', 'pubsub|numpat'),
    c('COMMAND', 'INFO', 'pubsub|shardchannels', 'pubsub|shardnumsub', 'pubsub|help'),
    fails('COMMAND', 'GETKEYS', 'SSUBSCRIBE', 'a', 'b'), fails('COMMAND', 'GETKEYS', 'SPUBLISH', 'a', 'm'),
    fails('COMMAND', 'GETKEYSANDFLAGS', 'SUNSUBSCRIBE', 'a'),
  ],
});
