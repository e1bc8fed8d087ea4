/**
 * A command's latency distribution as LATENCY HISTOGRAM reports it. Redis
 * records each call in nanoseconds into an HDR histogram (2 significant
 * digits, 1 ns to 1 s) and reports it walked in powers of two from 1,024
 * ns: at step k, the values up to the highest one equivalent to 1024·2^k
 * ns, which is 2^(10+k) + 2^(3+k) − 1 at that precision. Only those
 * boundaries are ever reported, so a count per step is all it takes.
 */

/** Steps: 1024 ns · 2^20 passes Redis's 1 s ceiling. */
const STEPS = 21;

/** The highest value, in ns, that step k reports. */
function stepTop(k: number): number {
  return 2 ** (10 + k) + 2 ** (3 + k) - 1;
}

const TOPS = Array.from({ length: STEPS }, (_, k) => stepTop(k));

/** The step a call of `usec` microseconds falls in (Redis records duration·1000 ns, within 1 ns … 1 s). */
export function stepOf(usec: number): number {
  const ns = Math.min(Math.max(usec * 1000, 1), 1e9);
  if (ns <= TOPS[0]) return 0;
  const k = 31 - Math.clz32(ns) - 10;
  return ns <= TOPS[k] ? k : k + 1;
}

export class LatencyHistogram {
  readonly counts = new Float64Array(STEPS);
  total = 0;

  record(usec: number): void {
    this.counts[stepOf(usec)]++;
    this.total++;
  }

  /** [microseconds, cumulative calls] for each step that added calls (Redis's fillCommandCDF). */
  cumulative(): [number, number][] {
    const out: [number, number][] = [];
    let sum = 0;
    for (let k = 0; k < STEPS && sum < this.total; k++) {
      if (this.counts[k] === 0) continue;
      sum += this.counts[k];
      out.push([Math.floor(TOPS[k] / 1000), sum]);
    }
    return out;
  }
}
