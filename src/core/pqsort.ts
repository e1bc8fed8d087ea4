/**
 * Redis's pqsort (Bentley and McIlroy's quicksort that only recurses into
 * the parts overlapping [from, to]), step for step: SORT … BY … LIMIT and
 * GEOSEARCH … COUNT use it, and where weights tie (an ALPHA weight of a
 * missing key, equal distances) the order of the tied elements is this
 * algorithm's, not a stable sort's.
 * Only positions from..to are sorted afterwards.
 */
export function partialSort<T>(a: Sortable<T>, cmp: (x: T, y: T) => number, from: number, to: number): void {
  sortPart(a, cmp, 0, a.length, from, to);
}

/** An array or typed array: what the sort reads and swaps. */
type Sortable<T> = { [i: number]: T; readonly length: number };

function swap<T>(a: Sortable<T>, i: number, j: number): void {
  const t = a[i];
  a[i] = a[j];
  a[j] = t;
}

function swapRuns<T>(a: Sortable<T>, i: number, j: number, n: number): void {
  for (let k = 0; k < n; k++) swap(a, i + k, j + k);
}

function median3<T>(a: Sortable<T>, i: number, j: number, k: number, cmp: (x: T, y: T) => number): number {
  if (cmp(a[i], a[j]) < 0) {
    if (cmp(a[j], a[k]) < 0) return j;
    return cmp(a[i], a[k]) < 0 ? k : i;
  }
  if (cmp(a[j], a[k]) > 0) return j;
  return cmp(a[i], a[k]) < 0 ? i : k;
}

/** Whether positions [lo, lo + n) hold nothing of [from, to], as pqsort's pointer test decides it. */
function outside(lo: number, n: number, from: number, to: number): boolean {
  return (from < lo && to < lo) || (from >= lo + n && to >= lo + n);
}

function sortPart<T>(a: Sortable<T>, cmp: (x: T, y: T) => number, lo: number, n: number, from: number, to: number): void {
  for (;;) {
    if (n < 7) {
      for (let m = lo + 1; m < lo + n; m++) {
        for (let l = m; l > lo && cmp(a[l - 1], a[l]) > 0; l--) swap(a, l, l - 1);
      }
      return;
    }
    let pm = lo + Math.floor(n / 2);
    if (n > 7) {
      let pl = lo;
      let pn = lo + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = median3(a, pl, pl + d, pl + 2 * d, cmp);
        pm = median3(a, pm - d, pm, pm + d, cmp);
        pn = median3(a, pn - 2 * d, pn - d, pn, cmp);
      }
      pm = median3(a, pl, pm, pn, cmp);
    }
    swap(a, lo, pm);
    let pa = lo + 1;
    let pb = pa;
    let pc = lo + n - 1;
    let pd = pc;
    for (;;) {
      let r: number;
      while (pb <= pc && (r = cmp(a[pb], a[lo])) <= 0) {
        if (r === 0) swap(a, pa++, pb);
        pb++;
      }
      while (pb <= pc && (r = cmp(a[pc], a[lo])) >= 0) {
        if (r === 0) swap(a, pc, pd--);
        pc--;
      }
      if (pb > pc) break;
      swap(a, pb++, pc--);
    }
    const end = lo + n;
    let r = Math.min(pa - lo, pb - pa);
    swapRuns(a, lo, pb - r, r);
    r = Math.min(pd - pc, end - pd - 1);
    swapRuns(a, pb, end - r, r);
    r = pb - pa;
    if (r > 1 && !outside(lo, r, from, to)) sortPart(a, cmp, lo, r, from, to);
    r = pd - pc;
    if (r <= 1) return;
    lo = end - r;
    n = r;
    if (outside(lo, n, from, to)) return;
  }
}
