import { PerformanceObserver } from 'node:perf_hooks';
import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

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
 * Grows the young generation to YOUNG_GENERATION_BYTES now (presize) and
 * keeps it at or below that size for the rest of the process. V8 fixes its semi-space ceiling when the process
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
  let capped = presize();
  const check = (): void => {
    const atLimit = newSpaceBytes() >= YOUNG_GENERATION_BYTES;
    if (atLimit === capped) return;
    capped = atLimit;
    v8.setFlagsFromString(`--semi-space-growth-factor=${atLimit ? 1 : DEFAULT_GROWTH}`);
  };
  new PerformanceObserver(check).observe({ entryTypes: ['gc'] });
  check();
}

/** Allocation rounds presize may take to make V8 grow the new space: far more than the one or two it needs. */
const PRESIZE_ROUNDS = 64;
/** Objects kept per round, about 0.3 MiB: more than a fresh new space holds, which is what makes V8 grow it. */
const KEPT_PER_ROUND = 10_000;

/**
 * Grows the young generation to its limit and touches all of its pages
 * before the server serves, returning whether it is at the limit. A new
 * space that grows under load takes fresh, never-touched memory, and the
 * scavenges right after a growth copy their survivors into it: where the
 * first touch of a page is slow (about 11 µs on the virtual machines
 * measured, so 3 MiB of survivors cost 8 ms in faults alone), those are
 * the longest pauses a steady load sees (8-13 ms, against under 1 ms once
 * the pages are resident). Costs some 50 ms at start; V8 was not seen to
 * give the pages back while the server idles.
 */
function presize(): boolean {
  let kept: { n: number }[] = [];
  for (let round = 0; round < PRESIZE_ROUNDS; round++) {
    const size = newSpaceBytes();
    if (size === 0 || size >= YOUNG_GENERATION_BYTES) break;
    // V8 multiplies the capacity by this factor at its next growth: as far as the limit, and no further.
    v8.setFlagsFromString(`--semi-space-growth-factor=${Math.max(1, Math.floor(YOUNG_GENERATION_BYTES / size))}`);
    for (let i = 0; i < KEPT_PER_ROUND; i++) kept.push({ n: i });
  }
  kept = [];
  const atLimit = newSpaceBytes() >= YOUNG_GENERATION_BYTES;
  v8.setFlagsFromString(`--semi-space-growth-factor=${atLimit ? 1 : DEFAULT_GROWTH}`);
  // Short-lived garbage twice the young generation's size passes through both semi-spaces, touching every page.
  let sink: number[] = [];
  for (let i = 0; i < (2 * YOUNG_GENERATION_BYTES) / 32; i++) sink = [i];
  collectAll();
  return atLimit && sink.length === 1 && kept.length === 0;
}

/**
 * One full collection, so that what presize kept (promoted to the old
 * generation, about 4 MB) is not counted as heap in use: used_memory
 * reads the heap until a maxmemory is set, and Redis's tests (and users)
 * set a limit just above what it reads. V8 gives a context created while
 * --expose-gc is set its `gc`; the flag is cleared again at once, so the
 * server's own context never has one.
 */
function collectAll(): void {
  v8.setFlagsFromString('--expose-gc');
  try {
    (runInNewContext('gc') as () => void)();
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}
