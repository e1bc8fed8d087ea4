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

/** The columns of a Sluice-against-Redis throughput table; the second, `setting`, says what varies (pipeline, persistence). */
export function throughputColumns(setting) {
  return [
    { title: 'test' },
    setting,
    { title: 'Sluice rps', right: true },
    { title: 'Redis rps', right: true },
    { title: 'Sluice/Redis', right: true },
    { title: 'target', right: true },
    { title: 'verdict' },
  ];
}

/**
 * One row of a throughput table: the rates (null when a run gave none),
 * their ratio, and whether it meets the target (a minimum ratio, or
 * undefined for none).
 */
export function throughputRow({ label, setting, sluice, redis, implemented, hasRedis, target }) {
  const ratio = sluice !== null && redis !== null ? sluice / redis : null;
  let verdict = '—';
  if (!implemented) verdict = 'not implemented';
  else if (ratio !== null && target !== undefined) verdict = ratio >= target ? 'met' : 'below';
  return [
    label,
    setting,
    implemented ? (sluice === null ? 'no result' : fmtInt(sluice)) : 'not implemented',
    hasRedis ? (redis === null ? 'no result' : fmtInt(redis)) : 'not installed',
    ratio === null ? '—' : fmtRatio(ratio),
    target === undefined ? '—' : `≥ ${target}×`,
    verdict,
  ];
}
