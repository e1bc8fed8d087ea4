import { c, differential, fails } from '../helpers/differential.js';
import { on, pubsubDifferential, sleep, type Step } from '../helpers/pubsub-script.js';

/**
 * Keyspace notifications against redis-server: connection 0 listens to
 * every keyspace and keyevent channel, connection 1 runs commands, and
 * after each command the messages connection 0 received must be Redis's,
 * in Redis's order.
 */
const listen = (flags: string): Step[] => [
  on(1, 'CONFIG', 'SET', 'notify-keyspace-events', flags),
  on(0, 'PSUBSCRIBE', '__key*__:*'),
];
const run = (...cmd: string[]) => on(1, ...cmd);

pubsubDifferential('keyspace notifications', 2, {
  'string commands raise their events, and new keys raise new first': [
    ...listen('KEA'), run('SET', 'k', 'v'), run('SET', 'k', 'w'), run('SETNX', 'k', 'x'), run('SETNX', 'n', 'x'),
    run('SET', 'k', 'v', 'NX'), run('SET', 'k', 'v', 'XX', 'GET'), run('SETEX', 'e', '100', 'v'), run('PSETEX', 'p', '100000', 'v'),
    run('SET', 'x', 'v', 'EX', '100'), run('SET', 'x', 'v', 'KEEPTTL'), run('GETSET', 'k', 'g'), run('MSET', 'm1', '1', 'm2', '2'),
    run('MSETNX', 'm1', '1', 'm3', '3'), run('MSETNX', 'm4', '4', 'm5', '5'), run('APPEND', 'k', 'more'), run('APPEND', 'a', 'new'),
    run('SETRANGE', 'k', '1', 'XY'), run('SETRANGE', 'r', '3', 'pad'), run('SETRANGE', 'k', '0', ''), run('INCR', 'i'),
    run('INCRBY', 'i', '5'), run('DECR', 'i'), run('DECRBY', 'i', '2'), run('INCRBYFLOAT', 'f', '1.5'), run('INCRBYFLOAT', 'f', '1'),
    run('GETDEL', 'k'), run('GETDEL', 'k'), run('GETEX', 'm1', 'EX', '100'), run('GETEX', 'm1', 'PERSIST'),
    run('GETEX', 'm1', 'PERSIST'), run('GETEX', 'm2', 'PXAT', '1'), run('GETEX', 'm3'), run('INCR', 'a'), run('LCS', 'm4', 'm5'),
  ],
  'new is raised only with n, and only once a key is created': [
    ...listen('KEAn'), run('SET', 'k', 'v'), run('SET', 'k', 'v2'), run('INCR', 'i'), run('INCR', 'i'), run('APPEND', 'a', 'x'),
    run('SETRANGE', 's', '2', 'x'), run('MSET', 'k', '1', 'm', '2'), run('RENAME', 'k', 'k2'), run('RENAME', 'k2', 'm'),
    run('COPY', 'm', 'c1'), run('COPY', 'm', 'c1', 'REPLACE'), run('MOVE', 'c1', '2'), run('GETSET', 'g', '1'),
    on(1, 'CONFIG', 'SET', 'notify-keyspace-events', 'En'), run('SET', 'only-new', '1'), run('SET', 'only-new', '2'),
  ],
  'generic commands: del, rename, move, copy, expire, persist': [
    ...listen('KEA'), run('MSET', 'a', '1', 'b', '2', 'c', '3'), run('DEL', 'a', 'nosuch', 'b'), run('UNLINK', 'c'),
    run('SET', 'k', 'v'), run('RENAME', 'k', 'k2'), run('RENAMENX', 'k2', 'k3'), run('SET', 'o', 'v'), run('RENAMENX', 'k3', 'o'),
    run('RENAME', 'k3', 'k3'), run('MOVE', 'k3', '3'), run('SELECT', '3'), run('MOVE', 'k3', '0'), run('SELECT', '0'),
    run('COPY', 'k3', 'k4', 'DB', '5'), run('COPY', 'k3', 'o', 'REPLACE'), run('EXPIRE', 'o', '100'), run('PEXPIRE', 'o', '100000'),
    run('EXPIREAT', 'o', '99999999999'), run('PEXPIREAT', 'o', '99999999999999'), run('EXPIRE', 'o', '100', 'NX'),
    run('PERSIST', 'o'), run('PERSIST', 'o'), run('EXPIRE', 'o', '-1'), run('EXPIRE', 'nosuch', '10'), run('FLUSHDB'),
  ],
  'list commands raise their events, in Redis order': [
    ...listen('KEAn'), run('LPUSH', 'l', 'a', 'b'), run('RPUSH', 'l', 'c'), run('LPUSHX', 'nosuch', 'x'), run('RPUSHX', 'l', 'd'),
    run('LINSERT', 'l', 'BEFORE', 'c', 'x'), run('LSET', 'l', '0', 'z'), run('LREM', 'l', '1', 'x'), run('LTRIM', 'l', '0', '2'),
    run('LPOP', 'l'), run('RPOP', 'l', '5'), run('RPUSH', 'm', '1', '2', '3'), run('LMOVE', 'm', 'n', 'LEFT', 'RIGHT'),
    run('RPOPLPUSH', 'm', 'n'), run('LMPOP', '2', 'nosuch', 'm', 'LEFT'), run('BLPOP', 'n', '0'), run('BLMOVE', 'n', 'o', 'RIGHT', 'LEFT', '0'),
    run('LTRIM', 'o', '1', '0'), run('LRANGE', 'nosuch', '0', '-1'), run('LLEN', 'nosuch'),
  ],
  'key misses are raised by reads, only with m': [
    ...listen('KEA'), run('GET', 'x'), on(1, 'CONFIG', 'SET', 'notify-keyspace-events', 'KEm'), run('GET', 'x'),
    run('EXISTS', 'x', 'y'), run('TYPE', 'x'), run('TTL', 'x'), run('PTTL', 'x'), run('STRLEN', 'x'), run('GETRANGE', 'x', '0', '1'),
    run('MGET', 'x', 'y'), run('GETDEL', 'x'), run('GETEX', 'x'), run('SET', 'x', 'v', 'GET'), run('APPEND', 'ap', 'v'),
    run('INCR', 'in'), run('OBJECT', 'ENCODING', 'x'), run('COPY', 'x', 'y'), run('DEL', 'x'), run('EXPIRETIME', 'x'),
    run('SUBSTR', 'x', '0', '1'), run('LCS', 'x', 'y'),
  ],
  'a deadline that passed expires the key on access: expired, then the command': [
    ...listen('KEA'), run('DEBUG', 'SET-ACTIVE-EXPIRE', '0'), run('SET', 'k', 'v', 'PX', '20'), run('SET', 'j', 'v', 'PX', '20'),
    run('SET', 'l', 'v', 'PX', '20'), sleep(60), run('GET', 'k'), run('SET', 'j', 'new'), run('EXISTS', 'l'),
    run('DEBUG', 'SET-ACTIVE-EXPIRE', '1'),
  ],
  'flags choose the channels and the classes': [
    ...listen('K$'), run('SET', 'k', 'v'), run('DEL', 'k'), on(1, 'CONFIG', 'SET', 'notify-keyspace-events', 'Eg'),
    run('SET', 'k', 'v'), run('EXPIRE', 'k', '100'), run('DEL', 'k'), on(1, 'CONFIG', 'SET', 'notify-keyspace-events', 'g$'),
    run('SET', 'k', 'v'), on(1, 'CONFIG', 'SET', 'notify-keyspace-events', 'KA'), run('SET', 'k', 'v'), run('GET', 'nosuch'),
    on(1, 'CONFIG', 'SET', 'notify-keyspace-events', 'Ex'), run('SET', 'k', 'v'), on(1, 'CONFIG', 'SET', 'notify-keyspace-events', ''),
    run('SET', 'k', 'v'), on(1, 'SELECT', '7'), on(1, 'CONFIG', 'SET', 'notify-keyspace-events', 'KEA'), run('SET', 'seven', 'v'),
  ],
  'notifications reach channel subscribers and count as publishes': [
    on(1, 'CONFIG', 'SET', 'notify-keyspace-events', 'KEA'), on(0, 'SUBSCRIBE', '__keyevent@0__:set', '__keyspace@0__:k'),
    run('SET', 'k', 'v'), run('SET', 'other', 'v'), run('DEL', 'k'), on(1, 'PUBSUB', 'NUMSUB', '__keyevent@0__:set'),
  ],
}, { 'enable-debug-command': 'yes' });

const setEvents = (v: string) => c('CONFIG', 'SET', 'notify-keyspace-events', v);
const getEvents = c('CONFIG', 'GET', 'notify-keyspace-events');
const setLimits = (v: string) => c('CONFIG', 'SET', 'client-output-buffer-limit', v);
const getLimits = c('CONFIG', 'GET', 'client-output-buffer-limit');

differential('notify-keyspace-events and client-output-buffer-limit', {
  'notify-keyspace-events reads back in canonical form': [
    getEvents, ...['KEA', 'AKE', 'g', '$', 'Kg', 'A', 'KA', 'EA', 'n', 'm', 'd', 'Am', 'AKEmn', 'gx', 'KEg$lshzxetn', 'EgK$g', '']
      .flatMap((v) => [setEvents(v), getEvents]),
    fails('CONFIG', 'SET', 'notify-keyspace-events', 'Q'), fails('CONFIG', 'SET', 'notify-keyspace-events', 'K z'),
    fails('CONFIG', 'SET', 'notify-keyspace-events', 'a'), getEvents, setEvents('K\x00z'), getEvents, setEvents(''),
  ],
  'client-output-buffer-limit changes only the classes named': [
    getLimits, setLimits('pubsub 1mb 512kb 10'), getLimits, setLimits(''), getLimits, setLimits('NORMAL 1 1 '), getLimits,
    setLimits('replica 1 1 1 slave 2 2 2'), getLimits, setLimits('normal 1K 2kb +3'), getLimits, setLimits('normal  1 1'),
    getLimits, setLimits('normal 1 1 99999999999'), getLimits,
    fails('CONFIG', 'SET', 'client-output-buffer-limit', 'pubsub  1mb 512kb 10'),
    fails('CONFIG', 'SET', 'client-output-buffer-limit', 'master 1 1 1'),
    fails('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 1 -1'),
    fails('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 1 1x'),
    fails('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 1 2147483648'),
    fails('CONFIG', 'SET', 'client-output-buffer-limit', 'normal -1 1 1'),
    fails('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1tb 1 1'),
    fails('CONFIG', 'SET', 'client-output-buffer-limit', ' normal 1 1 1'),
    fails('CONFIG', 'SET', 'client-output-buffer-limit', 'normal 1 1 1 pubsub'),
    getLimits, setLimits('normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60'), getLimits,
  ],
});
