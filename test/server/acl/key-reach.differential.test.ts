import { as } from '../../helpers/acl-rows.js';
import { c as exact, differential, sameType, type Row } from '../../helpers/differential.js';

/**
 * Keys a command reaches that are not where its key specs point: SORT's
 * BY and GET patterns, a script's calls, MIGRATE's KEYS, and every key an
 * option or a count brings in. Each row runs as a user limited to `pub:*`
 * (or reading everything but writing only `pub:*`), so a key outside
 * those patterns that a command reaches unchecked shows as a reply that
 * differs from Redis's refusal.
 */
const { c } = as('default');
const eve = as('eve');

const USERS = ['eve', 'reader', 'picker'];
const fresh: Row[] = [sameType('ACL', 'DELUSER', ...USERS)];

/** Keys of both kinds, made as the default user: what eve must not learn is in `private:*`. */
const data: Row[] = [
  exact('RPUSH', 'pub:list', '3', '1', '2'),
  exact('MSET', 'private:1', 'c', 'private:2', 'a', 'private:3', 'b', 'pub:1', 'x'),
  exact('HSET', 'private:h:1', 'pw', 'secret1'),
  exact('HSET', 'private:h:2', 'pw', 'secret2'),
  exact('RPUSH', 'private:list', '1'),
];

/** Logs in as `user` limited by `rules`. */
const login = (user: string, ...rules: string[]): Row[] => [
  c('ACL', 'SETUSER', user, 'on', '>pw', ...rules),
  c('AUTH', user, 'pw'),
];

/** Lines that reach `private:b` beside `pub:*` keys through options, counts and positions. */
const REACHING: string[][] = [
  ['ZUNIONSTORE', 'pub:d', '2', 'pub:a', 'private:b'],
  ['ZINTERSTORE', 'pub:d', '2', 'pub:a', 'private:b', 'WEIGHTS', '1', '2'],
  ['ZDIFFSTORE', 'pub:d', '2', 'pub:a', 'private:b'],
  ['ZUNION', '2', 'pub:a', 'private:b'],
  ['ZDIFF', '2', 'pub:a', 'private:b'],
  ['ZINTERCARD', '2', 'pub:a', 'private:b'],
  ['ZRANGESTORE', 'private:b', 'pub:a', '0', '-1'],
  ['SINTERCARD', '2', 'pub:a', 'private:b'],
  ['SUNIONSTORE', 'pub:d', 'pub:a', 'private:b'],
  ['SDIFF', 'pub:a', 'private:b'],
  ['SMOVE', 'pub:a', 'private:b', 'm'],
  ['LMPOP', '2', 'pub:a', 'private:b', 'LEFT'],
  ['BLMPOP', '0.01', '2', 'pub:a', 'private:b', 'LEFT'],
  ['ZMPOP', '2', 'pub:a', 'private:b', 'MIN'],
  ['BZMPOP', '0.01', '2', 'pub:a', 'private:b', 'MIN'],
  ['BLPOP', 'pub:a', 'private:b', '0.01'],
  ['LMOVE', 'pub:a', 'private:b', 'LEFT', 'RIGHT'],
  ['BLMOVE', 'pub:a', 'private:b', 'LEFT', 'RIGHT', '0.01'],
  ['RPOPLPUSH', 'pub:a', 'private:b'],
  ['XREAD', 'COUNT', '1', 'STREAMS', 'pub:a', 'private:b', '0', '0'],
  ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'pub:a', 'private:b', '>', '>'],
  ['MIGRATE', '127.0.0.1', '1', '', '0', '100', 'KEYS', 'pub:a', 'private:b'],
  ['MIGRATE', '127.0.0.1', '1', 'private:b', '0', '100'],
  ['MIGRATE', '127.0.0.1', '1', 'private:b', '0', '100', 'AUTH', 'keys'],
  ['MIGRATE', '127.0.0.1', '1', 'private:b', '0', '100', 'AUTH2', 'keys', 'keys', 'COPY'],
  ['MIGRATE', '127.0.0.1', '1', '', '0', '100', 'AUTH', 'keys', 'KEYS', 'private:b'],
  ['EVAL', 'return 1', '2', 'pub:a', 'private:b'],
  ['EVAL_RO', 'return 1', '2', 'pub:a', 'private:b'],
  ['FCALL', 'nosuch', '2', 'pub:a', 'private:b'],
  ['BITOP', 'AND', 'pub:d', 'pub:a', 'private:b'],
  ['BITOP', 'NOT', 'private:b', 'pub:a'],
  ['LCS', 'pub:a', 'private:b'],
  ['PFMERGE', 'pub:d', 'pub:a', 'private:b'],
  ['PFCOUNT', 'pub:a', 'private:b'],
  ['RENAME', 'pub:a', 'private:b'],
  ['COPY', 'pub:a', 'private:b'],
  ['MSETNX', 'pub:a', '1', 'private:b', '2'],
  ['MGET', 'pub:a', 'private:b'],
  ['EXISTS', 'pub:a', 'private:b'],
  ['TOUCH', 'pub:a', 'private:b'],
  ['UNLINK', 'pub:a', 'private:b'],
  ['WATCH', 'pub:a', 'private:b'],
  ['OBJECT', 'ENCODING', 'private:b'],
  ['MEMORY', 'USAGE', 'private:b'],
  ['DUMP', 'private:b'],
  ['GEORADIUS', 'pub:a', '0', '0', '1', 'km', 'STORE', 'private:b'],
  ['GEORADIUS', 'pub:a', '0', '0', '1', 'km', 'STOREDIST', 'private:b'],
  ['GEORADIUSBYMEMBER', 'pub:a', 'm', '1', 'km', 'STORE', 'private:b'],
  ['GEOSEARCHSTORE', 'private:b', 'pub:a', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'],
  ['SORT', 'pub:a', 'STORE', 'private:b'],
  ['SORT', 'private:b'],
  ['SORT_RO', 'private:b'],
  ['XAUTOCLAIM', 'private:b', 'g', 'c', '0', '0'],
  ['XINFO', 'STREAM', 'private:b'],
  ['XGROUP', 'CREATE', 'private:b', 'g', '$', 'MKSTREAM'],
];

differential('keys a restricted user reaches beyond the key specs', {
  'SORT refuses GET and a sorting BY unless the user may read every key': [
    ...fresh,
    ...data,
    ...login('eve', '+@all', '~pub:*'),
    eve.c('SORT', 'pub:list'),
    eve.c('SORT', 'pub:list', 'DESC', 'LIMIT', '0', '2'),
    eve.fails('SORT', 'pub:list', 'GET', 'private:*'),
    eve.fails('SORT', 'pub:list', 'GET', 'private:h:*->pw'),
    eve.fails('SORT', 'pub:list', 'GET', '#'),
    eve.fails('SORT', 'pub:list', 'GET', 'pub:*'),
    eve.fails('SORT', 'pub:list', 'BY', 'private:*'),
    eve.fails('SORT', 'pub:list', 'BY', 'private:h:*->pw', 'ALPHA'),
    eve.fails('SORT', 'pub:list', 'BY', 'private:*', 'STORE', 'pub:out'),
    eve.fails('SORT', 'pub:list', 'GET', 'private:*', 'STORE', 'pub:out'),
    eve.fails('SORT_RO', 'pub:list', 'GET', 'private:*'),
    eve.fails('SORT_RO', 'pub:list', 'BY', 'private:*'),
    // A constant BY reads no key: it only keeps the elements' order.
    eve.c('SORT', 'pub:list', 'BY', 'nosort'),
    eve.c('SORT', 'pub:list', 'BY', 'nosort', 'STORE', 'pub:out'),
    // The options are read in order: the first bad one answers.
    eve.fails('SORT', 'pub:list', 'LIMIT', 'x', '1', 'GET', 'private:*'),
    eve.fails('SORT', 'pub:list', 'GET', 'private:*', 'LIMIT', 'x', '1'),
    eve.fails('SORT', 'pub:list', 'GET', 'private:*', 'bogus'),
    eve.fails('SORT', 'pub:list', 'bogus', 'GET', 'private:*'),
    eve.fails('SORT', 'private:list'),
    eve.c('AUTH', 'default', 'x'),
    exact('EXISTS', 'pub:out'),
    exact('LRANGE', 'pub:out', '0', '-1'),
  ],
  'SORT patterns are allowed by reading every key, from any selector that allows the line': [
    ...fresh,
    ...data,
    ...login('reader', '+@all', '%R~*', '%W~pub:*'),
    as('reader').c('SORT', 'pub:list', 'BY', 'private:*', 'GET', '#', 'GET', 'private:h:*->pw'),
    as('reader').c('SORT', 'pub:list', 'BY', 'private:*', 'GET', 'private:*', 'STORE', 'pub:out'),
    as('reader').c('LRANGE', 'pub:out', '0', '-1'),
    as('reader').fails('SORT', 'pub:list', 'GET', 'private:*', 'STORE', 'private:out'),
    c('AUTH', 'default', 'x'),
    ...login('picker', '+@all', '~pub:*', '(+sort ~*)', '(+sort_ro %R~pub:* %R~private:*)'),
    as('picker').c('SORT', 'pub:list', 'BY', 'private:*', 'GET', 'private:*'),
    as('picker').fails('SORT_RO', 'pub:list', 'BY', 'private:*'),
    as('picker').fails('SORT_RO', 'pub:list', 'GET', 'private:*'),
    c('AUTH', 'default', 'x'),
    c('ACL', 'SETUSER', 'picker', 'reset', 'on', '>pw', '+@all', '%W~*', '~pub:*'),
    c('AUTH', 'picker', 'pw'),
    as('picker').fails('SORT', 'pub:list', 'GET', 'private:*'),
    c('AUTH', 'default', 'x'),
  ],
  'a script calls as its caller: SORT patterns and keys outside the patterns are refused': [
    ...fresh,
    ...data,
    ...login('eve', '+@all', '~pub:*'),
    eve.c('EVAL', "return redis.pcall('sort', KEYS[1], 'GET', 'private:*')", '1', 'pub:list'),
    eve.c('EVAL', "return redis.pcall('sort', KEYS[1], 'BY', 'private:h:*->pw')", '1', 'pub:list'),
    eve.c('EVAL', "return redis.pcall('sort_ro', KEYS[1], 'GET', '#')", '1', 'pub:list'),
    eve.c('EVAL', "return redis.pcall('sort', KEYS[1], 'BY', 'nosort')", '1', 'pub:list'),
    eve.c('EVAL', "return redis.pcall('get', 'private:1')", '0'),
    eve.c('EVAL', "return redis.pcall('hget', 'private:h:1', 'pw')", '1', 'pub:list'),
    eve.c('EVAL', "return redis.pcall('mget', 'pub:1', 'private:1')", '0'),
    eve.c('EVAL', "return redis.pcall('zunionstore', 'pub:d', 2, 'pub:list', 'private:list')", '0'),
    eve.c('EVAL', "return redis.pcall('get', 'pub:1')", '0'),
    eve.c('AUTH', 'default', 'x'),
    // The default user's script may use the patterns again: the script's client took eve's user only for eve's run.
    exact('EVAL', "return redis.call('sort', KEYS[1], 'BY', 'private:*', 'GET', 'private:h:*->pw')", '1', 'pub:list'),
  ],
  'every key a line reaches is checked, wherever the line puts it': [
    ...fresh,
    ...login('eve', '+@all', '~pub:*'),
    ...REACHING.map((line) => eve.fails(...line)),
    eve.c('AUTH', 'default', 'x'),
    exact('ACL', 'LOG', 'RESET'),
  ],
  'a user reading everything but writing only pub:* may not write elsewhere through an option': [
    ...fresh,
    ...login('reader', '+@all', '%R~*', '%W~pub:*'),
    ...[
      ['ZUNIONSTORE', 'private:d', '2', 'pub:a', 'private:b'],
      ['SORT', 'pub:a', 'STORE', 'private:b'],
      ['GEORADIUS', 'pub:a', '0', '0', '1', 'km', 'STORE', 'private:b'],
      ['GEOSEARCHSTORE', 'private:b', 'pub:a', 'FROMLONLAT', '0', '0', 'BYRADIUS', '1', 'km'],
      ['BITOP', 'NOT', 'private:b', 'pub:a'],
      ['LMOVE', 'pub:a', 'private:b', 'LEFT', 'RIGHT'],
      ['RENAME', 'pub:a', 'private:b'],
      ['XREADGROUP', 'GROUP', 'g', 'c', 'STREAMS', 'private:b', '>'],
      ['MIGRATE', '127.0.0.1', '1', '', '0', '100', 'KEYS', 'pub:a', 'private:b'],
      ['EVAL', 'return 1', '1', 'private:b'],
    ].map((line) => as('reader').fails(...line)),
    as('reader').c('EVAL_RO', 'return 1', '1', 'private:b'),
    as('reader').c('ZUNIONSTORE', 'pub:d', '2', 'pub:a', 'private:b'),
    as('reader').c('GEORADIUS', 'pub:a', '0', '0', '1', 'km', 'STORE', 'pub:b'),
    c('AUTH', 'default', 'x'),
  ],
  'COMMAND GETKEYSANDFLAGS names every key those lines reach': REACHING.filter(
    (line) => !['WATCH', 'FCALL'].includes(line[0]),
  ).map((line) => exact('COMMAND', 'GETKEYSANDFLAGS', ...line)),
});
