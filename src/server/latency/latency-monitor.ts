import type { LatencySink } from '../../core/latency.js';

/** Samples kept per event, as Redis's LATENCY_TS_LEN. */
const HISTORY = 160;

/** One event's history: at most one sample a second (the worst of that second), the last 160. */
export interface LatencySeries {
  times: number[];
  latencies: number[];
  /** The worst latency ever recorded for the event (until it is reset). */
  max: number;
}

/**
 * The latency monitor (Redis's latency.c): per event class ("command",
 * "fast-command", …), the samples of operations that took at least
 * `latency-monitor-threshold` milliseconds. Off (threshold 0) it records
 * nothing and costs one comparison per command.
 */
export class LatencyMonitor implements LatencySink {
  /** latency-monitor-threshold, ms; 0 turns the monitor off. */
  threshold = 0;
  readonly events = new Map<string, LatencySeries>();

  /** Records `ms` for `event` when the monitor is on and it reaches the threshold (latencyAddSampleIfNeeded). */
  addIfNeeded(event: string, ms: number): void {
    if (this.threshold !== 0 && ms >= this.threshold) this.add(event, ms, Math.floor(Date.now() / 1000));
  }

  add(event: string, ms: number, nowSec: number): void {
    let s = this.events.get(event);
    if (s === undefined) this.events.set(event, (s = { times: [], latencies: [], max: 0 }));
    if (ms > s.max) s.max = ms;
    const last = s.times.length - 1;
    if (last >= 0 && s.times[last] === nowSec) {
      if (ms > s.latencies[last]) s.latencies[last] = ms;
      return;
    }
    s.times.push(nowSec);
    s.latencies.push(ms);
    if (s.times.length > HISTORY) {
      s.times.shift();
      s.latencies.shift();
    }
  }

  /** Forgets one event (matched without regard to case, as Redis), or all of them; returns how many. */
  reset(event?: string): number {
    let n = 0;
    for (const name of [...this.events.keys()]) {
      if (event === undefined || name.toLowerCase() === event.toLowerCase()) {
        this.events.delete(name);
        n++;
      }
    }
    return n;
  }
}
