import type { LatencySeries } from './latency-monitor.js';
import { renderSparkline } from './sparkline.js';

const COLUMNS = 80;
const ROWS = 4;

/** How long ago, as Redis labels a sample: whole seconds, minutes, hours or days. */
function ago(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  if (seconds < 3600) return `${Math.trunc(seconds / 60)}m`;
  if (seconds < 86400) return `${Math.trunc(seconds / 3600)}h`;
  return `${Math.trunc(seconds / 86400)}d`;
}

/** LATENCY GRAPH's text for one event at `nowSec`: its range, a rule, and the samples' sparkline labelled by age. */
export function latencyGraph(event: string, s: LatencySeries, nowSec: number): string {
  let high = s.latencies[0];
  let low = high;
  for (const ms of s.latencies) {
    if (ms > high) high = ms;
    if (ms < low) low = ms;
  }
  const samples = s.latencies.map((value, i) => ({ value, label: ago(nowSec - s.times[i]) }));
  return `${event} - high ${high} ms, low ${low} ms (all time high ${s.max} ms)\n${'-'.repeat(COLUMNS)}\n${renderSparkline(samples, COLUMNS, ROWS)}`;
}
