import { c, differential, fails, type Row } from '../../helpers/differential.js';

function generator(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

/** Elements of every length 0-40 (so every tail of the hash), binary bytes included. */
function elements(n: number, seed: number): string[] {
  const rnd = generator(seed);
  return Array.from({ length: n }, () =>
    Array.from({ length: Math.floor(rnd() * 41) }, () => String.fromCharCode(Math.floor(rnd() * 256))).join(''));
}

/** PFADDs growing a few keys through the sparse encoding into the dense one, with GETs of their exact bytes. */
function growingRows(): Row[] {
  const rows: Row[] = [];
  const all = elements(6000, 5);
  let at = 0;
  for (const size of [1, 2, 3, 5, 10, 20, 50, 100, 200, 400, 700, 1000, 1500, 2000]) {
    const batch = all.slice(at, at + size);
    at += size;
    rows.push(c('PFADD', 'h', ...batch), c('PFCOUNT', 'h'), c('PFDEBUG', 'ENCODING', 'h'), c('GET', 'h'), c('PFCOUNT', 'h'));
  }
  return rows;
}

const HLL_ROWS = {
  'PFADD grows a sparse HLL, byte for byte, into a dense one': growingRows(),
  'PFADD and PFCOUNT': [
    c('PFADD', 'h'), c('GET', 'h'), c('PFCOUNT', 'h'), c('PFADD', 'h'), c('PFADD', 'h', 'a'), c('PFADD', 'h', 'a'),
    c('GET', 'h'), c('PFCOUNT', 'h'), c('GET', 'h'), c('PFADD', 'h', 'b', 'c', 'a'), c('PFCOUNT', 'h'), c('PFCOUNT', 'none'),
    c('OBJECT', 'ENCODING', 'h'), c('PFCOUNT', 'h', 'none'), c('PFADD', 'h2', 'x', 'y', 'b'), c('PFCOUNT', 'h', 'h2'),
    c('PFCOUNT', 'h', 'h2', 'h', 'none'), c('PFADD', '', ''), c('PFCOUNT', ''),
    c('SET', 's', 'hello'), fails('PFADD', 's', 'x'), fails('PFCOUNT', 's'), fails('PFCOUNT', 'h', 's'),
    c('LPUSH', 'l', 'x'), fails('PFADD', 'l', 'x'), fails('PFCOUNT', 'l'), fails('PFCOUNT', 'h', 'l'),
    fails('PFCOUNT', 'h', 'l', 's'), fails('PFCOUNT', 'h', 's', 'l'), fails('PFADD'), fails('PFCOUNT'),
  ],
  'PFMERGE': [
    c('PFADD', 'a', '1', '2', '3'), c('PFADD', 'b', '3', '4', '5'), c('PFMERGE', 'd', 'a', 'b'), c('GET', 'd'), c('PFCOUNT', 'd'),
    c('PFMERGE', 'd'), c('GET', 'd'), c('PFMERGE', 'e'), c('GET', 'e'), c('PFMERGE', 'a', 'a'), c('GET', 'a'),
    c('PFMERGE', 'd', 'none', 'a'), c('GET', 'd'), c('PFADD', 'big', ...elements(3000, 9)), c('PFDEBUG', 'ENCODING', 'big'),
    c('PFMERGE', 'd', 'big'), c('PFDEBUG', 'ENCODING', 'd'), c('GET', 'd'), c('PFCOUNT', 'd'), c('PFCOUNT', 'a', 'big', 'b'),
    c('PFMERGE', 'f', 'a', 'b', 'big'), c('GET', 'f'), c('SET', 'x', 'y', 'EX', '100'), fails('PFMERGE', 'x', 'a'),
    c('PFADD', 't', 'z'), c('EXPIRE', 't', '100'), c('PFMERGE', 't', 'a'), c('TTL', 't'),
    c('LPUSH', 'l', 'x'), fails('PFMERGE', 'l', 'a'), fails('PFMERGE', 'd', 'l'), fails('PFMERGE', 'd', 'x'), c('GET', 'd'),
    fails('PFMERGE'),
  ],
  'a dense HLL assembled by APPEND, its bytes in a longer buffer, takes PFADD and PFCOUNT in place': [
    c('PFADD', 'src', ...elements(3000, 13)), c('PFDEBUG', 'TODENSE', 'src'), c('PFDEBUG', 'ENCODING', 'src'),
    c('EVAL', "local v = redis.call('GET', KEYS[1]); redis.call('SET', KEYS[2], string.sub(v, 1, 6000)); return redis.call('APPEND', KEYS[2], string.sub(v, 6001))", '2', 'src', 'copy'),
    c('PFADD', 'copy', ...elements(200, 14)), c('PFDEBUG', 'ENCODING', 'copy'), c('PFCOUNT', 'copy'), c('GET', 'copy'), c('STRLEN', 'copy'),
    c('PFMERGE', 'copy', 'src'), c('PFCOUNT', 'copy'), c('GET', 'copy'), c('APPEND', 'copy', 'x'), fails('PFADD', 'copy', 'z'),
  ],
  'sparse encoding limits, promotion at hll-sparse-max-bytes and registers past 32': [
    c('CONFIG', 'SET', 'hll-sparse-max-bytes', '30'), c('PFADD', 'h', ...elements(5, 21)), c('PFDEBUG', 'ENCODING', 'h'),
    c('PFADD', 'h', ...elements(20, 22)), c('PFDEBUG', 'ENCODING', 'h'), c('GET', 'h'), c('CONFIG', 'GET', 'hll-sparse-max-bytes'),
    c('CONFIG', 'SET', 'hll-sparse-max-bytes', '0'), c('PFADD', 'z', 'a'), c('PFDEBUG', 'ENCODING', 'z'),
    c('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000'),
    // A register value of 33 does not fit a VAL opcode: the HLL turns dense.
    c('SET', 'v', 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff'), c('PFADD', 'v', 'a'), c('GET', 'v'),
    c('SET', 'w', 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xfc\x7f\xfe'), c('PFCOUNT', 'w'), c('GET', 'w'),
    c('PFDEBUG', 'DECODE', 'w'), c('PFMERGE', 'w2', 'w'), c('PFDEBUG', 'DECODE', 'w2'), c('PFDEBUG', 'GETREG', 'w2'),
    fails('CONFIG', 'SET', 'hll-sparse-max-bytes', '-1'), c('CONFIG', 'SET', 'hll-sparse-max-bytes', '1kb'),
    c('CONFIG', 'GET', 'hll-sparse-max-bytes'), c('CONFIG', 'SET', 'hll-sparse-max-bytes', '3000'),
  ],
  'strings that are not HLLs, and corrupt HLLs': [
    c('SET', 'short', 'HYLL'), fails('PFADD', 'short', 'a'), fails('PFCOUNT', 'short'),
    c('SET', 'magic', 'HYLX\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff'), fails('PFADD', 'magic', 'a'),
    c('SET', 'enc', 'HYLL\x02\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff'), fails('PFCOUNT', 'enc'),
    c('SET', 'dense', 'HYLL\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x7f\xff'), fails('PFCOUNT', 'dense'),
    c('SET', 'n', '1234567890123456789'), fails('PFCOUNT', 'n'),
    // Runs covering fewer or more than 16384 registers.
    c('SET', 'few', 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe'), fails('PFCOUNT', 'few'),
    fails('PFCOUNT', 'few', 'few'), fails('PFMERGE', 'd', 'few'), c('EXISTS', 'd'), c('PFADD', 'few', 'a'), c('GET', 'few'),
    fails('PFADD', 'few', ...elements(50, 3)), c('GET', 'few'), fails('PFDEBUG', 'GETREG', 'few'), fails('PFDEBUG', 'TODENSE', 'few'),
    c('PFDEBUG', 'DECODE', 'few'),
    c('SET', 'many', 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff\x80'), fails('PFCOUNT', 'many'),
    fails('PFCOUNT', 'many', 'few'), c('PFADD', 'many', 'a'), c('GET', 'many'),
    c('SET', 'valrun', 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xfe\x83\x83'), fails('PFCOUNT', 'valrun'),
    fails('PFCOUNT', 'valrun', 'valrun'), fails('PFDEBUG', 'TODENSE', 'valrun'),
    c('SET', 'cache', 'HYLL\x01\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x00\x7f\xff'), c('PFCOUNT', 'cache'),
    c('SET', 'cache', 'HYLL\x01\x00\x00\x00\x07\x00\x00\x00\x00\x00\x00\x80\x7f\xff'), c('PFCOUNT', 'cache'), c('GET', 'cache'),
  ],
  'PFDEBUG': [
    c('PFADD', 'h', 'a', 'b', 'c'), c('PFDEBUG', 'ENCODING', 'h'), c('PFDEBUG', 'DECODE', 'h'), c('PFDEBUG', 'decode', 'h'),
    c('PFDEBUG', 'GETREG', 'h'), c('PFDEBUG', 'ENCODING', 'h'), fails('PFDEBUG', 'DECODE', 'h'), c('PFDEBUG', 'TODENSE', 'h'),
    c('PFADD', 'h2', 'a'), c('PFDEBUG', 'TODENSE', 'h2'), c('GET', 'h2'), c('PFCOUNT', 'h2'),
    fails('PFDEBUG', 'GETREG', 'none'), fails('PFDEBUG', 'FOO', 'none'), fails('PFDEBUG', 'FOO', 'h'), c('SET', 's', 'x'),
    fails('PFDEBUG', 'FOO', 's'), c('LPUSH', 'l', 'x'), fails('PFDEBUG', 'GETREG', 'l'), fails('PFDEBUG', 'GETREG'),
    fails('PFDEBUG', 'GETREG', 'h', 'x'),
  ],
  'an HLL copied between servers with GET and SET keeps working': [
    c('PFADD', 'h', ...elements(100, 7)), c('GET', 'h'), c('SET', 'copy', 'HYLL\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x80\x7f\xff'),
    c('PFADD', 'copy', ...elements(100, 7)), c('GET', 'copy'), c('PFCOUNT', 'copy', 'h'),
  ],
};

differential('HyperLogLog commands', HLL_ROWS);

differential('HyperLogLog commands in RESP3', {
  'replies keep their types': [
    c('PFADD', 'h', 'a', 'b'), c('PFCOUNT', 'h'), c('PFDEBUG', 'ENCODING', 'h'), c('PFDEBUG', 'DECODE', 'h'),
    c('PFMERGE', 'd', 'h'), c('PFDEBUG', 'TODENSE', 'd'), c('PFCOUNT', 'd', 'h'), fails('PFDEBUG', 'DECODE', 'd'),
  ],
}, { proto: 3 });
