import { DENSE_SIZE, HEADER, REGISTERS, SPARSE, denseGet, denseHistogram, denseSet, estimate } from './hll-format.js';
import { countOf, raise } from './hll-ops.js';
import { patternCount, patternIndex, patternOfWords } from './murmur.js';
import { HllBytes, emptyHll } from './hll-sparse.js';


function denseCount(b: Uint8Array): number {
  const histo = new Float64Array(64);
  denseHistogram(b, HEADER, histo);
  return estimate(histo);
}

/**
 * PFSELFTEST, Redis's checks: six-bit registers keep what is written
 * without touching their neighbours; then 10,000,000 distinct elements go
 * into a dense and a sparse HLL, which must agree (the sparse one staying
 * sparse while small) and stay within six standard errors at each power
 * of ten. Null on success, else the failure's message. The sizes are
 * Redis's unless a test asks for a shorter run.
 */
export function selfTest(sparseMaxBytes: number, cycles = 1000, elements = 10_000_000): string | null {
  const dense = Buffer.alloc(DENSE_SIZE);
  const expected = new Uint8Array(REGISTERS);
  for (let cycle = 0; cycle < cycles; cycle++) {
    for (let i = 0; i < REGISTERS; i++) {
      const r = Math.floor(Math.random() * 64);
      expected[i] = r;
      denseSet(dense, HEADER, i, r);
    }
    for (let i = 0; i < REGISTERS; i++) {
      const v = denseGet(dense, HEADER, i);
      if (v !== expected[i]) return `TESTFAILED Register ${i} should be ${expected[i]} but is ${v}`;
    }
  }
  dense.fill(0, HEADER);
  const denseHll = new HllBytes(dense, DENSE_SIZE);
  const sparse = emptyHll();
  const relErr = 1.04 / Math.sqrt(REGISTERS);
  const seedHi = Math.floor(Math.random() * 2 ** 32);
  const seedLo = Math.floor(Math.random() * 2 ** 32);
  let checkpoint = 1;
  for (let j = 1; j <= elements; j++) {
    // The element is the 64-bit integer j ^ seed, as its 8 bytes little endian; one hash serves both HLLs.
    const p = patternOfWords(j ^ seedLo, seedHi);
    const index = patternIndex(p);
    const count = patternCount(p);
    raise(denseHll, index, count, sparseMaxBytes);
    raise(sparse, index, count, sparseMaxBytes);
    if (j !== checkpoint) continue;
    if (j < sparseMaxBytes / 2 && sparse.encoding !== SPARSE) return 'TESTFAILED sparse encoding not used';
    const card = denseCount(dense);
    if (card !== countOf(sparse.bytes)) return 'TESTFAILED dense/sparse disagree';
    const maxErr = j === 10 ? 1 : Math.ceil(relErr * 6 * checkpoint);
    const absErr = Math.abs(checkpoint - card);
    if (absErr > maxErr) return `TESTFAILED Too big error. card:${checkpoint} abserr:${absErr}`;
    checkpoint *= 10;
  }
  return null;
}
