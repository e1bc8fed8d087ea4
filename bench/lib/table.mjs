// Tables for the console (aligned columns) and for docs/benchmarks.md (Markdown).

/** A column: its title and whether numbers in it are right-aligned. */
export function renderText(columns, rows) {
  const cells = rows.map((r) => r.map((v) => String(v)));
  const widths = columns.map((c, i) => Math.max(c.title.length, ...cells.map((r) => r[i].length)));
  const line = (vals) => vals.map((v, i) => (columns[i].right ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(columns.map((c) => c.title)), widths.map((w) => '-'.repeat(w)).join('  '), ...cells.map(line)].join('\n');
}

export function renderMarkdown(columns, rows) {
  const esc = (v) => String(v).replace(/\|/g, '\\|');
  return [
    `| ${columns.map((c) => esc(c.title)).join(' | ')} |`,
    `|${columns.map((c) => (c.right ? '---:' : '---')).join('|')}|`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

export function fmtInt(n) {
  return Math.round(n).toLocaleString('en-US');
}

export function fmtRatio(x) {
  return `${x.toFixed(2)}×`;
}

export function fmtBytes(n) {
  if (n >= 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  if (n >= 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${Math.round(n)} B`;
}

/**
 * The columns of a Sluice-against-Redis throughput table; the second,
 * `setting`, says what varies (pipeline, persistence). With `latency`, the
 * servers' p50 / p99 and the p99 ratio follow the rates.
 */
export function throughputColumns(setting, { latency = false } = {}) {
  return [
    { title: 'test' },
    setting,
    { title: 'Sluice rps', right: true },
    { title: 'Redis rps', right: true },
    { title: 'Sluice/Redis', right: true },
    { title: 'target', right: true },
    ...(latency
      ? [{ title: 'Sluice p50 / p99 ms', right: true }, { title: 'Redis p50 / p99 ms', right: true }, { title: 'p99 ratio', right: true }, { title: 'p99 target', right: true }]
      : []),
    { title: 'verdict' },
  ];
}

const fmtLatency = (l) => (l === null || l === undefined ? '—' : `${l.p50.toFixed(3)} / ${l.p99.toFixed(3)}`);

/**
 * One row of a throughput table: the rates (null when a run gave none),
 * their ratio, and whether it meets the target (a minimum ratio, or
 * undefined for none). With `latency` ({ sluice, redis }, each { p50, p99 }
 * in ms or null), the p99 ratio too, against `p99Target` (a maximum).
 * `pairRatio`, when given, is the ratio shown and judged instead of the
 * rates' (the median of per-round ratios, see pairedRatio).
 */
export function throughputRow({ label, setting, sluice, redis, implemented, hasRedis, target, latency, p99Target, pairRatio }) {
  const ratio = pairRatio ?? (sluice !== null && redis !== null ? sluice / redis : null);
  const p99Ratio = latency?.sluice && latency?.redis ? latency.sluice.p99 / latency.redis.p99 : null;
  const misses = [];
  if (ratio !== null && target !== undefined && ratio < target) misses.push('rate');
  if (p99Ratio !== null && p99Target !== undefined && p99Ratio > p99Target) misses.push('p99');
  let verdict = '—';
  if (!implemented) verdict = 'not implemented';
  else if ((ratio !== null && target !== undefined) || (p99Ratio !== null && p99Target !== undefined)) {
    verdict = misses.length === 0 ? 'met' : `below (${misses.join(', ')})`;
  }
  return [
    label,
    setting,
    implemented ? (sluice === null ? 'no result' : fmtInt(sluice)) : 'not implemented',
    hasRedis ? (redis === null ? 'no result' : fmtInt(redis)) : 'not installed',
    ratio === null ? '—' : fmtRatio(ratio),
    target === undefined ? '—' : `≥ ${target}×`,
    ...(latency !== undefined
      ? [fmtLatency(latency.sluice), fmtLatency(latency.redis), p99Ratio === null ? '—' : fmtRatio(p99Ratio), p99Target === undefined ? '—' : `≤ ${p99Target}×`]
      : []),
    verdict,
  ];
}

/**
 * The median over rounds of Sluice's rate divided by Redis's in the same
 * round (null without a pair): each round runs the two back to back, so a
 * ratio taken within a round holds what the machine did to both, where
 * two medians taken apart may come from different moments.
 */
export function pairedRatio(sluiceRuns, redisRuns) {
  const ratios = [];
  for (let i = 0; i < Math.min(sluiceRuns.length, redisRuns.length); i++) {
    if (sluiceRuns[i] != null && redisRuns[i] != null && redisRuns[i] > 0) ratios.push(sluiceRuns[i] / redisRuns[i]);
  }
  return median(ratios);
}

/** The median of numbers (null for none): what a run of rounds gives typically, where the best round gives its luckiest moment. */
export function median(xs) {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}
