import v8 from 'node:v8';
import { givenToNode } from './node-flags.js';
import { v8Gc } from './v8-gc.js';

/**
 * The young generation (both semi-spaces) sluice-server grows to at start:
 * V8's own ceiling on 64-bit Node 20, two semi-spaces of 16 MiB, which V8
 * would reach under any sustained load anyway. Until 2026-11-25 it was
 * capped at 16 MiB for memory and for shorter scavenges under loads that
 * keep what they write; measured again that day (docs/benchmarks.md), the
 * cap's scavenges came twice as often under the loads that keep little,
 * and at -P 16 they set the p99: the core section met the p99 target in
 * 13 of its 16 rows at 32 MiB against 9 at 16 MiB, for about 18 MiB more
 * resident memory and scavenges of 8-10 ms instead of 4-6 ms while a
 * million keys arrive.
 */
const YOUNG_GENERATION_BYTES = 32 * 1024 * 1024;

/**
 * The growth factor left set once presize is done, so that any later
 * growth of the new space goes back to YOUNG_GENERATION_BYTES at once. At
 * the first collection after a spell in which the process allocated under
 * 1,000 bytes per ms, V8 shrinks the new space back to its starting size
 * (Heap::ShouldResizeNewSpace), and grows it again as objects survive
 * scavenges, by this factor each time: at V8's default of 2, a server that
 * idled 27 s then served LPUSH -P 16 with a new space of about 2 MiB for
 * the rest of its run, a scavenge every few ms, and the objects caught in
 * flight by them promoted until mark-compacts and marking steps of 5-11
 * ms followed (docs/benchmarks.md, 2026-11-25 evening). Keeping the new
 * space from shrinking would take allocating on a timer while idle, whose
 * scavenges the benchmarks saw stretched to 5-7 ms while Redis had the
 * shared core; regrowing at once was enough.
 */
const REGROWTH = 64;

function newSpaceBytes(): number {
  for (const s of v8.getHeapSpaceStatistics()) if (s.space_name === 'new_space') return s.space_size;
  return 0;
}

/** Allocation rounds presize may take to make V8 grow the new space: far more than the one or two it needs. */
const PRESIZE_ROUNDS = 64;
/** Objects kept per round, about 0.3 MiB: more than a fresh new space holds, which is what makes V8 grow it. */
const KEPT_PER_ROUND = 10_000;

/**
 * Grows the young generation to YOUNG_GENERATION_BYTES and touches all of
 * its pages before the server serves. A new space that grows under load
 * takes fresh, never-touched memory, and the scavenges right after a
 * growth copy their survivors into it: where the first touch of a page is
 * slow (about 11 µs on the virtual machines measured, so 3 MiB of
 * survivors cost 8 ms in faults alone), those are the longest pauses a
 * steady load sees (8-13 ms, against under 1 ms once the pages are
 * resident). Costs some 80 ms at start. V8 gives the pages back after an
 * idle spell (see REGROWTH). Only for a process that is
 * nothing but the server: the growth factor it leaves set (REGROWTH) is
 * global to the isolate. Returns whether the new space reached the size;
 * a semi-space size given to node itself is left to stand.
 */
export function presizeYoungGeneration(): boolean {
  if (givenToNode('--max-semi-space-size') || givenToNode('--min-semi-space-size')) return false;
  let kept: { n: number }[] = [];
  for (let round = 0; round < PRESIZE_ROUNDS; round++) {
    const size = newSpaceBytes();
    if (size === 0 || size >= YOUNG_GENERATION_BYTES) break;
    // V8 multiplies the capacity by this factor at its next growth: as far as the target, and no further.
    v8.setFlagsFromString(`--semi-space-growth-factor=${Math.max(1, Math.floor(YOUNG_GENERATION_BYTES / size))}`);
    for (let i = 0; i < KEPT_PER_ROUND; i++) kept.push({ n: i });
  }
  kept = [];
  v8.setFlagsFromString(`--semi-space-growth-factor=${REGROWTH}`);
  // Short-lived garbage twice the young generation's size passes through both semi-spaces, touching every page.
  let sink: number[] = [];
  for (let i = 0; i < (2 * YOUNG_GENERATION_BYTES) / 32; i++) sink = [i];
  collectAll();
  // The last array is read, so that no compiler may drop the loop's allocations as unused.
  return newSpaceBytes() >= YOUNG_GENERATION_BYTES && sink.length === 1;
}

/**
 * One full collection, so that what presize kept (promoted to the old
 * generation, about 4 MB) is not counted as heap in use: used_memory
 * reads the heap until a maxmemory is set, and Redis's tests (and users)
 * set a limit just above what it reads.
 */
function collectAll(): void {
  v8Gc()();
}

/**
 * Moves into the old generation what loading the data set at start left
 * in the young one, before the first client is served. A load keeps
 * nearly all it makes, so when it ends the new space is full of data
 * that the next scavenge copies and the one after promotes: with a
 * million keys loaded from an RDB file, the first scavenge after "Ready
 * to accept connections" took 10.2 ms, in the middle of the first
 * clients' requests (docs/benchmarks.md, 2026-11-26). Here those two
 * scavenges run while no request waits. An object is promoted by the
 * second scavenge it survives; a third finds nothing left to copy.
 */
export function promoteLoadedData(): void {
  const gc = v8Gc();
  gc({ type: 'minor' });
  gc({ type: 'minor' });
}
