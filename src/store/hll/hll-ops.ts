import { DENSE, HEADER, REGISTERS, denseGet, denseHistogram, denseSet, estimate } from './hll-format.js';
import { eachRun, HllBytes, sparseHistogram, sparseSet } from './hll-sparse.js';
import { patternOf } from './murmur.js';

/** Adds an element: 1 if a register rose, 0 if not, -1 for a corrupt sparse body (Redis's hllAdd). */
export function addElement(h: HllBytes, element: string, maxBytes: number): number {
  const { index, count } = patternOf(element);
  return raise(h, index, count, maxBytes);
}

/** Raises register `index` to `count` if it is lower, in either encoding. */
export function raise(h: HllBytes, index: number, count: number, maxBytes: number): number {
  if (h.encoding !== DENSE) return sparseSet(h, index, count, maxBytes);
  if (denseGet(h.buf, HEADER, index) >= count) return 0;
  denseSet(h.buf, HEADER, index, count);
  return 1;
}

/** The estimate for one HLL, or null when its sparse body is corrupt. */
export function countOf(b: Uint8Array): number | null {
  const histo = new Float64Array(64);
  if (b[4] === DENSE) denseHistogram(b, HEADER, histo);
  else if (!sparseHistogram(b, b.length, histo)) return null;
  return estimate(histo);
}

/** Folds an HLL into `max` (one byte per register); false for a corrupt sparse body (Redis's hllMerge). */
export function mergeInto(max: Uint8Array, b: Uint8Array): boolean {
  if (b[4] === DENSE) {
    for (let i = 0; i < REGISTERS; i++) {
      const v = denseGet(b, HEADER, i);
      if (v > max[i]) max[i] = v;
    }
    return true;
  }
  const covered = eachRun(b, b.length, (first, count, value) => {
    for (let i = first; i < first + count; i++) if (value > max[i]) max[i] = value;
  });
  return covered === REGISTERS;
}

/** The estimate for registers held one per byte (the union PFCOUNT computes). */
export function countRegisters(max: Uint8Array): number {
  const histo = new Float64Array(64);
  for (let i = 0; i < REGISTERS; i++) histo[max[i]]++;
  return estimate(histo);
}
