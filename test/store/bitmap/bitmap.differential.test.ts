import { c, differential, fails, type Row } from '../../helpers/differential.js';

const INT64_MAX = '9223372036854775807';
const INT64_MIN = '-9223372036854775808';
const BIN = '\x00\xff\x0f\xf0\x80\x01\xaa\x55';

/** A small seeded generator, so the generated rows are the same on every run. */
function generator(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

/** Random SETBITs on a few keys of random lengths, each followed by reads of every kind over random ranges. */
function generatedRows(count: number, seed: number): Row[] {
  const rnd = generator(seed);
  const int = (n: number) => Math.floor(rnd() * n);
  const signedIn = (n: number) => String(int(2 * n + 1) - n);
  const rows: Row[] = [];
  const unit = () => (rnd() < 0.5 ? ['BIT'] : rnd() < 0.5 ? ['BYTE'] : []);
  for (let i = 0; i < count; i++) {
    const key = `k${i % 3}`;
    const r = rnd();
    if (r < 0.3) rows.push(c('SETBIT', key, String(int(200)), String(int(2))));
    else if (r < 0.35) rows.push(c('SET', key, BIN.slice(int(8)) + '\xff'.repeat(int(12))));
    else if (r < 0.5) {
      const type = `${rnd() < 0.5 ? 'i' : 'u'}${1 + int(63)}`;
      const overflow = ['WRAP', 'SAT', 'FAIL'][int(3)];
      const op = rnd() < 0.5 ? ['SET', type, String(int(150)), signedIn(1000)] : ['INCRBY', type, `#${int(6)}`, signedIn(300)];
      rows.push(c('BITFIELD', key, 'OVERFLOW', overflow, ...op, 'GET', type, String(int(150))));
    } else if (r < 0.65) {
      const u = unit();
      rows.push(c('BITCOUNT', key, ...(rnd() < 0.2 ? [] : [signedIn(30), signedIn(30), ...u])));
    } else if (r < 0.85) {
      const args = [String(int(2))];
      if (rnd() < 0.8) args.push(signedIn(30));
      if (args.length === 2 && rnd() < 0.7) args.push(signedIn(30), ...unit());
      rows.push(c('BITPOS', key, ...args));
    } else if (r < 0.95) {
      rows.push(c('BITOP', ['AND', 'OR', 'XOR'][int(3)], 'dest', 'k0', 'k1', 'k2', 'none'), c('GET', 'dest'));
    } else {
      rows.push(c('BITOP', 'NOT', 'dest', key), c('GET', 'dest'), c('GET', key));
    }
  }
  rows.push(c('GET', 'k0'), c('GET', 'k1'), c('GET', 'k2'));
  return rows;
}

differential('bitmap commands', {
  'generated SETBIT, BITFIELD, BITCOUNT, BITPOS and BITOP sequences (1)': generatedRows(400, 3),
  'generated SETBIT, BITFIELD, BITCOUNT, BITPOS and BITOP sequences (2)': generatedRows(400, 17),
  'SETBIT and GETBIT': [
    c('SETBIT', 'k', '7', '1'), c('GET', 'k'), c('SETBIT', 'k', '7', '1'), c('SETBIT', 'k', '7', '0'), c('GET', 'k'),
    c('SETBIT', 'k', '100', '1'), c('GET', 'k'), c('STRLEN', 'k'), c('GETBIT', 'k', '100'), c('GETBIT', 'k', '99'),
    c('GETBIT', 'k', '1000000'), c('GETBIT', 'none', '0'), c('SETBIT', 'k', '0', '0'), c('OBJECT', 'ENCODING', 'k'),
    c('SET', 'n', '12345'), c('GETBIT', 'n', '2'), c('GETBIT', 'n', '3'), c('SETBIT', 'n', '0', '0'), c('GET', 'n'),
    c('SETBIT', 'n', '7', '0'), c('GET', 'n'), c('OBJECT', 'ENCODING', 'n'), c('SET', 'e', ''), c('SETBIT', 'e', '0', '0'),
    c('GET', 'e'), c('GETBIT', 'k', '4294967295'),
    fails('SETBIT', 'k', '-1', '1'), fails('SETBIT', 'k', '4294967296', '1'), fails('SETBIT', 'k', 'x', '1'),
    fails('SETBIT', 'k', '0', '2'), fails('SETBIT', 'k', '0', '-1'), fails('SETBIT', 'k', '0', 'x'), fails('SETBIT', 'k', '0', '01'), fails('SETBIT', 'k', '0', '-0'), fails('SETBIT', 'k', '0', ' 1'), fails('SETBIT', 'k', '-1', 'x'),
    fails('SETBIT', 'k', INT64_MAX, '1'), fails('GETBIT', 'k', '-1'), fails('GETBIT', 'k', '4294967296'),
    fails('GETBIT', 'k', '#1'), fails('SETBIT', 'k', '#1', '1'), fails('SETBIT', 'k', '+1', '1'), fails('SETBIT', 'k', '01', '1'),
    c('LPUSH', 'l', 'x'), fails('SETBIT', 'l', '0', '1'), fails('GETBIT', 'l', '0'), fails('GETBIT', 'l', '-1'),
    fails('SETBIT', 'l', '0', '2'), fails('SETBIT', 'k'), fails('GETBIT', 'k'),
  ],
  'SETBIT honours a lowered proto-max-bulk-len': [
    c('CONFIG', 'SET', 'proto-max-bulk-len', '1048576'), c('SETBIT', 'k', '8388607', '1'), c('STRLEN', 'k'),
    fails('SETBIT', 'k', '8388608', '1'), fails('GETBIT', 'k', '8388608'), fails('BITFIELD', 'k', 'GET', 'u8', '8388608'),
    c('BITFIELD', 'k', 'GET', 'u8', '8388600'), c('BITFIELD', 'f', 'SET', 'i64', '8388607', '-1'), c('STRLEN', 'f'),
    c('BITFIELD', 'f', 'GET', 'i64', '8388607'), c('CONFIG', 'SET', 'proto-max-bulk-len', '536870912'),
  ],
  'BITCOUNT': [
    c('BITCOUNT', 'none'), c('BITCOUNT', 'none', '0', '1'), c('BITCOUNT', 'none', 'x', 'y'), c('BITCOUNT', 'none', '0', '1', 'junk'),
    c('BITCOUNT', 'none', '0'), c('SET', 'k', 'foobar'), c('BITCOUNT', 'k'), c('BITCOUNT', 'k', '0', '0'), c('BITCOUNT', 'k', '1', '1'),
    c('BITCOUNT', 'k', '1', '1', 'byte'), c('BITCOUNT', 'k', '5', '30', 'BIT'), c('BITCOUNT', 'k', '-1', '-1'),
    c('BITCOUNT', 'k', '-2', '-1', 'BIT'), c('BITCOUNT', 'k', '-1', '-2'), c('BITCOUNT', 'k', '3', '1'),
    c('BITCOUNT', 'k', '-100', '100'), c('BITCOUNT', 'k', '0', INT64_MAX), c('BITCOUNT', 'k', INT64_MIN, '-1', 'bit'),
    c('BITCOUNT', 'k', '7', '7', 'BIT'), c('BITCOUNT', 'k', '9', '9', 'BIT'), c('BITCOUNT', 'k', '47', '100', 'BIT'),
    c('SET', 'e', ''), c('BITCOUNT', 'e'), c('BITCOUNT', 'e', '0', '-1'), c('BITCOUNT', 'e', '0', '-1', 'BIT'),
    c('SET', 'long', 'x'.repeat(5000) + BIN), c('BITCOUNT', 'long'), c('BITCOUNT', 'long', '3', '-3'),
    c('BITCOUNT', 'long', '13', '40003', 'BIT'), c('SET', 'n', '-1234'), c('BITCOUNT', 'n'),
    fails('BITCOUNT', 'k', '0'), fails('BITCOUNT', 'k', '0', 'x'), fails('BITCOUNT', 'k', 'x', '0'),
    fails('BITCOUNT', 'k', '0', '1', 'BITS'), fails('BITCOUNT', 'k', '0', '1', 'BIT', 'x'), c('BITCOUNT', 'k', '-1', '-2', 'junk'),
    fails('BITCOUNT', 'k', '0', '1', 'junk'), c('LPUSH', 'l', 'x'), fails('BITCOUNT', 'l'), fails('BITCOUNT', 'l', '0'),
    fails('BITCOUNT'),
  ],
  'BITPOS': [
    c('BITPOS', 'none', '1'), c('BITPOS', 'none', '0'), c('BITPOS', 'none', '0', 'x'), c('BITPOS', 'none', '1', '0', '1', 'junk'),
    c('SET', 'k', '\xff\xf0\x00'), c('BITPOS', 'k', '0'), c('BITPOS', 'k', '1'), c('BITPOS', 'k', '1', '1'), c('BITPOS', 'k', '1', '2'),
    c('BITPOS', 'k', '0', '0', '0'), c('BITPOS', 'k', '0', '0', '1'), c('BITPOS', 'k', '1', '2', '-1'), c('BITPOS', 'k', '0', '7', '11', 'BIT'),
    c('BITPOS', 'k', '0', '7', '12', 'bit'), c('BITPOS', 'k', '1', '12', '-1', 'BIT'), c('BITPOS', 'k', '1', '3', '2'),
    c('BITPOS', 'k', '0', '-1'), c('BITPOS', 'k', '0', '100'), c('BITPOS', 'k', '1', '0', '-1', 'BYTE'),
    c('SET', 'ones', '\xff\xff\xff'), c('BITPOS', 'ones', '0'), c('BITPOS', 'ones', '0', '1'), c('BITPOS', 'ones', '0', '0', '-1'),
    c('BITPOS', 'ones', '0', '3', '-1', 'BIT'), c('BITPOS', 'ones', '0', '3', '20', 'BIT'), c('BITPOS', 'ones', '0', '1', '1'),
    c('BITPOS', 'ones', '0', '9', 'BIT'), c('BITPOS', 'ones', '0', '2', '5'),
    c('SET', 'zeros', '\x00\x00\x00'), c('BITPOS', 'zeros', '1'), c('BITPOS', 'zeros', '0'), c('BITPOS', 'zeros', '1', '1', '2'),
    c('SET', 'e', ''), c('BITPOS', 'e', '0'), c('BITPOS', 'e', '1'), c('BITPOS', 'e', '0', '0'), c('BITPOS', 'e', '0', '0', '-1', 'BIT'),
    c('SET', 'long', '\xff'.repeat(9000) + '\xfe'), c('BITPOS', 'long', '0'), c('BITPOS', 'long', '0', '17'),
    c('SET', 'long', '\x00'.repeat(9000) + '\x02'), c('BITPOS', 'long', '1'), c('BITPOS', 'long', '1', '3', '9001'),
    c('BITPOS', 'long', '1', '3', '8999'), c('SET', 'n', '10'), c('BITPOS', 'n', '1'),
    fails('BITPOS', 'k', '2'), fails('BITPOS', 'k', '-1'), fails('BITPOS', 'k', 'x'), fails('BITPOS', 'none', '2'),
    fails('BITPOS', 'k', '1', 'x'), fails('BITPOS', 'k', '1', '0', 'x'), fails('BITPOS', 'k', '1', '0', '1', 'bits'),
    fails('BITPOS', 'k', '1', '0', 'x', 'junk'), fails('BITPOS', 'k', '1', 'x', '0', 'junk'), fails('BITPOS', 'k', '1', '0', '1', 'BIT', 'x'),
    c('LPUSH', 'l', 'x'), fails('BITPOS', 'l', '1'), fails('BITPOS', 'l', '2'), fails('BITPOS', 'k'),
  ],
  'BITOP': [
    c('SET', 'a', 'foobar'), c('SET', 'b', 'abcdef'), c('SET', 'c', '\xff'), c('BITOP', 'AND', 'd', 'a', 'b'), c('GET', 'd'),
    c('BITOP', 'or', 'd', 'a', 'b', 'c'), c('GET', 'd'), c('BITOP', 'XOR', 'd', 'a', 'c'), c('GET', 'd'),
    c('BITOP', 'AND', 'd', 'a', 'c'), c('GET', 'd'), c('BITOP', 'AND', 'd', 'a', 'none'), c('GET', 'd'),
    c('BITOP', 'NOT', 'd', 'a'), c('GET', 'd'), c('OBJECT', 'ENCODING', 'd'), c('BITOP', 'NOT', 'd', 'none'), c('EXISTS', 'd'),
    c('BITOP', 'OR', 'd', 'none', 'none2'), c('EXISTS', 'd'), c('SET', 'd', 'x', 'EX', '100'), c('BITOP', 'OR', 'd', 'a'),
    c('TTL', 'd'), c('GET', 'd'), c('BITOP', 'OR', 'a', 'a', 'b'), c('GET', 'a'), c('SET', 'e', ''),
    c('BITOP', 'OR', 'd', 'e'), c('EXISTS', 'd'), c('SET', 'n', '123'), c('BITOP', 'NOT', 'd', 'n'), c('GET', 'd'),
    c('SET', 'long1', 'ab'.repeat(3000) + 'x'), c('SET', 'long2', '\x0f'.repeat(7001)), c('BITOP', 'AND', 'd', 'long1', 'long2', 'a'),
    c('GET', 'd'), c('BITOP', 'XOR', 'd', 'long2', 'long1', 'long2'), c('GET', 'd'), c('BITOP', 'NOT', 'd', 'long1'), c('GET', 'd'),
    c('LPUSH', 'old', 'x'), c('BITOP', 'OR', 'old', 'a'), c('TYPE', 'old'), c('LPUSH', 'l', 'x'),
    fails('BITOP', 'NAND', 'd', 'a'), fails('BITOP', 'NOT', 'd', 'a', 'b'), fails('BITOP', 'NOT', 'd', 'l'),
    fails('BITOP', 'AND', 'd', 'a', 'l'), fails('BITOP', 'AND', 'd', 'l', 'junk'), fails('BITOP', 'junk', 'd', 'l'),
    fails('BITOP', 'AND', 'd'), fails('BITOP', 'NOT', 'd'),
  ],
  'BITFIELD': [
    c('BITFIELD', 'k'), c('EXISTS', 'k'), c('BITFIELD', 'k', 'GET', 'u8', '0'), c('EXISTS', 'k'),
    c('BITFIELD', 'k', 'SET', 'i8', '0', '-100', 'GET', 'u4', '0', 'GET', 'i4', '4', 'INCRBY', 'u2', '100', '1'), c('GET', 'k'),
    c('BITFIELD', 'k', 'INCRBY', 'i5', '#1', '100', 'INCRBY', 'i5', '#1', '-100', 'GET', 'i5', '#1'),
    c('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'INCRBY', 'i5', '#1', '100', 'INCRBY', 'u5', '#1', '100', 'INCRBY', 'u5', '#1', '-100'),
    c('BITFIELD', 'k', 'overflow', 'fail', 'INCRBY', 'u2', '0', '4', 'INCRBY', 'u2', '0', '3', 'INCRBY', 'u2', '0', '1'), c('GET', 'k'),
    c('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'SET', 'u2', '0', '4', 'SET', 'i2', '0', '-3', 'SET', 'i2', '0', '-2'),
    c('BITFIELD', 'k', 'OVERFLOW', 'WRAP', 'SET', 'u2', '0', '-1', 'SET', 'i3', '0', '5', 'SET', 'u8', '#3', '257'), c('GET', 'k'),
    c('BITFIELD', 'k', 'SET', 'i64', '0', INT64_MIN, 'GET', 'i64', '0', 'INCRBY', 'i64', '0', '-1', 'GET', 'u63', '1'),
    c('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'SET', 'i64', '0', INT64_MAX, 'INCRBY', 'i64', '0', '1', 'INCRBY', 'i64', '0', INT64_MIN),
    c('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'INCRBY', 'i64', '0', INT64_MIN, 'INCRBY', 'i64', '0', INT64_MIN, 'INCRBY', 'u63', '0', INT64_MAX),
    c('BITFIELD', 'k', 'OVERFLOW', 'SAT', 'SET', 'u63', '3', INT64_MAX, 'INCRBY', 'u63', '3', '1', 'SET', 'u63', '3', '-1'),
    c('BITFIELD', 'k', 'GET', 'u63', '1000', 'GET', 'i64', '#100', 'GET', 'u1', '0'), c('GET', 'k'),
    c('BITFIELD', 'k', 'SET', 'u8', '0', '255', 'SET', 'u8', '0', '255', 'INCRBY', 'u8', '0', '0'), c('GET', 'k'),
    c('BITFIELD', 'new', 'OVERFLOW', 'FAIL', 'SET', 'u8', '16', '999'), c('GET', 'new'),
    c('SET', 's', 'ab'), c('BITFIELD', 's', 'OVERFLOW', 'FAIL', 'SET', 'u8', '16', '999'), c('GET', 's'),
    c('SET', 'n', '42'), c('BITFIELD', 'n', 'GET', 'u16', '0', 'GET', 'u8', '12'), c('OBJECT', 'ENCODING', 'n'),
    c('BITFIELD', 'n', 'SET', 'u8', '0', '52'), c('OBJECT', 'ENCODING', 'n'), c('BITFIELD', 'n', 'SET', 'u8', '0', '53'),
    c('OBJECT', 'ENCODING', 'n'), c('GET', 'n'),
    fails('BITFIELD', 'k', 'GET', 'u64', '0'), fails('BITFIELD', 'k', 'GET', 'i65', '0'), fails('BITFIELD', 'k', 'GET', 'i0', '0'),
    fails('BITFIELD', 'k', 'GET', 'x8', '0'), fails('BITFIELD', 'k', 'GET', 'u', '0'), fails('BITFIELD', 'k', 'GET', 'u08', '0'),
    fails('BITFIELD', 'k', 'GET', 'u8', '-1'), fails('BITFIELD', 'k', 'GET', 'u8', '#-1'), fails('BITFIELD', 'k', 'GET', 'u8', '#'),
    fails('BITFIELD', 'k', 'GET', 'u8', '4294967296'), fails('BITFIELD', 'k', 'GET', 'u8', '#536870912'),
    c('BITFIELD', 'k', 'GET', 'u8', '#2305843009213693952'), fails('BITFIELD', 'k', 'GET', 'u8', '#1152921504606846976'), fails('BITFIELD', 'k', 'SET', 'u8', '0', 'x'),
    fails('BITFIELD', 'k', 'SET', 'u8', '0'), fails('BITFIELD', 'k', 'GET', 'u8'), fails('BITFIELD', 'k', 'INCRBY', 'u8', '0'),
    fails('BITFIELD', 'k', 'OVERFLOW'), fails('BITFIELD', 'k', 'OVERFLOW', 'BAD', 'GET', 'u8', '0'), fails('BITFIELD', 'k', 'FOO'),
    fails('BITFIELD', 'k', 'SET', 'u8', '0', '1', 'GET', 'x8', '0'), fails('BITFIELD', 'k', 'GET', 'u8', '0', 'SET', 'u8', '0'),
    c('LPUSH', 'l', 'x'), fails('BITFIELD', 'l', 'GET', 'u8', '0'), fails('BITFIELD', 'l', 'SET', 'u8', '0', '1'),
    c('BITFIELD', 'l'), fails('BITFIELD', 'l', 'GET', 'u64', '0'), fails('BITFIELD'),
  ],
  'BITFIELD_RO': [
    c('BITFIELD', 'k', 'SET', 'u16', '0', '1000'), c('BITFIELD_RO', 'k', 'GET', 'u16', '0', 'GET', 'i4', '#2'), c('BITFIELD_RO', 'k'),
    c('BITFIELD_RO', 'none', 'GET', 'u8', '0'), c('BITFIELD_RO', 'k', 'OVERFLOW', 'SAT', 'GET', 'u8', '0'),
    fails('BITFIELD_RO', 'k', 'SET', 'u8', '0', '1'), fails('BITFIELD_RO', 'k', 'INCRBY', 'u8', '0', '1'),
    fails('BITFIELD_RO', 'k', 'SET', 'u8', '0', '1', 'GET', 'x', '0'), fails('BITFIELD_RO', 'k', 'SET', 'u8', '0', 'x'),
    c('LPUSH', 'l', 'x'), fails('BITFIELD_RO', 'l', 'GET', 'u8', '0'), fails('BITFIELD_RO', 'l', 'SET', 'u8', '0', '1'),
    fails('BITFIELD_RO'),
  ],
  'COMMAND GETKEYSANDFLAGS for BITFIELD': [
    c('COMMAND', 'GETKEYSANDFLAGS', 'BITFIELD', 'k', 'GET', 'u8', '0'),
    c('COMMAND', 'GETKEYSANDFLAGS', 'BITFIELD', 'k', 'OVERFLOW', 'SAT', 'GET', 'u8', '0', 'SET', 'u8', '0', '1'),
    c('COMMAND', 'GETKEYSANDFLAGS', 'BITFIELD', 'k', 'junk'), c('COMMAND', 'GETKEYSANDFLAGS', 'BITFIELD', 'k'),
    c('COMMAND', 'GETKEYSANDFLAGS', 'BITFIELD', 'k', 'GET', 'u8'),
  ],
});

differential('bitmap commands in RESP3', {
  'a FAIL overflow answers null among integers': [
    c('BITFIELD', 'k', 'OVERFLOW', 'FAIL', 'SET', 'u2', '0', '5', 'SET', 'u2', '0', '3', 'GET', 'u2', '0'),
    c('BITFIELD_RO', 'k', 'GET', 'i2', '0'), c('BITPOS', 'k', '1'), c('BITCOUNT', 'k'), c('GETBIT', 'k', '0'),
  ],
}, { proto: 3 });
