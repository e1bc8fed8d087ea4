import { DENSE, HEADER, denseGet, denseHistogram, denseSet, estimate, freshHistogram } from './hll-format.js';
import { HllBytes, sparseHistogram, sparseSet } from './hll-sparse.js';
import { patternCount, patternIndex, patternOf } from './murmur.js';

/** Adds an element: 1 if a register rose, 0 if not, -1 for a corrupt sparse body (Redis's hllAdd). */
export function addElement(h: HllBytes, element: string, maxBytes: number): number {
  const p = patternOf(element);
  return raise(h, patternIndex(p), patternCount(p), maxBytes);
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
  const histo = freshHistogram();
  if (b[4] === DENSE) denseHistogram(b, HEADER, histo);
  else if (!sparseHistogram(b, b.length, histo)) return null;
  return estimate(histo);
}
