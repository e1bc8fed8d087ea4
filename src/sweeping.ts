import v8 from 'node:v8';

/**
 * Whether the server sweeps the old generation on its own thread. After a
 * mark-compact, V8 hands the sweeping of the old generation's pages to a
 * worker thread by default, and posting that job was most of the
 * mark-compact's "finish" phase on a server pinned to one core: 3-8 ms of
 * pauses of 4-15 ms, where the marking and evacuating took 1-4
 * (`--trace-gc-nvp`; docs/benchmarks.md, 2026-11-25 evening), the worker
 * taking the core from the main thread before the pause ended. Swept on
 * the main thread, as the allocations that need the pages ask for them,
 * the same phase took 0.5 ms. A choice given to node itself (its command
 * line or NODE_OPTIONS) stands. Only for a process that is nothing but
 * the server: the flag is global to the isolate.
 */
export function sweepOnMainThread(): boolean {
  const flags = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (flags.some((f) => /^--(no-)?concurrent[-_]sweeping$/.test(f))) return false;
  v8.setFlagsFromString('--no-concurrent-sweeping');
  return true;
}
