import { on, pubsubDifferential, type Step } from '../../helpers/pubsub-script.js';

/**
 * Keyspace notifications of the sorted set commands against redis-server:
 * connection 0 listens to every keyspace and keyevent channel, connection
 * 1 runs commands, and the messages must be Redis's, in Redis's order.
 */
const listen = (flags: string): Step[] => [
  on(1, 'CONFIG', 'SET', 'notify-keyspace-events', flags),
  on(0, 'PSUBSCRIBE', '__key*__:*'),
];
const run = (...cmd: string[]) => on(1, ...cmd);

pubsubDifferential('sorted set keyspace notifications', 2, {
  'writes raise their events, new first, del after the last member': [
    ...listen('KEAn'), run('ZADD', 'z', '1', 'a', '2', 'b', '3', 'c', '4', 'd', '5', 'e', '6', 'f'), run('ZADD', 'z', 'NX', '1', 'a'),
    run('ZADD', 'z', 'XX', 'CH', '9', 'a'), run('ZINCRBY', 'z', '1', 'b'), run('ZADD', 'z', 'INCR', '1', 'x'), run('ZREM', 'z', 'x', 'y'),
    run('ZREM', 'z', 'nosuch'), run('ZREMRANGEBYRANK', 'z', '0', '0'), run('ZREMRANGEBYSCORE', 'z', '4', '4'),
    run('ZREMRANGEBYLEX', 'z', '[e', '[e'), run('ZREMRANGEBYSCORE', 'z', '100', '200'), run('ZPOPMIN', 'z'), run('ZPOPMAX', 'z', '0'),
    run('ZPOPMAX', 'z'), run('ZMPOP', '2', 'nosuch', 'z', 'MIN', 'COUNT', '5'), run('ZADD', 'y', '1', 'only'),
    run('BZPOPMAX', 'y', '0'), run('ZADD', 'w', '1', 'a'), run('BZMPOP', '0', '1', 'w', 'MIN'),
  ],
  'the *STORE commands raise theirs on the destination, or del for an empty result': [
    ...listen('KEAn'), run('ZADD', 'a', '1', 'x', '2', 'y'), run('ZADD', 'b', '3', 'y'), run('ZUNIONSTORE', 'u', '2', 'a', 'b'),
    run('ZINTERSTORE', 'u', '2', 'a', 'b'), run('ZDIFFSTORE', 'd', '2', 'a', 'b'), run('ZRANGESTORE', 'r', 'a', '0', '0'),
    run('ZINTERSTORE', 'u', '2', 'a', 'nosuch'), run('ZRANGESTORE', 'r', 'a', '5', '6'), run('ZDIFFSTORE', 'none', '1', 'nosuch'),
  ],
  'reads of a missing key raise keymiss, only with m': [
    ...listen('KEm'), run('ZSCORE', 'x', 'a'), run('ZRANGE', 'x', '0', '-1'), run('ZCARD', 'x'), run('ZRANK', 'x', 'a'),
    run('ZMSCORE', 'x', 'a'), run('ZUNION', '2', 'x', 'y'), run('ZRANDMEMBER', 'x'), run('ZSCAN', 'x', '0'), run('ZPOPMIN', 'x'),
    run('ZADD', 'x', 'XX', '1', 'a'), run('ZREM', 'x', 'a'), run('ZRANGESTORE', 'd', 'x', '0', '-1'), run('ZINTERCARD', '1', 'x'),
  ],
});
