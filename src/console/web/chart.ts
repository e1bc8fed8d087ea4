import { h } from './dom.js';

const NS = 'http://www.w3.org/2000/svg';
const W = 600;
const H = 150;
const PAD = 4;
const COLORS = ['#0b6bcb', '#c05f00', '#2e7d32'];

function svg<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number>): SVGElementTagNameMap[K] {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

export interface Series {
  name: string;
  points: [t: number, v: number][];
}

/** A line chart over time, in SVG: one line per series, scaled to the highest value (or `ceiling`, drawn dashed). */
export function lineChart(title: string, series: Series[], format: (v: number) => string, ceiling = 0): HTMLElement {
  const all = series.flatMap((s) => s.points);
  const t0 = Math.min(...all.map((p) => p[0]));
  const t1 = Math.max(...all.map((p) => p[0]));
  const top = Math.max(ceiling, ...all.map((p) => p[1]), 1) * 1.1;
  const x = (t: number) => PAD + ((t - t0) / Math.max(1, t1 - t0)) * (W - 2 * PAD);
  const y = (v: number) => H - PAD - (v / top) * (H - 2 * PAD);
  const root = svg('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, preserveAspectRatio: 'none', role: 'img' });
  root.append(svg('title', {}));
  root.firstChild!.textContent = title;
  for (const frac of [0.25, 0.5, 0.75]) root.append(svg('line', { x1: 0, x2: W, y1: y(top * frac), y2: y(top * frac), stroke: '#eef1f4' }));
  if (ceiling > 0) root.append(svg('line', { x1: 0, x2: W, y1: y(ceiling), y2: y(ceiling), stroke: '#c62828', 'stroke-dasharray': '4 4' }));
  series.forEach((s, i) => {
    if (s.points.length === 0) return;
    const pts = s.points.map(([t, v]) => `${x(t).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    root.append(svg('polyline', { points: pts, fill: 'none', stroke: COLORS[i % COLORS.length], 'stroke-width': 1.5, 'vector-effect': 'non-scaling-stroke' }));
  });
  const last = series.map((s, i) => {
    const p = s.points[s.points.length - 1];
    return h('span', { class: `s${i % COLORS.length}` }, `${s.name}: ${p === undefined ? '–' : format(p[1])}`);
  });
  const secs = (t1 - t0) / 1000;
  const span = all.length <= 1 ? 'collecting…' : secs < 90 ? `last ${Math.round(secs)} s` : `last ${Math.round(secs / 60)} min`;
  return h('div', null, h('div', { class: 'chart-title' }, `${title} (${span}) `, last), root);
}
