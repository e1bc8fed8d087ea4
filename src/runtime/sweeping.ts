import os from 'node:os';
import v8 from 'node:v8';
import { givenToNode } from './node-flags.js';

/**
 * Whether the server sweeps the old generation on its own thread. After a
 * mark-compact V8 hands the sweeping of the old generation's pages to a
 * worker thread. On a process that may use only one core (its affinity,
 * as `taskset -c 0` sets it, which is how the benchmarks pin servers)
 * that worker can only run by taking the core from the main thread, and
 * it did so before the pause ended: V8's "finish" phase, which only posts
 * the job, took 3-8 ms of mark-compacts of 4-15 ms (`--trace-gc-nvp`;
 * docs/benchmarks.md, 2026-11-25 evening), 0.5 ms with sweeping on the
 * main thread, where the allocations that need the pages sweep them. That
 * costs the scavenges that promote a lot (a million keys arriving: the
 * longest 3.47-3.92 ms against 2.25-2.98), so a process with more cores
 * keeps V8's default. A choice given to node itself (its command line or
 * NODE_OPTIONS) stands. Only for a process that is nothing but the
 * server: the flag is global to the isolate. sluice-server does this only
 * where it cannot give V8's threads the lowest priority instead
 * (helper-threads.ts): the flag also has V8 free dead array buffers inside
 * the pause, 5-10 ms for 64 MB.
 */
export function sweepOnMainThread(cores = os.availableParallelism()): boolean {
  if (cores > 1 || givenToNode('--concurrent-sweeping')) return false;
  v8.setFlagsFromString('--no-concurrent-sweeping');
  return true;
}
