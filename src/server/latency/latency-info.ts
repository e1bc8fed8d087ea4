import type { Server } from '../server.js';
import type { LatencyHistogram } from './latency-histogram.js';

/**
 * INFO latencystats: for each command with calls recorded, its latency at
 * each of latency-tracking-info-percentiles, in µs with three decimals,
 * named as Redis prints them (the configured words are already its "%f"
 * with the trailing zeros cut). Nothing under the heading while
 * latency-tracking is off.
 */
export function latencystatsLines(server: Server, safe: (name: string) => string): string[] {
  if (!server.latencyTracking) return [];
  const names = server.config.str('latency-tracking-info-percentiles').split(' ').filter((w) => w !== '');
  const percentiles = names.map(Number);
  const out: string[] = [];
  for (const cmd of server.commands.all()) {
    const h = cmd.stats.histogram as LatencyHistogram | null;
    if (h === null) continue;
    const values = percentiles.map((p, i) => `p${names[i]}=${(h.valueAtPercentile(p) / 1000).toFixed(3)}`);
    out.push(`latency_percentiles_usec_${safe(cmd.fullName)}:${values.join(',')}`);
  }
  return out;
}
