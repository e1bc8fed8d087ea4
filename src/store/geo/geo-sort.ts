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
  else partialSort(points, cmp, 0, points.length, 0, keep - 1);
}

function swap(a: GeoPoint[], i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

/** Swaps the n elements from i with the n from j. */
function swapRuns(a: GeoPoint[], i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(a, i + k, j + k);
}

function median3(a: GeoPoint[], x: number, y: number, z: number, cmp: Compare): number {
  if (cmp(a[x], a[y]) < 0) return cmp(a[y], a[z]) < 0 ? y : cmp(a[x], a[z]) < 0 ? z : x;
  return cmp(a[y], a[z]) > 0 ? y : cmp(a[x], a[z]) < 0 ? x : z;
}

/** Whether the run [start, start + n) reaches ranks [lo, hi]. */
function overlaps(start: number, n: number, lo: number, hi: number): boolean {
  return !(hi < start || lo > start + n - 1);
}

/**
 * Bentley and McIlroy's quicksort of a[base, base + n), as Redis's pqsort
 * runs it: insertion sort below 7 elements, a median (of medians past 40)
 * as pivot, a three-way partition gathering the pivot's equals at the ends
 * and then moving them to the middle, and recursion only into parts that
 * hold some of ranks lo..hi.
 */
function partialSort(a: GeoPoint[], cmp: Compare, base: number, n: number, lo: number, hi: number): void {
  for (;;) {
    if (n < 7) {
      for (let m = base + 1; m < base + n; m++) {
        for (let l = m; l > base && cmp(a[l - 1], a[l]) > 0; l--) swap(a, l, l - 1);
      }
      return;
    }
    let pm = base + Math.floor(n / 2);
    if (n > 7) {
      let pl = base;
      let pn = base + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = median3(a, pl, pl + d, pl + 2 * d, cmp);
        pm = median3(a, pm - d, pm, pm + d, cmp);
        pn = median3(a, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = median3(a, pl, pm, pn, cmp);
    }
    swap(a, base, pm);
    let pa = base + 1;
    let pb = pa;
    let pc = base + n - 1;
    let pd = pc;
    for (;;) {
      for (let r: number; pb <= pc && (r = cmp(a[pb], a[base])) <= 0; pb++) {
        if (r === 0) swap(a, pa++, pb);
      }
      for (let r: number; pb <= pc && (r = cmp(a[pc], a[base])) >= 0; pc--) {
        if (r === 0) swap(a, pc, pd--);
      }
      if (pb > pc) break;
      swap(a, pb++, pc--);
    }
    const end = base + n;
    let r = Math.min(pa - base, pb - pa);
    swapRuns(a, base, pb - r, r);
    r = Math.min(pd - pc, end - pd - 1);
    swapRuns(a, pb, end - r, r);
    const below = pb - pa;
    if (below > 1 && overlaps(base, below, lo, hi)) partialSort(a, cmp, base, below, lo, hi);
    const above = pd - pc;
    if (above <= 1 || !overlaps(end - above, above, lo, hi)) return;
    base = end - above;
    n = above;
  }
}
