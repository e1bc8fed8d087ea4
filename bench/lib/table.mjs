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
