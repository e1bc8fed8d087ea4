import { BYTES_FROM } from '../../../src/keyspace/mutable-string.js';
import { c, differential, fails, sameType, type Row } from '../../helpers/differential.js';

const BIN = '\x00\xff\r\n\x80bin';
const INT64_MAX = '9223372036854775807';
const INT64_MIN = '-9223372036854775808';

/** A small seeded generator, so the generated rows are the same on every run. */
function generator(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

/** Decimal increments of many magnitudes and lengths, accumulated on a few keys. */
function generatedFloatRows(count: number): Row[] {
  const rnd = generator(7);
  const rows: Row[] = [];
  for (let i = 0; i < count; i++) {
    let digits = '';
    const n = 1 + Math.floor(rnd() * 20);
    for (let d = 0; d < n; d++) digits += Math.floor(rnd() * 10);
    const point = Math.floor(rnd() * (n + 1));
    const exp = Math.floor(rnd() * 41) - 20;
    const sign = rnd() < 0.3 ? '-' : '';
    const text = `${sign}${digits.slice(0, point) || '0'}.${digits.slice(point) || '0'}${rnd() < 0.5 ? `e${exp}` : ''}`;
    rows.push(c('INCRBYFLOAT', `f${i % 4}`, text));
  }
  return rows;
}

/** Strings over a two- or three-letter alphabet, where equally long answers abound. */
function generatedLcsRows(count: number): Row[] {
  const rnd = generator(11);
  const word = (len: number, alphabet: string) =>
    Array.from({ length: len }, () => alphabet[Math.floor(rnd() * alphabet.length)]).join('');
  const rows: Row[] = [];
  for (let i = 0; i < count; i++) {
    const alphabet = i % 2 === 0 ? 'ab' : 'abc';
    rows.push(c('MSET', 'a', word(Math.floor(rnd() * 30), alphabet), 'b', word(Math.floor(rnd() * 30), alphabet)));
    rows.push(c('LCS', 'a', 'b'), c('LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', String(i % 3), 'WITHMATCHLEN'));
  }
  return rows;
}

differential('string commands', {
  'INCRBYFLOAT matches digit for digit over generated values': generatedFloatRows(300),
  'LCS matches answer and ranges over generated strings': generatedLcsRows(40),
  'GET and SET': [
    c('GET', 'k'), c('SET', 'k', 'v'), c('GET', 'k'), c('set', 'k', ''), c('GET', 'k'),
    c('SET', BIN, BIN), c('GET', BIN), c('SET', 'k', 'x'.repeat(3000)), c('GET', 'k'),
    fails('GET'), fails('GET', 'a', 'b'), fails('SET', 'k'),
  ],
  'SET NX, XX and GET': [
    c('SET', 'k', '1', 'XX'), c('GET', 'k'), c('SET', 'k', '1', 'NX'), c('SET', 'k', '2', 'nx'), c('GET', 'k'),
    c('SET', 'k', '3', 'xx'), c('GET', 'k'), c('SET', 'k', '4', 'GET'), c('SET', 'new', '1', 'GET'),
    c('SET', 'k', '5', 'NX', 'GET'), c('SET', 'other', '5', 'NX', 'GET'), c('GET', 'other'),
    c('SET', 'none', '6', 'XX', 'GET'), c('GET', 'none'), c('SET', 'k', '7', 'get', 'GET', 'XX'), c('GET', 'k'),
    c('SET', 'k', '8', 'NX', 'NX'), c('SET', 'k', BIN, 'GET'), c('SET', 'k', '9', 'GET'),
  ],
  'SET option syntax': [
    fails('SET', 'k', 'v', 'NX', 'XX'), fails('SET', 'k', 'v', 'XX', 'NX'), fails('SET', 'k', 'v', 'BOGUS'),
    fails('SET', 'k', 'v', 'EX'), fails('SET', 'k', 'v', 'PX'), fails('SET', 'k', 'v', 'EXAT'), fails('SET', 'k', 'v', 'PXAT'),
    fails('SET', 'k', 'v', 'EX', '10', 'PX', '10'), fails('SET', 'k', 'v', 'PX', '10', 'EXAT', '10'),
    fails('SET', 'k', 'v', 'EX', '10', 'KEEPTTL'), fails('SET', 'k', 'v', 'KEEPTTL', 'PXAT', '10'),
    fails('SET', 'k', 'v', 'PERSIST'), fails('SET', 'k', 'v', 'NX', 'EX', '10', 'XX'), fails('SET', 'k', 'v', 'NXX'),
    c('SET', 'k', 'v', 'KEEPTTL', 'KEEPTTL'), c('SET', 'k', 'v', 'ex', '100', 'EX', '200'), c('GET', 'k'),
    c('SET', 'k', 'w', 'Px', '100000', 'nX'), c('SET', 'k', 'w', 'pxat', '99999999999999', 'xx'), c('GET', 'k'),
  ],
  'options are matched as C strings: a NUL ends the word': [
    c('SET', 'k', 'v', 'NX\x00'), c('SET', 'k', 'w', 'KEEPTTL\x00x', 'xx\x00', 'GET\x00'), c('SET', 'k', 'v', 'EX\x00', '10'),
    c('GETEX', 'k', 'PERSIST\x00'), c('GETEX', 'k', 'pxat\x00z', '99999999999999'), c('LCS', 'k', 'k', 'LEN\x00'),
    c('LCS', 'k', 'k', 'IDX\x00', 'MINMATCHLEN\x00', '1'), fails('SET', 'k', 'v', '\x00NX'), fails('SET', 'k', 'v', 'N\x00X'),
    fails('SET', 'k', 'v', 'EX', '10\x00'),
  ],
  'SET expire validation': [
    fails('SET', 'k', 'v', 'EX', '0'), fails('SET', 'k', 'v', 'EX', '-1'), fails('SET', 'k', 'v', 'PX', '0'),
    fails('SET', 'k', 'v', 'EXAT', '0'), fails('SET', 'k', 'v', 'PXAT', '-5'), fails('SET', 'k', 'v', 'EX', 'abc'),
    fails('SET', 'k', 'v', 'EX', '1.5'), fails('SET', 'k', 'v', 'PX', ' 10'), fails('SET', 'k', 'v', 'EX', '9223372036854775808'),
    fails('SET', 'k', 'v', 'EX', '9223372036854776'), fails('SET', 'k', 'v', 'EX', '9223372036854775'),
    fails('SET', 'k', 'v', 'PX', INT64_MAX), fails('SET', 'k', 'v', 'EXAT', '9223372036854776'),
    c('GET', 'k'), c('SET', 'k', 'v', 'PXAT', INT64_MAX), c('SET', 'k', 'v', 'EXAT', '9223372036854775'),
    c('SET', 'k', 'v', 'PX', '9000000000000000000'), c('GET', 'k'),
    // A failed NX still validates the expire first.
    fails('SET', 'k', 'v', 'NX', 'EX', '0'),
  ],
  'SET with a past deadline stores a key that is already expired': [
    c('SET', 'k', 'v', 'EXAT', '1'), c('GET', 'k'), c('SET', 'k', 'v', 'PXAT', '1000'), c('SET', 'k', 'w', 'GET'),
  ],
  'which writes keep a TTL and which drop it': [
    c('SET', 'k', '1', 'PXAT', '99999999999999'), c('PEXPIRETIME', 'k'), c('INCR', 'k'), c('PEXPIRETIME', 'k'),
    c('APPEND', 'k', '0'), c('SETRANGE', 'k', '0', '5'), c('DECRBY', 'k', '3'), c('INCRBYFLOAT', 'k', '1.5'),
    c('PEXPIRETIME', 'k'), c('SET', 'k', 'v', 'KEEPTTL'), c('PEXPIRETIME', 'k'), c('SET', 'k', 'v', 'GET'), c('TTL', 'k'),
    c('SET', 'k', 'v', 'EXAT', '99999999999'), c('PEXPIRETIME', 'k'), c('GETSET', 'k', 'w'), c('TTL', 'k'),
    c('SETEX', 'k', '100', 'v'), sameType('PTTL', 'k'), c('MSET', 'k', 'x'), c('TTL', 'k'), c('PSETEX', 'k', '100000', 'v'),
    c('SETNX', 'k', 'w'), sameType('PTTL', 'k'), c('GETEX', 'k', 'PXAT', '99999999999999'), c('PEXPIRETIME', 'k'),
    c('GETEX', 'k', 'EXAT', '99999999999'), c('PEXPIRETIME', 'k'), c('GETEX', 'k', 'PERSIST'), c('TTL', 'k'),
    // Deadlines past 2^53 are kept as doubles by the keyspace, so PEXPIRETIME is not compared for them.
    c('SET', 'k', 'v', 'PXAT', INT64_MAX), c('SET', 'k', 'v', 'EXAT', '9223372036854775'), c('SET', 'e', 'v', 'EXAT', '1'), c('EXISTS', 'e'), c('GETEX', 'k', 'PXAT', '1'), c('EXISTS', 'k'),
  ],
  'SETNX, SETEX and PSETEX': [
    c('SETNX', 'k', 'v'), c('SETNX', 'k', 'w'), c('GET', 'k'), fails('SETNX', 'k'),
    c('SETEX', 's', '100', 'v'), c('GET', 's'), fails('SETEX', 's', '0', 'v'), fails('SETEX', 's', '-1', 'v'),
    fails('SETEX', 's', 'x', 'v'), fails('SETEX', 's', '9223372036854776', 'v'), fails('SETEX', 's', '10'),
    c('PSETEX', 'p', '100000', 'v'), c('GET', 'p'), fails('PSETEX', 'p', '0', 'v'), fails('PSETEX', 'p', INT64_MAX, 'v'),
    fails('psetex', 'p', '1x', 'v'), c('SETEX', 'k', '100', BIN), c('GET', 'k'),
  ],
  'GETSET and GETDEL': [
    c('GETSET', 'k', 'v'), c('GETSET', 'k', 'w'), c('GET', 'k'), fails('GETSET', 'k'),
    c('GETDEL', 'k'), c('GETDEL', 'k'), c('GET', 'k'), fails('GETDEL'), fails('GETDEL', 'a', 'b'),
    c('SET', BIN, BIN), c('GETDEL', BIN), c('GET', BIN),
  ],
  'GETEX': [
    c('GETEX', 'k'), c('GETEX', 'k', 'EX', '0'), c('GETEX', 'k', 'EX', 'abc'), fails('GETEX', 'k', 'BOGUS'),
    c('SET', 'k', 'v'), c('GETEX', 'k'), c('GETEX', 'k', 'EX', '100'), c('GETEX', 'k', 'px', '100000'),
    c('GETEX', 'k', 'EXAT', '99999999999'), c('GETEX', 'k', 'PXAT', '99999999999999'), c('GETEX', 'k', 'PERSIST'),
    c('GETEX', 'k', 'persist', 'PERSIST'), c('GETEX', 'k', 'EX', '10', 'EX', '20'),
    fails('GETEX', 'k', 'EX', '0'), fails('GETEX', 'k', 'PX', '-1'), fails('GETEX', 'k', 'EX', 'abc'),
    fails('GETEX', 'k', 'EX', '9223372036854776'), fails('GETEX', 'k', 'PX', INT64_MAX),
    fails('GETEX', 'k', 'EX', '10', 'PERSIST'), fails('GETEX', 'k', 'PERSIST', 'EX', '10'),
    fails('GETEX', 'k', 'EX', '10', 'PX', '10'), fails('GETEX', 'k', 'KEEPTTL'), fails('GETEX', 'k', 'NX'),
    fails('GETEX', 'k', 'GET'), fails('GETEX', 'k', 'EX'), fails('GETEX'),
    c('GETEX', 'k', 'PXAT', '1'), c('GET', 'k'), c('SET', 'k', 'v'), c('GETEX', 'k', 'EXAT', '1'), c('GETEX', 'k'),
  ],
  'MGET, MSET and MSETNX': [
    c('MSET', 'a', '1', 'b', '2'), c('MGET', 'a', 'b', 'c'), c('MGET', 'c'), fails('MGET'),
    fails('MSET', 'a', '1', 'b'), fails('MSET', 'a'), fails('mset'), c('MSET', 'a', 'x', 'a', 'y'), c('GET', 'a'),
    c('MSETNX', 'a', '1', 'c', '3'), c('GET', 'c'), c('MSETNX', 'c', '3', 'd', '4'), c('MGET', 'a', 'b', 'c', 'd'),
    fails('MSETNX', 'e', '1', 'f'), fails('MSETNX', 'e'), c('MSETNX', 'x', '1', 'x', '2'), c('GET', 'x'),
    c('MSET', BIN, BIN, 'z', ''), c('MGET', BIN, 'z', 'nope'),
  ],
  'APPEND and STRLEN': [
    c('STRLEN', 'k'), c('APPEND', 'k', 'abc'), c('APPEND', 'k', ''), c('APPEND', 'k', BIN), c('GET', 'k'), c('STRLEN', 'k'),
    c('APPEND', 'empty', ''), c('GET', 'empty'), c('STRLEN', 'empty'), c('SET', 'n', '12'), c('APPEND', 'n', '3'),
    c('INCR', 'n'), fails('APPEND', 'k'), fails('STRLEN'), fails('STRLEN', 'a', 'b'),
  ],
  'GETRANGE and SUBSTR': [
    c('GETRANGE', 'k', '0', '-1'), c('SET', 'k', 'This is a string'), c('GETRANGE', 'k', '0', '3'),
    c('GETRANGE', 'k', '-3', '-1'), c('GETRANGE', 'k', '0', '-1'), c('GETRANGE', 'k', '10', '100'),
    c('GETRANGE', 'k', '5', '0'), c('GETRANGE', 'k', '-1', '-5'), c('GETRANGE', 'k', '-100', '-99'),
    c('GETRANGE', 'k', '-100', '2'), c('GETRANGE', 'k', '3', '-100'), c('GETRANGE', 'k', '0', '0'),
    c('GETRANGE', 'k', '16', '20'), c('GETRANGE', 'k', '15', '15'), c('GETRANGE', 'k', '0', INT64_MAX),
    c('GETRANGE', 'k', INT64_MIN, '-1'), c('GETRANGE', 'k', INT64_MIN, INT64_MAX), c('GETRANGE', 'k', '-1', INT64_MIN),
    c('SUBSTR', 'k', '2', '6'), c('SUBSTR', 'k', '-6', '-2'), c('SET', 'e', ''), c('GETRANGE', 'e', '0', '-1'),
    c('GETRANGE', 'e', '0', '0'), c('GETRANGE', 'e', '-1', '0'), c('SET', 'b', BIN), c('GETRANGE', 'b', '1', '3'),
    fails('GETRANGE', 'k', 'a', '1'), fails('GETRANGE', 'k', '0', '1.5'), fails('GETRANGE', 'nokey', 'x', '1'),
    fails('GETRANGE', 'k', '9223372036854775808', '1'), fails('GETRANGE', 'k', '0'), fails('SUBSTR', 'k', '0'),
  ],
  'SETRANGE': [
    c('SETRANGE', 'k', '5', 'xyz'), c('GET', 'k'), c('SETRANGE', 'k', '0', 'AB'), c('GET', 'k'),
    c('SETRANGE', 'k', '7', 'tail'), c('GET', 'k'), c('SETRANGE', 'k', '20', BIN), c('GET', 'k'),
    c('SETRANGE', 'k', '0', ''), c('SETRANGE', 'k', '1000', ''), c('STRLEN', 'k'),
    c('SETRANGE', 'missing', '10', ''), c('GET', 'missing'), c('SETRANGE', 'n', '0', '1'), c('INCR', 'n'),
    fails('SETRANGE', 'k', '-1', 'x'), fails('SETRANGE', 'k', 'x', 'x'), fails('SETRANGE', 'k', '-1', ''),
    fails('SETRANGE', 'k', '536870912', 'x'), fails('SETRANGE', 'k', '536870900', 'x'.repeat(13)),
    fails('SETRANGE', 'k', INT64_MAX, 'x'), fails('SETRANGE', 'k', '9223372036854775808', 'x'),
    fails('SETRANGE', 'k', '0'), c('SETRANGE', 'missing', INT64_MAX, ''),
  ],
  'INCR, DECR, INCRBY and DECRBY': [
    c('INCR', 'n'), c('INCR', 'n'), c('DECR', 'n'), c('INCRBY', 'n', '10'), c('DECRBY', 'n', '-5'), c('DECRBY', 'n', '100'),
    c('GET', 'n'), c('DECR', 'fresh'), c('INCRBY', 'fresh2', '-7'), c('INCRBY', 'n', '0'), c('INCRBY', 'n', '-0'),
    fails('INCRBY', 'n', 'x'), fails('INCRBY', 'n', '1.5'), fails('INCRBY', 'n', ' 1'), fails('INCRBY', 'n', '01'),
    fails('INCRBY', 'n', '9223372036854775808'), fails('DECRBY', 'n', ''), fails('INCR'), fails('INCRBY', 'n'),
    fails('DECRBY', 'n', INT64_MIN), c('INCRBY', 'm', INT64_MIN), c('GET', 'm'),
  ],
  'INCR on values that are not integers': [
    c('SET', 's', ' 1'), fails('INCR', 's'), c('SET', 's', '1 '), fails('INCR', 's'), c('SET', 's', '01'), fails('INCR', 's'),
    c('SET', 's', '1.0'), fails('INCR', 's'), c('SET', 's', ''), fails('INCR', 's'), c('SET', 's', '-0'), fails('INCR', 's'),
    c('SET', 's', '+1'), fails('INCR', 's'), c('SET', 's', 'abc'), fails('DECRBY', 's', '1'),
    c('SET', 's', '9223372036854775808'), fails('INCR', 's'), c('SET', 's', '1\x00'), fails('INCR', 's'),
    c('SET', 's', '-9223372036854775809'), fails('DECR', 's'), c('SET', 's', '00000000000000000001'), fails('INCR', 's'),
    c('GET', 's'),
  ],
  'int64 counters are exact at the edges': [
    c('SET', 'n', '9223372036854775806'), c('INCR', 'n'), fails('INCR', 'n'), c('GET', 'n'), fails('INCRBY', 'n', '1'),
    c('INCRBY', 'n', INT64_MIN), c('SET', 'n', '-9223372036854775807'), c('DECR', 'n'), fails('DECR', 'n'),
    fails('DECRBY', 'n', '1'), fails('INCRBY', 'n', '-1'), c('GET', 'n'),
    c('SET', 'b', '4611686018427387904'), c('INCRBY', 'b', '4611686018427387903'), fails('INCRBY', 'b', '1'),
    c('SET', 'p', '9007199254740992'), c('INCR', 'p'), c('INCR', 'p'), c('INCRBY', 'p', '9007199254740993'),
    c('DECRBY', 'p', '18014398509481986'), c('DECRBY', 'p', '1'), c('INCRBY', 'q', '999999999999999'),
    c('INCRBY', 'q', '999999999999999'), c('INCRBY', 'q', '-9999999999999999'), c('INCRBY', 'r', '-999999999999999'),
    c('DECRBY', 'r', '999999999999999'), c('SET', 'm', INT64_MAX), c('DECRBY', 'm', INT64_MAX), c('DECRBY', 'm', INT64_MAX),
    c('DECR', 'm'), fails('DECR', 'm'),
  ],
  'INCRBYFLOAT': [
    c('SET', 'f', '10.50'), c('INCRBYFLOAT', 'f', '0.1'), c('INCRBYFLOAT', 'f', '-5.0e3'), c('INCRBYFLOAT', 'f', '3e-5'),
    c('INCRBYFLOAT', 'g', '5.0e3'), c('INCRBYFLOAT', 'g', '1e300'), c('INCRBYFLOAT', 'h', '0.1'), c('INCRBYFLOAT', 'h', '0.2'),
    c('INCRBYFLOAT', 'h', '-0.3'), c('INCRBYFLOAT', 'h', '-1.5'), c('INCRBYFLOAT', 'i', '3'), c('INCRBYFLOAT', 'i', '1.0'),
    c('INCRBYFLOAT', 'j', '0.000003814697265625'), c('INCRBYFLOAT', 'j2', '0.000011444091796875'),
    c('INCRBYFLOAT', 'k', '1.23456789012345678901234567890'), c('INCRBYFLOAT', 'k', '98765.4321'),
    c('INCRBYFLOAT', 'l', '9007199254740993'), c('INCRBYFLOAT', 'l', '0.5'), c('INCRBYFLOAT', 'm', '-1e-30'),
    c('INCRBYFLOAT', 'o', '1e308'), c('INCRBYFLOAT', 'o', '1e308'), c('INCRBYFLOAT', 'r', '1e4000'),
    c('INCRBYFLOAT', 's', '1e-4940'), c('INCRBYFLOAT', 't', '.5'), c('INCRBYFLOAT', 't', '5.'), c('INCRBYFLOAT', 't', '+2E+2'),
    c('INCRBYFLOAT', 'u', '0x1p-3'), c('INCRBYFLOAT', 'u', '0X10'), c('INCRBYFLOAT', 'u', '0x.8p1'),
    c('INCRBYFLOAT', 'v', '0.1'), c('INCRBYFLOAT', 'v', '0.1'), c('INCRBYFLOAT', 'v', '0.1'), c('INCRBYFLOAT', 'v', '0.7'),
    c('INCRBYFLOAT', 'w', '1e17'), c('INCRBYFLOAT', 'w', '0.3'), c('INCRBYFLOAT', 'x', '123456789.987654321'),
    c('INCRBYFLOAT', 'x', '-123456789'), c('INCRBYFLOAT', 'y', '-0.0'), c('INCRBYFLOAT', 'y2', '2.5e-18'),
    c('INCRBYFLOAT', 'y3', '7.5e-18'), c('INCRBYFLOAT', 'y4', '0.00000000000000001'),
  ],
  'INCRBYFLOAT errors': [
    fails('INCRBYFLOAT', 'f', 'abc'), fails('INCRBYFLOAT', 'f', ' 1'), fails('INCRBYFLOAT', 'f', '1 '), fails('INCRBYFLOAT', 'f', ''),
    fails('INCRBYFLOAT', 'f', 'nan'), fails('INCRBYFLOAT', 'f', 'inf'), fails('INCRBYFLOAT', 'f', '-Infinity'),
    fails('INCRBYFLOAT', 'f', '1e5000'), fails('INCRBYFLOAT', 'f', '1e-5000'), fails('INCRBYFLOAT', 'f', '1e'),
    fails('INCRBYFLOAT', 'f', '0x'), fails('INCRBYFLOAT', 'f', '1,5'), fails('INCRBYFLOAT', 'f', '.'),
    c('GET', 'f'), c('INCRBYFLOAT', 'big', '1e4932'), fails('INCRBYFLOAT', 'big', '1e4932'), c('STRLEN', 'big'),
    c('SET', 's', 'abc'), fails('INCRBYFLOAT', 's', '1'), c('SET', 's', 'inf'), fails('INCRBYFLOAT', 's', '1'),
    c('SET', 's', ' 1.5'), fails('INCRBYFLOAT', 's', '1'), c('SET', 's', 'nan'), fails('INCRBYFLOAT', 's', 'x'),
    fails('INCRBYFLOAT', 'f'), fails('INCRBYFLOAT', 'f', '1', '2'),
  ],
  'INCRBYFLOAT refuses a NUL byte anywhere in a number': [
    c('SET', 'z', '\x00abc'), fails('INCRBYFLOAT', 'z', '1.5'), c('SET', 'y', '3\x00'), fails('INCRBYFLOAT', 'y', '1'),
    fails('INCRBYFLOAT', 'x', '2\x00'), fails('INCRBYFLOAT', 'x', '\x00'), c('GET', 'x'),
  ],
  'INCRBYFLOAT refuses numbers of 5 KiB or more': [
    c('INCRBYFLOAT', 'x', '0'.repeat(5119)), fails('INCRBYFLOAT', 'x', '0'.repeat(5120)),
    c('SET', 'y', `${'0'.repeat(5200)}1.5`), fails('INCRBYFLOAT', 'y', '1'), c('INCRBYFLOAT', 'x', `${'0'.repeat(5000)}1.5`),
  ],
  'LCS': [
    c('LCS', 'a', 'b'), c('MSET', 'a', 'ohmytext', 'b', 'mynewtext'), c('LCS', 'a', 'b'), c('LCS', 'a', 'b', 'LEN'),
    c('LCS', 'a', 'b', 'IDX'), c('LCS', 'a', 'b', 'idx', 'MINMATCHLEN', '4'), c('LCS', 'a', 'b', 'IDX', 'MINMATCHLEN', '4', 'WITHMATCHLEN'),
    c('LCS', 'a', 'b', 'IDX', 'WITHMATCHLEN'), c('LCS', 'a', 'b', 'MINMATCHLEN', '-5', 'IDX'), c('LCS', 'a', 'b', 'WITHMATCHLEN'),
    c('LCS', 'a', 'missing'), c('LCS', 'missing', 'a', 'IDX'), c('LCS', 'a', 'a', 'IDX', 'WITHMATCHLEN'),
    c('LCS', 'a', 'b', 'LEN', 'MINMATCHLEN', '100'),
    fails('LCS', 'a', 'b', 'LEN', 'IDX'), fails('LCS', 'a', 'b', 'BOGUS'), fails('LCS', 'a', 'b', 'MINMATCHLEN'),
    fails('LCS', 'a', 'b', 'MINMATCHLEN', 'x'), fails('LCS', 'a'),
  ],
  'LCS chooses among equally long answers as Redis does': [
    c('MSET', 'x', 'abcabcbbacab', 'y', 'bacbcabacbba'), c('LCS', 'x', 'y'), c('LCS', 'x', 'y', 'IDX', 'WITHMATCHLEN'),
    c('LCS', 'y', 'x', 'IDX'), c('MSET', 'p', 'aaaa', 'q', 'aa'), c('LCS', 'p', 'q', 'IDX'), c('LCS', 'q', 'p', 'IDX'),
    c('MSET', 'u', 'GXTXAYB', 'v', 'AGGTAB'), c('LCS', 'u', 'v'), c('LCS', 'u', 'v', 'IDX', 'MINMATCHLEN', '2'),
    c('MSET', 'm', `ab${BIN}cd`, 'n', `x${BIN}yab`), c('LCS', 'm', 'n'), c('LCS', 'm', 'n', 'IDX', 'WITHMATCHLEN'),
  ],
});

differential('string commands over RESP3', {
  'nulls, doubles and maps': [
    c('GET', 'k'), c('SET', 'k', 'v', 'NX'), c('SET', 'k', 'v', 'NX'), c('SET', 'k', 'w', 'XX', 'GET'), c('SET', 'n', '1', 'XX'),
    c('MGET', 'k', 'nope'), c('GETEX', 'nope'), c('GETDEL', 'nope'), c('GETSET', 'nope', '1'),
    c('INCRBYFLOAT', 'f', '10.5'), c('INCRBYFLOAT', 'f', '0.1'), c('INCR', 'i'),
    c('MSET', 'a', 'ohmytext', 'b', 'mynewtext'), c('LCS', 'a', 'b', 'IDX'), c('LCS', 'a', 'b', 'IDX', 'WITHMATCHLEN'),
    c('LCS', 'a', 'b', 'LEN'), c('LCS', 'a', 'b'),
  ],
}, { proto: 3 });

/** Bytes of every value, `n` of them, so that a long value shows where any byte went. */
function pattern(n: number, seed = 0): string {
  let out = '';
  for (let i = 0; i < n; i++) out += String.fromCharCode((i * 37 + seed) & 0xff);
  return out;
}

/** Long enough that a change moves it into a buffer. */
const LONG = pattern(BYTES_FROM + 100);
const AT = String(BYTES_FROM);

differential('strings modified in place (Redis\'s raw encoding)', {
  'OBJECT ENCODING after APPEND and SETRANGE on int, embstr, raw and missing values': [
    c('SET', 'i', '123'), c('APPEND', 'i', '4'), c('OBJECT', 'ENCODING', 'i'), c('GET', 'i'), c('OBJECT', 'REFCOUNT', 'i'),
    c('INCR', 'i'), c('OBJECT', 'ENCODING', 'i'),
    c('SET', 'e', 'abc'), c('APPEND', 'e', 'd'), c('OBJECT', 'ENCODING', 'e'),
    c('SET', 'e', 'abc'), c('APPEND', 'e', ''), c('OBJECT', 'ENCODING', 'e'),
    c('SET', 'e', 'abc'), c('SETRANGE', 'e', '0', ''), c('OBJECT', 'ENCODING', 'e'),
    c('SETRANGE', 'e', '1', 'x'), c('OBJECT', 'ENCODING', 'e'), c('GET', 'e'),
    c('SET', 'r', 'x'.repeat(45)), c('APPEND', 'r', 'y'), c('OBJECT', 'ENCODING', 'r'),
    c('APPEND', 'newint', '123'), c('OBJECT', 'ENCODING', 'newint'),
    c('APPEND', 'newstr', 'abc'), c('OBJECT', 'ENCODING', 'newstr'),
    c('SETRANGE', 'sr', '0', '12'), c('OBJECT', 'ENCODING', 'sr'), c('OBJECT', 'REFCOUNT', 'sr'),
    c('SET', 'f', '12'), c('APPEND', 'f', '3'), c('INCRBYFLOAT', 'f', '1.5'), c('OBJECT', 'ENCODING', 'f'),
    c('SET', 's', 'ab'), c('APPEND', 's', 'c'), c('SET', 's', 'ab'), c('OBJECT', 'ENCODING', 's'),
    c('SET', 'l', LONG), c('OBJECT', 'ENCODING', 'l'), c('APPEND', 'l', 'x'), c('OBJECT', 'ENCODING', 'l'),
    c('TYPE', 'l'), c('TYPE', 'sr'),
  ],
  'a long value grown in place: reads and ranges': [
    c('SET', 'k', LONG), c('APPEND', 'k', BIN), c('STRLEN', 'k'), c('GET', 'k'), c('MGET', 'k', 'missing', 'k'),
    c('GETRANGE', 'k', '0', '9'), c('GETRANGE', 'k', '-20', '-1'), c('GETRANGE', 'k', String(BYTES_FROM - 5), String(BYTES_FROM + 5)),
    c('SUBSTR', 'k', '100', '200'), c('GETRANGE', 'k', '5', '2'), c('GETRANGE', 'k', '-1', '-5'), c('GETRANGE', 'k', '0', '1000000'),
    c('GETRANGE', 'k', '-1000000', '3'), c('GETRANGE', 'k', '0', '-1'),
    c('GETEX', 'k', 'EX', '1000'), c('TTL', 'k'), c('APPEND', 'k', 'ttl kept'), c('TTL', 'k'), c('GETEX', 'k', 'PERSIST'),
    c('SET', 'k', 'short', 'GET'), c('APPEND', 'k', LONG), c('GETSET', 'k', 'v'), c('APPEND', 'k', LONG),
    c('GETDEL', 'k'), c('EXISTS', 'k'),
  ],
  'a long value grown in place: writes within, at and past the end': [
    c('SET', 'k', LONG), c('SETRANGE', 'k', '3', 'xyz'), c('GET', 'k'), c('OBJECT', 'ENCODING', 'k'),
    c('SETRANGE', 'k', AT, 'at the threshold'), c('SETRANGE', 'k', String(LONG.length), 'at the end'), c('STRLEN', 'k'),
    c('SETRANGE', 'k', String(LONG.length + 50), 'past the end'), c('STRLEN', 'k'), c('GETRANGE', 'k', String(LONG.length - 5), '-1'),
    c('SETRANGE', 'k', '0', ''), c('APPEND', 'k', ''), c('GET', 'k'),
    ...Array.from({ length: 12 }, (_, i) => c('APPEND', 'k', pattern(700, i))), c('STRLEN', 'k'), c('GET', 'k'),
    c('SETRANGE', 'k', '1', pattern(3 * BYTES_FROM, 5)), c('STRLEN', 'k'), c('GET', 'k'),
  ],
  'SETRANGE on a missing key fills the gap with zero bytes': [
    c('SETRANGE', 'z', String(3 * BYTES_FROM), 'abc'), c('STRLEN', 'z'), c('GETRANGE', 'z', '0', '9'), c('GETRANGE', 'z', '-5', '-1'),
    c('GET', 'z'), c('OBJECT', 'ENCODING', 'z'), c('APPEND', 'z', 'q'), c('GETRANGE', 'z', '-5', '-1'),
    c('SETRANGE', 'small', '2', 'x'), c('GET', 'small'), c('OBJECT', 'ENCODING', 'small'),
  ],
  'counters read numbers grown in place': [
    c('SETRANGE', 'n', '0', '12'), c('INCR', 'n'), c('OBJECT', 'ENCODING', 'n'), c('GET', 'n'),
    c('SET', 'm', '9'), c('APPEND', 'm', '9'), c('DECRBY', 'm', '100'), c('GET', 'm'),
    c('SETRANGE', 'min', '0', INT64_MIN), c('DECR', 'min'), c('INCR', 'min'),
    c('SETRANGE', 'max', '0', INT64_MAX), c('APPEND', 'max', '0'), c('INCR', 'max'),
    c('SET', 'f', '1'), c('APPEND', 'f', '.5'), c('INCRBYFLOAT', 'f', '1'), c('OBJECT', 'ENCODING', 'f'),
    c('SET', 'y', '0'.repeat(5100)), c('APPEND', 'y', '1.5'), c('INCRBYFLOAT', 'y', '1'), c('GET', 'y'),
    c('SET', 'y', '0'.repeat(5117)), c('APPEND', 'y', '1.5'), c('INCRBYFLOAT', 'y', '1'), c('INCR', 'y'),
    c('SET', 'z', '0'.repeat(5200)), c('APPEND', 'z', '1'), c('INCRBYFLOAT', 'z', '1'), c('INCR', 'z'),
    c('SET', 'l', LONG), c('APPEND', 'l', '1'), c('INCR', 'l'), c('INCRBY', 'l', '2'), c('INCRBYFLOAT', 'l', '1'),
  ],
  'COPY, RENAME and MOVE carry a value grown in place': [
    c('SET', 'a', LONG), c('APPEND', 'a', 'tail'), c('COPY', 'a', 'b'), c('APPEND', 'b', 'more'), c('SETRANGE', 'a', '0', 'XX'),
    c('GET', 'a'), c('GET', 'b'), c('OBJECT', 'ENCODING', 'b'),
    c('SET', 's', 'ab'), c('APPEND', 's', 'c'), c('COPY', 's', 't'), c('APPEND', 't', 'd'), c('MGET', 's', 't'),
    c('OBJECT', 'ENCODING', 't'), c('COPY', 'a', 'b', 'REPLACE'), c('GET', 'b'),
    c('RENAME', 'b', 'c'), c('EXISTS', 'b'), c('GET', 'c'), c('OBJECT', 'ENCODING', 'c'), c('APPEND', 'c', '!'),
    c('RENAMENX', 'c', 'd'), c('GETRANGE', 'd', '-6', '-1'), c('MOVE', 'd', '1'), c('EXISTS', 'd'), c('SELECT', '1'),
    c('GET', 'd'), c('OBJECT', 'ENCODING', 'd'), c('APPEND', 'd', '?'), c('STRLEN', 'd'), c('COPY', 'd', 'a', 'DB', '0', 'REPLACE'),
    c('SELECT', '0'), c('GET', 'a'), c('TYPE', 'a'),
  ],
  'LCS and the type checks of other commands see a value grown in place as a string': [
    c('SET', 'a', 'ohmy'), c('APPEND', 'a', 'text'), c('SET', 'b', 'mynew'), c('APPEND', 'b', 'text'),
    c('LCS', 'a', 'b'), c('LCS', 'a', 'b', 'IDX', 'WITHMATCHLEN'), c('LCS', 'a', 'b', 'LEN'),
    c('SET', 'l', LONG), c('APPEND', 'l', 'x'), c('LCS', 'l', 'a', 'LEN'),
    fails('LPUSH', 'a', 'x'), fails('LLEN', 'l'), c('SET', 'l', 'plain'), c('GET', 'l'),
  ],
});

differential('a counter reads as its digits wherever a string is read', {
  'reads of the value': [
    c('INCRBY', 'n', '-42'), c('GET', 'n'), c('MGET', 'n', 'missing'), c('STRLEN', 'n'), c('GETRANGE', 'n', '1', '-1'),
    c('SUBSTR', 'n', '0', '0'), c('TYPE', 'n'), c('OBJECT', 'ENCODING', 'n'), c('OBJECT', 'REFCOUNT', 'n'),
    c('EXISTS', 'n'), c('SCAN', '0', 'TYPE', 'string'), c('LCS', 'n', 'n'), c('SET', 'o', '4x2'), c('LCS', 'n', 'o', 'IDX'),
    c('INCR', 'small'), c('OBJECT', 'REFCOUNT', 'small'), c('INCRBY', 'big', '9007199254740991'), c('GET', 'big'),
    c('OBJECT', 'ENCODING', 'big'), c('OBJECT', 'REFCOUNT', 'big'), c('INCR', 'big'), c('GET', 'big'),
    c('DECRBY', 'big', '9007199254740993'), c('GET', 'big'),
  ],
  'bits and HyperLogLog read its digits': [
    c('INCRBY', 'n', '1234567'), c('BITCOUNT', 'n'), c('BITCOUNT', 'n', '1', '2'), c('BITPOS', 'n', '0'),
    c('GETBIT', 'n', '3'), c('BITFIELD', 'n', 'GET', 'u8', '8'), c('BITFIELD_RO', 'n', 'GET', 'i16', '4'),
    c('INCR', 'm'), c('BITOP', 'AND', 'dest', 'n', 'm'), c('GET', 'dest'), fails('PFADD', 'n', 'a'), fails('PFCOUNT', 'n'),
    c('SETBIT', 'n', '7', '1'), c('GET', 'n'), c('OBJECT', 'ENCODING', 'n'), c('INCR', 'm'),
    c('BITFIELD', 'm', 'SET', 'u8', '0', '52'), c('GET', 'm'),
  ],
  'writes that change it in place or replace it': [
    c('INCR', 'n'), c('APPEND', 'n', '0'), c('GET', 'n'), c('OBJECT', 'ENCODING', 'n'), c('INCR', 'n'), c('GET', 'n'),
    c('DECR', 'n'), c('SETRANGE', 'n', '0', '9'), c('GET', 'n'), c('INCRBYFLOAT', 'n', '0.5'), c('GET', 'n'),
    c('INCR', 'k'), c('INCRBYFLOAT', 'k', '1.5'), c('DEL', 'k'), c('DECR', 'k'), c('GETSET', 'k', 'x'), c('GET', 'k'),
    c('INCR', 'g'), c('GETDEL', 'g'), c('EXISTS', 'g'), c('INCR', 'g'), c('SET', 'g', 'y', 'GET'), c('INCR', 'e'),
    c('GETEX', 'e', 'PX', '100000'), sameType('PTTL', 'e'), c('INCR', 'e'), sameType('PTTL', 'e'),
    c('INCRBY', 't', '7'), c('SETNX', 't', '8'), c('MSETNX', 't', '9', 'u', '1'), c('GET', 't'),
  ],
  'commands of other types refuse it as a string': [
    c('INCR', 'n'), fails('LPUSH', 'n', 'x'), fails('SADD', 'n', 'x'), fails('HSET', 'n', 'f', 'v'),
    fails('ZADD', 'n', '1', 'x'), fails('XADD', 'n', '*', 'f', 'v'), fails('LLEN', 'n'), fails('HGETALL', 'n'),
    c('GET', 'n'),
  ],
  'keys moved, copied and sorted': [
    c('INCRBY', 'a', '15'), c('COPY', 'a', 'b'), c('INCR', 'b'), c('MGET', 'a', 'b'), c('RENAME', 'a', 'c'), c('GET', 'c'),
    c('MOVE', 'c', '1'), c('SELECT', '1'), c('INCR', 'c'), c('GET', 'c'), c('SELECT', '0'),
    c('RPUSH', 'l', '1', '2', '3'), c('INCRBY', 'w_1', '30'), c('INCRBY', 'w_2', '-10'), c('INCRBY', 'w_3', '20'),
    c('SORT', 'l', 'BY', 'w_*'), c('SORT', 'l', 'BY', 'w_*', 'GET', 'w_*', 'GET', '#'),
    c('DEBUG', 'RELOAD'), c('MGET', 'b', 'w_1', 'w_2', 'w_3'), c('INCR', 'w_2'), c('OBJECT', 'ENCODING', 'w_2'),
  ],
});

differential('size limits on strings modified in place', {
  'APPEND and SETRANGE stop at proto-max-bulk-len': [
    c('CONFIG', 'SET', 'proto-max-bulk-len', '1048576'),
    c('SETRANGE', 'k', '1048570', 'abc'), c('APPEND', 'k', 'def'), c('STRLEN', 'k'), fails('APPEND', 'k', 'x'),
    fails('SETRANGE', 'k', '1048576', 'x'), c('SETRANGE', 'k', '1048575', 'y'), c('GETRANGE', 'k', '-7', '-1'),
    fails('SETRANGE', 'new', '1048575', 'xy'), c('EXISTS', 'new'),
    c('CONFIG', 'SET', 'proto-max-bulk-len', '536870912'),
  ],
});
