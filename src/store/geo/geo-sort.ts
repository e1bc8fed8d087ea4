import { partialSort } from '../../core/pqsort.js';
import type { GeoPoint } from './geo-search.js';

type Compare = (a: GeoPoint, b: GeoPoint) => number;

const ascending: Compare = (a, b) => (a.dist > b.dist ? 1 : a.dist === b.dist ? 0 : -1);
const descending: Compare = (a, b) => -ascending(a, b);

/**
 * Orders points by distance as Redis does: the whole result with glibc's
 * qsort (a merge sort, so equal distances keep the order they were found
 * in), or, when COUNT keeps fewer than were found, with Redis's pqsort, a
 * quicksort that only sorts the part holding the first `keep`; equal
 * distances then come out in the order its partitioning leaves them.
 */
export function sortPoints(points: GeoPoint[], order: 'asc' | 'desc', keep: number): void {
  const cmp = order === 'asc' ? ascending : descending;
  if (keep >= points.length) points.sort(cmp);
  else partialSort(points, cmp, 0, keep - 1);
}
