import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';

/**
 * The most sluice-server lets V8's young generation (both semi-spaces) grow
 * to: 16 MiB, half of V8's own ceiling on 64-bit. Chosen by measurement
 * (docs/benchmarks.md, 2026-11-24): against the default, the resident set
 * grows about 15 MiB less under any sustained load, the longest scavenge
 * pauses are shorter, and -P 16 throughput is the same within noise; at
 * 8 MiB INCR -P 16 lost about 10% to the extra scavenges.
 */
const YOUNG_GENERATION_BYTES = 16 * 1024 * 1024;

/** V8's default for --semi-space-growth-factor. */
const DEFAULT_GROWTH = 2;

function newSpaceBytes(): number {
  for (const s of v8.getHeapSpaceStatistics()) if (s.space_name === 'new_space') return s.space_size;
  return 0;
}

/** Whether the semi-space size was chosen on node's command line (or NODE_OPTIONS), which then stands. */
function chosenByUser(): boolean {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  return flags.some((f) => /^--(max|min)[-_]semi[-_]space[-_]size/.test(f));
}

/**
 * Keeps the young generation at or below YOUNG_GENERATION_BYTES for the
 * rest of the process. V8 fixes its semi-space ceiling when the process
 * starts, so it cannot be lowered from inside; what can be changed at run
 * time is the factor each growth multiplies by. After every collection the new space is
 * measured: once it reaches the limit, growth stops (factor 1); should V8
 * shrink it again when idle, growth resumes. A growth needs more bytes to
 * survive than the new space holds, so the check after each collection is
 * in time. Only for a process that is nothing but the server: the flag is
 * global to the isolate.
 */
export function capYoungGeneration(): void {
  if (chosenByUser()) return;
  let capped = false;
  const check = (): void => {
    const atLimit = newSpaceBytes() >= YOUNG_GENERATION_BYTES;
    if (atLimit === capped) return;
    capped = atLimit;
    v8.setFlagsFromString(`--semi-space-growth-factor=${atLimit ? 1 : DEFAULT_GROWTH}`);
  };
  new PerformanceObserver(check).observe({ entryTypes: ['gc'] });
  check();
}
