/**
 * A command's latency distribution, laid out as Redis's HDR histogram
 * (hdr_init(1, 1e9, 2)): values in nanoseconds, 1 ns to 1 s, two
 * significant digits. A value v falls in bucket b = ⌊log2(v | 255)⌋ − 7 and
 * sub-bucket v >> b (128…255, or 0…255 in bucket 0), so every count
 * stands for a range of 2^b ns. LATENCY HISTOGRAM walks it in powers of two
 * from 1,024 ns; INFO latencystats reads percentiles from it.
 */

/** Buckets Redis allocates for 1e9 at two digits: 256·2^22 is the first size past it. */
const BUCKETS = 23;
const HALF = 128;
const COUNTS = (BUCKETS + 1) * HALF;
const MAX_NS = 1e9;

/** The counts index of `ns` (an integer within 1 … 1e9). */
function indexOf(ns: number): number {
  const b = 31 - Math.clz32(ns | 255) - 7;
  return ((b + 1) << 7) + (ns >>> b) - HALF;
}

/** The lowest value an index stands for. */
function valueAt(index: number): number {
  let b = (index >> 7) - 1;
  let sub = (index & (HALF - 1)) + HALF;
  if (b < 0) {
    sub -= HALF;
    b = 0;
  }
  return sub * 2 ** b;
}

/** The highest value equivalent to `ns` at this precision. */
function highestEquivalent(ns: number): number {
  const b = Math.max(0, 31 - Math.clz32(ns | 255) - 7);
  return Math.floor(ns / 2 ** b) * 2 ** b + 2 ** b - 1;
}

/** LATENCY HISTOGRAM's steps: step k reports the values up to the highest equivalent to 1024·2^k ns; 20 passes 1 s. */
const STEPS = 21;
const STEP_TOPS = Array.from({ length: STEPS }, (_, k) => highestEquivalent(1024 * 2 ** k));
const STEP_LAST_INDEX = STEP_TOPS.map((top) => Math.min(COUNTS - 1, indexOf(Math.min(top, 2 ** 31 - 1))));

export class LatencyHistogram {
  /** Redis keeps 64-bit counts: doubles count exactly far beyond any server's lifetime. */
  readonly counts = new Float64Array(COUNTS);
  total = 0;

  /** Records a call of `usec` microseconds (Redis records µs·1000 ns, clamped to 1 ns … 1 s). */
  record(usec: number): void {
    this.counts[indexOf(Math.min(Math.max(usec * 1000, 1), MAX_NS))]++;
    this.total++;
  }

  /** [microseconds, cumulative calls] for each step that added calls (Redis's fillCommandCDF). */
  cumulative(): [number, number][] {
    const out: [number, number][] = [];
    let sum = 0;
    let i = 0;
    for (let k = 0; k < STEPS && sum < this.total; k++) {
      const before = sum;
      for (; i <= STEP_LAST_INDEX[k]; i++) sum += this.counts[i];
      if (sum > before) out.push([Math.floor(STEP_TOPS[k] / 1000), sum]);
    }
    return out;
  }

  /** hdr_value_at_percentile: the highest value (the lowest, for 0) equivalent to the one at `percentile`, in ns. */
  valueAtPercentile(percentile: number): number {
    const wanted = Math.max(1, Math.trunc((Math.min(percentile, 100) / 100) * this.total + 0.5));
    let sum = 0;
    let value = 0;
    for (let i = 0; i < COUNTS; i++) {
      sum += this.counts[i];
      if (sum >= wanted) {
        value = valueAt(i);
        break;
      }
    }
    return percentile === 0 ? value : highestEquivalent(value);
  }
}
