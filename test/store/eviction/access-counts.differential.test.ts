import { c, differential, type Row } from '../../helpers/differential.js';

/**
 * Which commands count an access to a key, read through OBJECT FREQ with an
 * LFU counter that grows by one per access (lfu-log-factor 0) and never
 * decays: Redis's SET family, MSET, GETSET and every STORE command look
 * their destination up to write it (setKey's lookupKeyWrite), which counts,
 * while the value they store keeps the replaced value's counter.
 */
const LFU: Row[] = [
  c('CONFIG', 'SET', 'maxmemory', '100mb'),
  c('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lfu'),
  c('CONFIG', 'SET', 'lfu-log-factor', '0'),
  c('CONFIG', 'SET', 'lfu-decay-time', '0'),
];
const RESET: Row[] = [c('CONFIG', 'SET', 'maxmemory-policy', 'noeviction'), c('CONFIG', 'SET', 'maxmemory', '0')];

/** Each command, then the counter of the key it touched. */
const counted = (key: string, ...lines: string[][]): Row[] => lines.flatMap((line) => [c(...line), c('OBJECT', 'FREQ', key)]);

differential('access counts under an LFU policy', {
  'the SET family, MSET and GETSET count the lookup that writes the key': [
    ...LFU,
    ...counted(
      's',
      ['SET', 's', 'v'], ['SET', 's', 'w'], ['SET', 's', 'x', 'GET'], ['SETEX', 's', '100', 'v'], ['PSETEX', 's', '100000', 'v'],
      ['SET', 's', 'v', 'KEEPTTL'], ['SET', 's', 'v', 'XX'], ['SET', 's', 'v', 'NX'], ['MSET', 's', 'a', 't', 'b'],
      ['MSETNX', 's', 'a', 'u', 'c'], ['GETSET', 's', 'z'], ['APPEND', 's', 'x'], ['SETRANGE', 's', '0', 'q'], ['GET', 's'],
      ['PERSIST', 's'], ['SET', 's', '1000'], ['INCR', 's'], ['INCRBYFLOAT', 's', '1.5'], ['GETEX', 's', 'PERSIST'], ['STRLEN', 's'],
      ['TTL', 's'], ['EXISTS', 's'], ['TYPE', 's'], ['TOUCH', 's'],
    ),
    ...RESET,
  ],
  'a STORE command counts an access to its destination and keeps its counter': [
    ...LFU,
    c('SADD', 'a', '1', '2'), c('SADD', 'b', '2', '3'), c('ZADD', 'za', '1', 'x'), c('RPUSH', 'src', '3', '1', '2'),
    c('GEOADD', 'g', '1', '1', 'm'), c('PFADD', 'p1', 'a'), c('SET', 'n1', 'abc'),
    ...counted(
      'd',
      ['SET', 'd', 'x'], ['SUNIONSTORE', 'd', 'a', 'b'], ['SINTERSTORE', 'd', 'a', 'b'], ['SDIFFSTORE', 'd', 'a', 'b'],
      ['ZUNIONSTORE', 'd', '1', 'za'], ['ZINTERSTORE', 'd', '1', 'za'], ['ZDIFFSTORE', 'd', '1', 'za'], ['ZRANGESTORE', 'd', 'za', '0', '-1'],
      ['SORT', 'src', 'STORE', 'd'], ['LMOVE', 'src', 'd', 'LEFT', 'LEFT'], ['GEORADIUS', 'g', '1', '1', '10', 'km', 'STORE', 'd'],
      ['GEOSEARCHSTORE', 'd', 'g', 'FROMLONLAT', '1', '1', 'BYRADIUS', '10', 'km'], ['SET', 'd', 'x'], ['PFMERGE', 'd', 'p1'],
      ['BITOP', 'OR', 'd', 'n1'], ['BITOP', 'OR', 'd', 'd'],
    ),
    ...RESET,
  ],
});
