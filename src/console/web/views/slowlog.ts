import { get } from '../api.js';
import { bytes, deniedNotes, fill, h, num, table, td, tdNum, time } from '../dom.js';
import type { Diagnostics } from '../types.js';
import type { ViewContext } from '../view.js';

/** The slow log and the latency monitor's latest events. */
export async function slowlog(ctx: ViewContext): Promise<void> {
  const d = await get<Diagnostics>('diagnostics');
  if (!ctx.live()) return;
  fill(
    ctx.main,
    h('h2', null, 'Slow log and latency'),
    deniedNotes(d.denied),
    h('h3', null, 'Slow log'),
    d.slowlog === null ? h('p', { class: 'muted' }, 'Not shown.') : table(['#Id', 'When', '#µs', 'Command', 'Client'], d.slowlog.map((e) =>
      h('tr', null, tdNum(e.id), td(time(e.time * 1000)), tdNum(e.micros), td(h('span', { class: 'mono' }, e.args.map((a, i) => [i > 0 ? ' ' : '', bytes(a)]))), td(`${e.addr} ${e.name}`)))),
    h('h3', null, 'Latency events'),
    d.latency === null ? h('p', { class: 'muted' }, 'Not shown.') : table(['Event', 'When', '#Latest ms', '#Max ms'], d.latency.map((e) =>
      h('tr', null, td(e.event), td(time(e.time * 1000)), tdNum(e.latest), tdNum(e.max)))),
    h('p', { class: 'muted' }, `Latency events are recorded when latency-monitor-threshold is set; ${num(d.latency?.length ?? 0)} event kinds.`),
  );
}
