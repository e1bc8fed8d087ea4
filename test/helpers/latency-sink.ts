import { performance } from 'node:perf_hooks';
import type { LatencySink } from '../../src/core/latency.js';

/** A latency sink at a 1 ms threshold that keeps the events it was given, in order. */
export function recordingSink(): LatencySink & { events: string[] } {
  const events: string[] = [];
  return { threshold: 1, events, addIfNeeded: (event, ms) => void (ms >= 1 && events.push(event)) };
}

/** Blocks the thread for `ms` milliseconds: a step made slow on purpose. */
export function block(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until);
}
