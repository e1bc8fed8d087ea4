import { c, differential, fails, unordered, type Row } from '../../helpers/differential.js';

/**
 * SORT and SORT_RO side by side with a real redis-server: every option and
 * error over lists, sets and sorted sets in both encodings of each, hashes
 * in both for BY/GET's `->field`. Not here (sort.test.ts checks them):
 * OBJECT ENCODING of a stored list (7.0 calls every list quicklist), and
 * the order of a set SORT leaves unsorted, which is Redis's hash table's.
 */

/** The same rows over the values at keys `k` (numbers) and `a` (words), stored in whichever encoding was set up first. */
function sortRows(kind: string): Row[] {
  // Elements whose ALPHA weights tie (missing, equal, or equal up to a NUL as strcoll sees them) keep the order they
  // were loaded in: a list's, but a hash table's in Redis for sets and sorted sets.
  const tied = (...cmd: string[]): Row => (kind === 'list' ? c(...cmd) : unordered(...cmd));
  const tiedLimit = (...cmd: string[]): Row[] => (kind === 'list' ? [c(...cmd)] : []);
  return [
    c('SORT', 'k'),
    c('SORT', 'k', 'DESC'),
    c('SORT', 'k', 'asc'),
    c('SORT', 'k', 'DESC', 'ASC'),
    c('SORT', 'k', 'LIMIT', '1', '3'),
    c('SORT', 'k', 'LIMIT', '1', '3', 'DESC'),
    c('SORT', 'k', 'LIMIT', '-5', '2'),
    c('SORT', 'k', 'LIMIT', '2', '-1'),
    c('SORT', 'k', 'LIMIT', '2', '0'),
    c('SORT', 'k', 'LIMIT', '100', '2'),
    c('SORT', 'k', 'LIMIT', '0', '9223372036854775807'),
    c('SORT', 'k', 'LIMIT', '-9223372036854775808', '3'),
    c('SORT', 'k', 'LIMIT', '1', '2', 'LIMIT', '0', '1'),
    c('SORT', 'k', 'ALPHA'),
    c('SORT', 'k', 'ALPHA', 'DESC', 'LIMIT', '1', '4'),
    fails('SORT', 'a'),
    tied('SORT', 'a', 'ALPHA'),
    tied('SORT', 'a', 'alpha', 'desc'),
    c('SORT_RO', 'a', 'ALPHA', 'LIMIT', '0', '2'),
    ...tiedLimit('SORT_RO', 'a', 'ALPHA', 'LIMIT', '2', '3'),
    c('SORT', 'k', 'BY', 'w_*'),
    c('SORT', 'k', 'BY', 'w_*', 'DESC'),
    c('SORT', 'k', 'BY', 'w_*', 'LIMIT', '2', '3'),
    tied('SORT', 'k', 'BY', 'w_*', 'ALPHA'),
    ...tiedLimit('SORT', 'k', 'BY', 'w_*', 'ALPHA', 'DESC', 'LIMIT', '1', '5'),
    c('SORT', 'k', 'BY', 'w_*', 'ALPHA', 'DESC', 'LIMIT', '3', '2'),
    c('SORT', 'k', 'BY', 'h_*->n'),
    tied('SORT', 'k', 'BY', 'h_*->s', 'ALPHA'),
    ...tiedLimit('SORT', 'k', 'BY', 'nosuch_*', 'ALPHA', 'LIMIT', '1', '4'),
    c('SORT', 'k', 'BY', 'nosuch_*->f'),
    c('SORT', 'k', 'GET', '#'),
    c('SORT', 'k', 'GET', 'w_*', 'GET', '#', 'GET', 'h_*->s', 'GET', 'h_*->nosuch', 'GET', 'nosuch_*', 'GET', 'fixed'),
    c('SORT', 'k', 'BY', 'w_*', 'GET', 'h_*->n', 'LIMIT', '0', '3'),
    c('SORT', 'k', 'GET', 'k', 'GET', 'h_*'),
    c('SORT', 'k', 'GET', 'h_*->', 'GET', '#x'),
    c('SORT_RO', 'k', 'BY', 'w_*', 'GET', '#', 'GET', 'w_*'),
    c('SORT', 'k', 'STORE', 'dst'),
    c('LRANGE', 'dst', '0', '-1'),
    c('SORT', 'k', 'BY', 'w_*', 'GET', 'w_*', 'GET', 'nosuch_*', 'STORE', 'dst'),
    c('LRANGE', 'dst', '0', '-1'),
    c('SORT', 'a', 'ALPHA', 'DESC', 'LIMIT', '1', '2', 'STORE', 'dst', 'STORE', 'dst2'),
    c('LRANGE', 'dst2', '0', '-1'),
    c('LRANGE', 'dst', '0', '-1'),
    c('SORT', 'k', 'LIMIT', '0', '0', 'STORE', 'dst'),
    c('EXISTS', 'dst'),
    c('TYPE', 'k'),
    c('ECHO', kind),
  ];
}

/** Weights for the numbers 1..12 and a few strings: w_N strings, h_N hashes (fields n and s). */
const WEIGHTS: Row[] = [
  c('MSET', 'w_1', '5', 'w_2', '5', 'w_3', '-1', 'w_5', '1e3', 'w_8', '0x10', 'w_13', '2.5', 'w_21', ' 7', 'w_34', 'x'),
  c('HSET', 'h_1', 'n', '3', 's', 'b'),
  c('HSET', 'h_2', 'n', '3', 's', 'a'),
  c('HSET', 'h_3', 'n', '-inf', 's', 'B'),
  c('HSET', 'h_5', 'n', '2', 's', ''),
  c('HSET', 'h_21', 'n', '10', 's', 'b'),
  c('SET', 'w_apple', '3'),
];
const NUMBERS = ['1', '2', '3', '5', '8', '13', '21', '-4', '0', '1.5', '007', '-0'];
const WORDS = ['pear', 'apple', 'Zed', '', 'fig', 'a\x00b', 'a\x00a', 'apple\x00', 'é'];

/**
 * Both encodings of each type, through Redis's thresholds (7.0 has no
 * listpack sets: its small sets of words are hashtables where Sluice's,
 * like 7.2's, are listpacks, and only SORT's unsorted order could tell).
 */
const SMALL = [
  c('CONFIG', 'SET', 'set-max-intset-entries', '3'),
  c('CONFIG', 'SET', 'zset-max-listpack-entries', '3'),
  c('CONFIG', 'SET', 'hash-max-listpack-entries', '1'),
];
const RESET = [
  c('CONFIG', 'SET', 'set-max-intset-entries', '512'),
  c('CONFIG', 'SET', 'zset-max-listpack-entries', '128'),
  c('CONFIG', 'SET', 'hash-max-listpack-entries', '128'),
];
const LONG = 'x'.repeat(9000);

const cases: Record<string, Row[]> = {};
for (const [size, config] of [['small encodings', RESET], ['large encodings', SMALL]] as const) {
  cases[`lists, ${size}`] = [
    ...config, ...WEIGHTS,
    c('RPUSH', 'k', ...NUMBERS), c('RPUSH', 'a', ...WORDS, ...(size === 'large encodings' ? [LONG] : [])),
    ...sortRows('list'),
    c('SORT', 'k', 'BY', 'nosort'),
    c('SORT', 'k', 'BY', 'nosort', 'DESC'),
    c('SORT', 'k', 'BY', 'nosort', 'LIMIT', '2', '4'),
    c('SORT', 'k', 'BY', 'nosort', 'DESC', 'LIMIT', '2', '4'),
    c('SORT', 'k', 'BY', 'nosort', 'LIMIT', '20', '4'),
    c('SORT', 'k', 'BY', 'nosort', 'LIMIT', '3', '0'),
    c('SORT', 'a', 'BY', 'nosort', 'GET', '#', 'GET', 'w_*'),
    c('SORT', 'a', 'BY', 'nosort', 'STORE', 'dst'),
    c('LRANGE', 'dst', '0', '-1'),
    c('SORT', 'k', 'BY', 'const', 'BY', 'w_*'),
    c('SORT', 'k', 'BY', 'w_*', 'BY', 'const', 'DESC'),
    c('SORT', 'k', 'BY', 'no\x00*', 'DESC'),
    ...RESET,
  ];
  cases[`sets, ${size}`] = [
    ...config, ...WEIGHTS,
    c('SADD', 'k', ...NUMBERS), c('SADD', 'a', ...WORDS),
    ...sortRows('set'),
    unordered('SORT', 'k', 'BY', 'nosort'),
    unordered('SORT', 'k', 'BY', 'nosort', 'DESC'),
    unordered('SORT', 'a', 'BY', 'nosort', 'GET', '#'),
    c('SORT', 'a', 'BY', 'nosort', 'STORE', 'dst'),
    c('LRANGE', 'dst', '0', '-1'),
    c('SORT', 'k', 'BY', 'nosort', 'DESC', 'LIMIT', '1', '3', 'STORE', 'dst'),
    c('LRANGE', 'dst', '0', '-1'),
    c('SORT', 'k', 'BY', 'nosort', 'GET', 'w_*', 'STORE', 'dst'),
    c('LRANGE', 'dst', '0', '-1'),
    c('SORT', 'k', 'BY', 'nosort', 'LIMIT', '0', '0'),
    ...RESET,
  ];
  cases[`sorted sets, ${size}`] = [
    ...config, ...WEIGHTS,
    c('ZADD', 'k', ...NUMBERS.flatMap((m, i) => [String((i * 7) % 5), m])),
    c('ZADD', 'a', ...WORDS.flatMap((m, i) => [String(-i), m])),
    ...sortRows('zset'),
    c('SORT', 'k', 'BY', 'nosort'),
    c('SORT', 'k', 'BY', 'nosort', 'DESC'),
    c('SORT', 'k', 'BY', 'nosort', 'LIMIT', '3', '4'),
    c('SORT', 'k', 'BY', 'nosort', 'DESC', 'LIMIT', '3', '4'),
    c('SORT', 'k', 'BY', 'nosort', 'DESC', 'LIMIT', '30', '4'),
    c('SORT', 'a', 'BY', 'nosort', 'GET', '#', 'GET', 'w_*', 'STORE', 'dst'),
    c('LRANGE', 'dst', '0', '-1'),
    c('OBJECT', 'ENCODING', 'k'),
    ...RESET,
  ];
}

cases['a missing key sorts as an empty list'] = [
  c('SORT', 'nokey'),
  c('SORT', 'nokey', 'BY', 'w_*', 'GET', '#', 'LIMIT', '0', '5'),
  c('SORT_RO', 'nokey', 'BY', 'nosort', 'DESC'),
  c('SET', 'dst', 'v'),
  c('SORT', 'nokey', 'STORE', 'dst'),
  c('EXISTS', 'dst'),
  c('SORT', 'nokey', 'STORE', 'dst'),
];

cases['numbers as strtod reads them, and those it refuses'] = [
  c('RPUSH', 'ok', '', '1e2', '0x1p3', 'inf', '-INF', '+5', '.5', '5.', '1\x00junk', '-0', '1e-300', '  3'),
  c('SORT', 'ok'),
  c('SORT', 'ok', 'DESC', 'LIMIT', '0', '4'),
  ...['nan', '1e400', '1e-400', 'abc', '1 ', ' ', '0x', '--1', '1e', 'infinit'].flatMap((bad) => [
    c('DEL', 'bad'),
    c('RPUSH', 'bad', '1', bad),
    fails('SORT', 'bad'),
    c('SORT', 'bad', 'BY', 'nosuch_*', 'GET', '#'),
    c('SORT', 'bad', 'BY', 'nosuch_*', 'BY', '#', 'GET', '#'),
    c('SORT', 'bad', 'ALPHA'),
    c('SORT', 'bad', 'BY', 'nosort'),
  ]),
  c('SET', 'dst', 'kept'),
  fails('SORT', 'bad', 'STORE', 'dst'),
  c('GET', 'dst'),
  c('SET', 'w_a', 'nan'),
  c('RPUSH', 'l', 'a', 'b'),
  fails('SORT', 'l', 'BY', 'w_*'),
  c('SORT', 'l', 'BY', 'w_*', 'ALPHA'),
];

cases['syntax errors, bad numbers and wrong types, in Redis\'s order'] = [
  c('RPUSH', 'l', '2', '1'),
  c('SET', 's', 'v'),
  c('HSET', 'h', 'f', 'v'),
  fails('SORT', 'l', 'LIMIT'),
  fails('SORT', 'l', 'LIMIT', '1'),
  fails('SORT', 'l', 'LIMIT', 'x', '1'),
  fails('SORT', 'l', 'LIMIT', '1', 'x'),
  fails('SORT', 'l', 'LIMIT', '1', '9223372036854775808'),
  fails('SORT', 'l', 'LIMIT', '1.5', '1'),
  fails('SORT', 'l', 'BY'),
  fails('SORT', 'l', 'GET'),
  fails('SORT', 'l', 'STORE'),
  fails('SORT', 'l', 'nosuch'),
  fails('SORT', 'l', 'ALPHA', 'DESCX'),
  fails('SORT', 'l', 'GET', '#', 'BY'),
  fails('SORT_RO', 'l', 'STORE', 'dst'),
  fails('SORT_RO', 'l', 'store', 'dst'),
  fails('SORT', 's'),
  fails('SORT', 'h', 'BY', 'nosort'),
  fails('SORT_RO', 's', 'STORE', 'dst'),
  fails('SORT', 's', 'LIMIT', 'x', '1'),
  fails('SORT', 's', 'bogus'),
  fails('SORT', 'h', 'STORE', 'dst'),
  fails('SORT'),
  fails('SORT_RO'),
  c('EXISTS', 'dst'),
  c('SORT', 'l', 'ALPHA\x00x', 'LIMIT\x00', '0', '1'),
];

cases['STORE replaces any type and its TTL, and sorts from the destination itself'] = [
  c('RPUSH', 'l', '3', '1', '2'),
  c('SET', 'dst', 'v', 'EX', '100'),
  c('SORT', 'l', 'STORE', 'dst'),
  c('TTL', 'dst'),
  c('TYPE', 'dst'),
  c('SORT', 'l', 'DESC', 'STORE', 'l'),
  c('LRANGE', 'l', '0', '-1'),
  c('SORT', 'l', 'GET', 'nosuch', 'STORE', 'l'),
  c('LRANGE', 'l', '0', '-1'),
];

cases['COMMAND GETKEYS finds the sorted key and the last STORE'] = [
  c('COMMAND', 'GETKEYSANDFLAGS', 'SORT', 'k', 'BY', 'x', 'STORE', 'd'),
  c('COMMAND', 'GETKEYSANDFLAGS', 'SORT', 'k', 'LIMIT', '0', '1', 'STORE', 'd', 'GET', 'x', 'STORE', 'e'),
  c('COMMAND', 'GETKEYS', 'SORT', 'k', 'STORE', 'STORE', 'd'),
  c('COMMAND', 'GETKEYS', 'SORT', 'k', 'GET', 'STORE', 'd'),
  c('COMMAND', 'GETKEYS', 'SORT', 'k', 'LIMIT', 'STORE', 'd'),
  c('COMMAND', 'GETKEYS', 'SORT', 'k', 'STORE'),
  c('COMMAND', 'GETKEYS', 'SORT', 'k', 'store\x00', 'd'),
  c('COMMAND', 'GETKEYSANDFLAGS', 'SORT_RO', 'k', 'STORE', 'd'),
  c('COMMAND', 'GETKEYS', 'SORT_RO', 'k', 'BY', 'x'),
];

// An intset's order is ascending in both versions, so its tied ALPHA weights come out in it (7.0's other sets are hash tables).
cases["an intset's tied ALPHA weights"] = [
  c('SADD', 'i', '10', '9', '100', '-3'),
  c('SORT', 'i', 'BY', 'nosuch_*', 'ALPHA'),
  c('SORT', 'i', 'BY', 'nosuch_*', 'ALPHA', 'DESC'),
  c('SORT', 'i', 'BY', 'nosuch_*', 'ALPHA', 'STORE', 'dst'),
  c('LRANGE', 'dst', '0', '-1'),
];

differential('SORT and SORT_RO', cases);
differential('SORT in RESP3', {
  'missing GET values are RESP3 nulls': [
    c('RPUSH', 'l', 'b', 'a'), c('SET', 'w_a', '1'),
    c('SORT', 'l', 'ALPHA', 'GET', 'w_*', 'GET', '#'),
    c('SORT', 'l', 'ALPHA', 'STORE', 'd'),
  ],
}, { proto: 3 });
