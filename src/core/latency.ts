import { performance } from 'node:perf_hooks';
/**
 * Where the layers below the server report operations that blocked (the
 * server's latency monitor, LATENCY LATEST/HISTORY). A hook reads the
 * clock only while `threshold` is above 0, so a monitor that is off costs
 * one field test.
 */
export interface LatencySink {
  /** latency-monitor-threshold, ms; 0: the monitor is off. */
  readonly threshold: number;
  /** Records `ms` for `event` when the monitor is on and it reaches the threshold. */
  addIfNeeded(event: string, ms: number): void;
}

/** A sink that is always off, for parts made before (or without) a server. */
export const NO_LATENCY: LatencySink = { threshold: 0, addIfNeeded() {} };

/** Elapsed ms since `start` (a performance.now() reading), whole as Redis's mstime differences. */
export function msSince(start: number): number {
  return Math.floor(performance.now() - start);
}

/** Runs `f`, timed as `event` while the monitor is on (for operations off the hot path). */
export function timed<T>(sink: LatencySink, event: string, f: () => T): T {
  if (sink.threshold === 0) return f();
  const start = performance.now();
  const result = f();
  // Like Redis, a step that failed (threw) is not a sample.
  sink.addIfNeeded(event, msSince(start));
  return result;
}
