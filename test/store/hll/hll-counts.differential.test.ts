import { c, differential, type Row } from '../../helpers/differential.js';

function generator(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x / 2147483648;
  };
}

const BATCH = 10_000;

/**
 * Keys filled to many cardinalities up to 200,000, with overlapping
 * elements, short binary ones and long ones: every PFCOUNT (one key,
 * unions), PFMERGE and the resulting bytes must be Redis's.
 */
function countRows(seed: number, sizes: number[]): Row[] {
  const rnd = generator(seed);
  const rows: Row[] = [];
  sizes.forEach((size, k) => {
    const key = `h${k}`;
    for (let from = 0; from < size; from += BATCH) {
      const batch: string[] = [];
      for (let i = from; i < Math.min(size, from + BATCH); i++) {
        const r = rnd();
        if (r < 0.6) batch.push(`e:${Math.floor(rnd() * size * 2)}`);
        else if (r < 0.9) batch.push(String.fromCharCode(...Array.from({ length: 1 + Math.floor(rnd() * 8) }, () => Math.floor(rnd() * 256))));
        else batch.push(`long-element-${i}-`.repeat(1 + Math.floor(rnd() * 5)));
      }
      rows.push(c('PFADD', key, ...batch), c('PFCOUNT', key));
    }
    rows.push(c('PFCOUNT', key), c('GET', key));
    if (k > 0) rows.push(c('PFCOUNT', key, `h${k - 1}`), c('PFCOUNT', ...sizes.slice(0, k + 1).map((_, j) => `h${j}`)));
  });
  rows.push(c('PFMERGE', 'all', ...sizes.map((_, j) => `h${j}`)), c('PFCOUNT', 'all'), c('GET', 'all'));
  rows.push(c('PFMERGE', 'small', 'h0', 'h1', 'h2'), c('PFCOUNT', 'small'), c('GET', 'small'));
  return rows;
}

differential('HyperLogLog estimates', {
  'small and sparse cardinalities': countRows(1, [0, 1, 2, 5, 10, 30, 60, 100, 150, 200, 300, 500, 700, 1000, 1500]),
  'cardinalities from 2,000 to 50,000': countRows(2, [2000, 3000, 5000, 8000, 12000, 20000, 35000, 50000]),
  'cardinalities up to 200,000': countRows(3, [3, 400, 100_000, 200_000]),
});
