import { c, differential, fails, help, sameType, unordered } from '../../helpers/differential.js';

const FAR = '4000000000'; // a deadline (s) well in the future
const BIN = 'bin\x00\xff\r\nkey';

differential('generic key commands', {
  'DEL, UNLINK and EXISTS count each key named': [
    c('SET', 'a', '1'), c('SET', 'b', '2'), c('SET', BIN, 'v'),
    c('EXISTS', 'a', 'b', 'c', 'a'), c('EXISTS', BIN), c('DEL', 'a', 'c', 'a'), c('EXISTS', 'a'),
    c('UNLINK', 'b', 'nosuch', BIN), c('EXISTS', 'b', BIN), c('DEL', 'nosuch'),
    fails('DEL'), fails('UNLINK'), fails('EXISTS'),
  ],
  'TYPE and TOUCH': [
    c('TYPE', 'nosuch'), c('SET', 's', 'v'), c('TYPE', 's'), c('TOUCH', 's', 'nosuch', 's'), c('TOUCH', 'nosuch'),
    fails('TYPE'), fails('TYPE', 'a', 'b'), fails('TOUCH'),
  ],
  'KEYS with glob patterns': [
    ...['hello', 'hallo', 'hxllo', 'hllo', 'heeello', 'h*llo', 'h[a]llo', 'HELLO', 'foo', 'f\\oo', BIN].map((k) => c('SET', k, '1')),
    unordered('KEYS', '*'), unordered('KEYS', 'h?llo'), unordered('KEYS', 'h*llo'), unordered('KEYS', 'h[ae]llo'),
    unordered('KEYS', 'h[^e]llo'), unordered('KEYS', 'h[a-b]llo'), unordered('KEYS', 'h[b-a]llo'),
    unordered('KEYS', 'h\\*llo'), unordered('KEYS', 'h\\[a]llo'), unordered('KEYS', 'h[\\a]llo'), unordered('KEYS', 'f\\\\oo'),
    unordered('KEYS', 'h[a'), unordered('KEYS', '*\x00*'), unordered('KEYS', 'bin?\xff*'), unordered('KEYS', 'nomatch*'),
    unordered('KEYS', 'HEL*'), unordered('KEYS', '*l*l*'), unordered('KEYS', '?'), unordered('KEYS', 'hello'),
    fails('KEYS'), fails('KEYS', 'a', 'b'),
  ],
  'KEYS: high bytes in ranges compare as signed chars': [
    c('SET', '\x01', '1'), c('SET', '\x7f', '1'), c('SET', '\x80', '1'), c('SET', '\xff', '1'), c('SET', 'a', '1'),
    unordered('KEYS', '[\x00-\xff]'), unordered('KEYS', '[\x80-\xff]'), unordered('KEYS', '[\x01-\x80]'),
    unordered('KEYS', '[^\x00-\x7f]'), unordered('KEYS', '[\xff]'),
  ],
  'the empty key matches only the empty pattern': [
    c('SET', '', 'x'), c('SET', 'a', 'y'), unordered('KEYS', '*'), unordered('KEYS', '**'), unordered('KEYS', ''),
    unordered('KEYS', '?*'), c('EXISTS', ''), c('TYPE', ''), c('SCAN', '0', 'MATCH', '**'),
  ],
  'RANDOMKEY': [
    c('RANDOMKEY'), c('SET', 'only', '1'), c('RANDOMKEY'), c('SET', 'two', '2'), sameType('RANDOMKEY'),
    fails('RANDOMKEY', 'x'),
  ],
  'RENAME moves the value and its deadline': [
    fails('RENAME', 'nosuch', 'x'), c('SET', 'a', '1'), c('RENAME', 'a', 'a'), c('RENAME', 'a', 'b'), c('EXISTS', 'a'),
    c('GET', 'b'), c('SET', 'c', '3'), c('RENAME', 'b', 'c'), c('GET', 'c'),
    c('EXPIREAT', 'c', FAR), c('RENAME', 'c', 'd'), c('EXPIRETIME', 'd'), c('TTL', 'c'),
    c('SET', 'plain', 'p'), c('RENAME', 'plain', 'd'), c('TTL', 'd'), c('GET', 'd'),
    c('RENAME', 'd', BIN), c('GET', BIN), fails('RENAME', 'x'), fails('RENAME', 'a', 'b', 'c'),
  ],
  'RENAMENX': [
    fails('RENAMENX', 'nosuch', 'x'), c('SET', 'x', '1'), c('RENAMENX', 'x', 'x'), c('SET', 'p', '2'),
    c('RENAMENX', 'x', 'p'), c('GET', 'p'), c('RENAMENX', 'x', 'q'), c('GET', 'q'), c('EXISTS', 'x'),
    fails('RENAMENX', 'x'),
  ],
  'MOVE between databases': [
    c('SET', 'k', 'v'), c('EXPIREAT', 'k', FAR), c('MOVE', 'k', '1'), c('EXISTS', 'k'), c('SELECT', '1'),
    c('GET', 'k'), c('EXPIRETIME', 'k'), fails('MOVE', 'k', '1'), c('SET', 'k2', 'db1'), c('SELECT', '0'),
    c('SET', 'k2', 'db0'), c('MOVE', 'k2', '1'), c('GET', 'k2'), c('MOVE', 'nosuch', '1'),
    fails('MOVE', 'k2', '16'), fails('MOVE', 'k2', '-1'), fails('MOVE', 'k2', 'x'), fails('MOVE', 'k2', '4294967296'),
    fails('MOVE', 'k2', '0'), fails('MOVE', 'nosuch', '0'), fails('MOVE', 'k2'),
    c('SET', BIN, 'b'), c('MOVE', BIN, '15'), c('SELECT', '15'), c('GET', BIN),
  ],
  'COPY within and across databases': [
    c('SET', 'src', 'v'), c('EXPIREAT', 'src', FAR), c('COPY', 'src', 'dst'), c('GET', 'dst'), c('EXPIRETIME', 'dst'),
    c('COPY', 'src', 'dst'), c('SET', 'src', 'w'), c('COPY', 'src', 'dst', 'REPLACE'), c('GET', 'dst'), c('TTL', 'dst'),
    c('COPY', 'src', 'other', 'DB', '3'), c('SELECT', '3'), c('GET', 'other'), c('SELECT', '0'),
    c('COPY', 'nosuch', 'x'), fails('COPY', 'src', 'src'), c('COPY', 'src', 'src', 'DB', '1'),
    c('COPY', 'src', 'y', 'replace', 'db', '2', 'DB', '0'), c('GET', 'y'),
    fails('COPY', 'src', 'x', 'DB'), fails('COPY', 'src', 'x', 'DB', '16'), fails('COPY', 'src', 'x', 'DB', 'abc'),
    fails('COPY', 'src', 'x', 'DB', '-1'), fails('COPY', 'src', 'x', 'DB', '4294967296'), fails('COPY', 'src', 'x', 'BOGUS'), fails('COPY', 'src', 'src', 'DB', '0'),
    fails('COPY', 'src'), c('COPY', 'src', BIN), c('GET', BIN),
  ],
  'OBJECT': [
    help('OBJECT', 'HELP'), help('object', 'help'), fails('OBJECT'), fails('OBJECT', 'ENCODING'), fails('OBJECT', 'FOO'),
    fails('OBJECT', 'ENCODING', 'a', 'b'), fails('OBJECT', 'HELP', 'x'),
    c('OBJECT', 'ENCODING', 'nosuch'), c('OBJECT', 'FREQ', 'nosuch'), c('OBJECT', 'IDLETIME', 'nosuch'),
    c('OBJECT', 'REFCOUNT', 'nosuch'),
    c('SET', 'i', '12345'), c('OBJECT', 'ENCODING', 'i'), c('OBJECT', 'REFCOUNT', 'i'),
    c('SET', 'small', '9999'), c('OBJECT', 'REFCOUNT', 'small'), c('SET', 'zero', '0'), c('OBJECT', 'REFCOUNT', 'zero'),
    c('SET', 'neg', '-1'), c('OBJECT', 'REFCOUNT', 'neg'), c('OBJECT', 'ENCODING', 'neg'),
    c('SET', 'min', '-9223372036854775808'), c('OBJECT', 'ENCODING', 'min'),
    c('SET', 'over', '9223372036854775808'), c('OBJECT', 'ENCODING', 'over'),
    c('SET', 'lead', '01'), c('OBJECT', 'ENCODING', 'lead'), c('SET', 'mz', '-0'), c('OBJECT', 'ENCODING', 'mz'),
    c('SET', 'e', 'hello'), c('OBJECT', 'ENCODING', 'e'), c('SET', 'e44', 'x'.repeat(44)), c('OBJECT', 'ENCODING', 'e44'),
    c('SET', 'r45', 'x'.repeat(45)), c('OBJECT', 'ENCODING', 'r45'), c('OBJECT', 'REFCOUNT', 'r45'),
    fails('OBJECT', 'FREQ', 'i'),
  ],
  'SCAN replies and errors': [
    c('SCAN', '0'), c('SET', 'one', '1'), c('SCAN', '0'), c('SCAN', '0', 'MATCH', 'o*', 'COUNT', '100'),
    c('SCAN', '0', 'MATCH', 'x*'), c('SCAN', '0', 'TYPE', 'string'), c('SCAN', '0', 'type', 'STRING'),
    c('SCAN', '0', 'TYPE', 'list'), c('SCAN', '0', 'TYPE', 'nosuchtype'), c('SCAN', ''), c('SCAN', '-0'), c('SCAN', '+0'),
    c('SCAN', '0', 'COUNT', '1', 'COUNT', '5'), sameType('SCAN', '18446744073709551615'), sameType('SCAN', '-1'),
    fails('SCAN', 'x'), fails('SCAN', ' 0'), fails('SCAN', '0 '), fails('SCAN', '0x1'), fails('SCAN', '+'),
    fails('SCAN', '18446744073709551616'), fails('SCAN', '0', 'COUNT', '0'), fails('SCAN', '0', 'COUNT', '-1'),
    fails('SCAN', '0', 'COUNT', 'x'), fails('SCAN', '0', 'COUNT'), fails('SCAN', '0', 'BOGUS', '1'),
    fails('SCAN', '0', 'MATCH'), fails('SCAN'), fails('SCAN', 'x', 'COUNT', '0'),
  ],
  'WAIT with no replicas': [
    c('WAIT', '0', '0'), c('WAIT', '-1', '100'), c('WAIT', '0', '100'), fails('WAIT', 'x', '0'),
    fails('WAIT', '0', '-1'), fails('WAIT', '0', 'x'), fails('WAIT', '0'),
    c('MULTI'), c('WAIT', '1', '0'), c('EXEC'),
  ],
});

differential('expiry commands', {
  'EXPIRE family sets deadlines; TTL family reads them': [
    c('SET', 'k', 'v'), c('EXPIRE', 'k', '100'), c('TTL', 'k'), sameType('PTTL', 'k'), c('EXPIRE', 'nosuch', '100'),
    c('PEXPIRE', 'k', '200000'), c('TTL', 'k'), c('EXPIREAT', 'k', FAR), c('EXPIRETIME', 'k'), c('PEXPIRETIME', 'k'),
    c('PEXPIREAT', 'k', '4000000000123'), c('PEXPIRETIME', 'k'), c('EXPIRETIME', 'k'), c('PEXPIREAT', 'k', '4000000000500'),
    c('EXPIRETIME', 'k'),
    c('PERSIST', 'k'), c('PERSIST', 'k'), c('TTL', 'k'), c('PTTL', 'k'), c('EXPIRETIME', 'k'), c('PEXPIRETIME', 'k'),
    c('PERSIST', 'nosuch'), c('TTL', 'nosuch'), c('PTTL', 'nosuch'), c('EXPIRETIME', 'nosuch'), c('PEXPIRETIME', 'nosuch'),
    c('EXPIRE', BIN, '10'), c('SET', BIN, 'b'), c('EXPIRE', BIN, '10'), c('TTL', BIN),
    fails('TTL'), fails('TTL', 'a', 'b'), fails('PERSIST'), fails('EXPIRE', 'k'), fails('PEXPIRETIME'),
  ],
  'a deadline already past deletes the key': [
    c('SET', 'k', 'v'), c('EXPIRE', 'k', '-1'), c('EXISTS', 'k'), c('SET', 'k', 'v'), c('EXPIREAT', 'k', '1'),
    c('EXISTS', 'k'), c('SET', 'k', 'v'), c('PEXPIRE', 'k', '0'), c('EXISTS', 'k'), c('SET', 'k', 'v'),
    c('PEXPIREAT', 'k', '-5'), c('EXISTS', 'k'), c('SET', 'k', 'v'), c('PEXPIRE', 'k', '-9223372036854775808'),
    c('EXISTS', 'k'), c('EXPIRE', 'k', '-1'),
  ],
  'invalid and overflowing times': [
    c('SET', 'k', 'v'), fails('EXPIRE', 'k', 'abc'), fails('EXPIRE', 'k', '1.5'), fails('EXPIRE', 'k', ' 1'),
    fails('EXPIRE', 'k', '01'), fails('EXPIRE', 'k', '9223372036854775808'),
    fails('EXPIRE', 'k', '9223372036854775807'), fails('EXPIRE', 'k', '9223372036854776'),
    fails('EXPIRE', 'k', '-9223372036854776'), fails('PEXPIRE', 'k', '9223372036854775807'),
    fails('EXPIREAT', 'k', '9223372036854775807'), fails('PEXPIRE', 'nosuch', '9223372036854775807'),
    c('EXPIREAT', 'k', '9223372036854775'), c('EXISTS', 'k'),
    // 2^63-1 ms cannot be held exactly by a double: Sluice keeps the nearest one.
    c('PEXPIREAT', 'k', '9223372036854775807'), sameType('PEXPIRETIME', 'k'), sameType('TTL', 'k'),
  ],
  'NX, XX, GT and LT': [
    c('SET', 'k', 'v'), c('EXPIRE', 'k', '100', 'XX'), c('EXPIRE', 'k', '100', 'GT'), c('TTL', 'k'),
    c('EXPIRE', 'k', '100', 'LT'), c('TTL', 'k'), c('EXPIRE', 'k', '200', 'NX'), c('EXPIRE', 'k', '200', 'gt'),
    c('TTL', 'k'), c('EXPIRE', 'k', '150', 'GT'), c('EXPIRE', 'k', '150', 'LT'), c('TTL', 'k'),
    c('EXPIRE', 'k', '300', 'XX', 'GT'), c('TTL', 'k'), c('EXPIRE', 'k', '300', 'xx', 'lt'),
    c('PERSIST', 'k'), c('EXPIRE', 'k', '-1', 'GT'), c('EXISTS', 'k'), c('EXPIRE', 'k', '100', 'NX'), c('TTL', 'k'),
    c('EXPIRE', 'k', '-1', 'LT'), c('EXISTS', 'k'), c('EXPIRE', 'nosuch', '10', 'NX'),
    fails('EXPIRE', 'k', '10', 'XX', 'NX'), fails('EXPIRE', 'k', '10', 'NX', 'GT'), fails('EXPIRE', 'k', '10', 'LT', 'NX'),
    fails('EXPIRE', 'k', '10', 'GT', 'LT'), fails('EXPIRE', 'k', '10', 'FOO'), fails('EXPIRE', 'k', 'abc', 'FOO'),
    fails('EXPIRE', 'k', 'x', 'NX'), fails('PEXPIREAT', 'k', '10', 'NX', 'NX', 'XX'), c('EXPIRE', 'k', '10', 'NX', 'NX'),
  ],
  'expiry in several databases': [
    c('SELECT', '2'), c('SET', 'k', 'v'), c('EXPIREAT', 'k', FAR), c('SELECT', '0'), c('TTL', 'k'), c('SELECT', '2'),
    c('EXPIRETIME', 'k'), c('COPY', 'k', 'k', 'DB', '0'), c('SELECT', '0'), c('EXPIRETIME', 'k'),
  ],
});

differential('generic key commands over RESP3', {
  'nil and aggregate replies': [
    c('RANDOMKEY'), c('OBJECT', 'ENCODING', 'nosuch'), c('SET', 'k', 'v'), c('KEYS', '*'), c('SCAN', '0'),
    c('TYPE', 'k'), help('OBJECT', 'HELP'), c('TTL', 'k'), c('COPY', 'k', 'k2'), c('RENAME', 'k2', 'k3'),
  ],
}, { proto: 3 });
