/** A uniform integer in [0, n). */
export function randomBelow(n: number): number {
  return Math.floor(Math.random() * n);
}

/**
 * `k` of the positions 0..n-1 chosen uniformly, marked in position order
 * (Knuth's selection sampling, as Redis's lpNextRandom walks a listpack):
 * one pass, every k-subset equally likely.
 */
export function chooseOrdered(n: number, k: number): Uint8Array {
  const chosen = new Uint8Array(n);
  for (let i = 0; i < n && k > 0; i++) {
    if (Math.random() * (n - i) < k) {
      chosen[i] = 1;
      k--;
    }
  }
  return chosen;
}

/** Above this many, a JS Set of positions would near V8's 2^24-entry limit. */
const FLOYD_LIMIT = 1 << 23;

/**
 * `k` distinct positions of 0..n-1 (k < n) chosen uniformly, in no useful
 * order. Robert Floyd's algorithm draws exactly k numbers and keeps only
 * the positions, so memory follows the reply, not the set; when k is a
 * large share of n a single marking pass is as cheap (Redis switches
 * strategy at the same ratio, 1/3).
 */
export function chooseDistinct(n: number, k: number, f: (i: number) => void): void {
  if (k * 3 > n || k > FLOYD_LIMIT) {
    const chosen = chooseOrdered(n, k);
    for (let i = 0; i < n; i++) if (chosen[i] === 1) f(i);
    return;
  }
  const picked = new Set<number>();
  for (let j = n - k; j < n; j++) {
    const t = randomBelow(j + 1);
    picked.add(picked.has(t) ? j : t);
  }
  for (const i of picked) f(i);
}
