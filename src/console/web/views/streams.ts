import { get } from '../api.js';
import { bytes, deniedNotes, duration, fill, h, num, queryBytes, size, table, td, tdNum } from '../dom.js';
import type { Bytes, PendingEntry, StreamDetail, StreamEntry, StreamSummary } from '../types.js';
import type { ViewContext } from '../view.js';
import { pagedTable } from './paged.js';

export function entriesTable(entries: StreamEntry[]): HTMLTableElement {
  return table(['Id', 'Fields'], entries.map((e) => h('tr', null, td(h('span', { class: 'mono' }, e.id)),
    td(e.fields.map(([f, v]) => h('div', { class: 'mono' }, h('b', null, bytes(f)), ' = ', bytes(v)))))));
}

async function pendingOf(ctx: ViewContext, key: Bytes, group: Bytes, consumer: Bytes | null, into: HTMLElement): Promise<void> {
  const list = await get<PendingEntry[]>('stream/pending', { k: queryBytes(key), group: queryBytes(group), consumer: consumer === null ? undefined : queryBytes(consumer), db: ctx.db });
  fill(into, h('h3', null, 'Pending entries of ', bytes(group), consumer === null ? '' : [' / ', bytes(consumer)], ` (first ${list.length})`),
    table(['Id', 'Consumer', 'Idle', '#Deliveries'], list.map((p) => h('tr', null, td(h('span', { class: 'mono' }, p.id)), td(bytes(p.consumer)), td(duration(p.idle / 1000)), tdNum(p.deliveries)))));
}

async function detail(ctx: ViewContext, key: Bytes, into: HTMLElement): Promise<void> {
  const d = await get<StreamDetail>('stream', { k: queryBytes(key), db: ctx.db });
  if (!ctx.live()) return;
  const pending = h('div');
  const entries = h('div');
  const start = h('input', { value: '-', size: 22, 'aria-label': 'start id' });
  const end = h('input', { value: '+', size: 22, 'aria-label': 'end id' });
  const count = h('input', { value: '20', size: 4, type: 'number', min: 1, max: 200, 'aria-label': 'count' });
  const rev = h('input', { type: 'checkbox', 'aria-label': 'newest first' });
  const readRange = async () => {
    const list = await get<StreamEntry[]>('stream/range', { k: queryBytes(key), start: start.value, end: end.value, count: count.value, rev: rev.checked ? 1 : 0, db: ctx.db });
    fill(entries, entriesTable(list));
  };
  const form = h('form', { class: 'bar', onsubmit: (e: Event) => { e.preventDefault(); void readRange(); } },
    'From', start, 'to', end, 'count', count, h('label', null, rev, ' newest first'), h('button', { type: 'submit' }, 'Read'));
  fill(
    into,
    h('h3', null, 'Stream ', h('span', { class: 'mono' }, bytes(d.key))),
    deniedNotes(d.denied),
    h('div', { class: 'cards' },
      h('div', { class: 'card' }, h('div', { class: 'k' }, 'Length'), h('div', { class: 'v' }, num(d.length))),
      h('div', { class: 'card' }, h('div', { class: 'k' }, 'First id'), h('div', { class: 'v mono' }, d.firstId ?? '–')),
      h('div', { class: 'card' }, h('div', { class: 'k' }, 'Last id'), h('div', { class: 'v mono' }, d.lastId ?? '–')),
      h('div', { class: 'card' }, h('div', { class: 'k' }, 'Last generated'), h('div', { class: 'v mono' }, d.lastGeneratedId))),
    h('h3', null, 'Consumer groups'),
    table(['Group', '#Consumers', '#Pending', '#Lag', 'Last delivered', '#Entries read'], d.groups.map((g) =>
      h('tr', { class: 'pick', title: 'show pending entries', onclick: () => void pendingOf(ctx, d.key, g.name, null, pending) },
        td(bytes(g.name)), tdNum(g.consumers), tdNum(g.pending), tdNum(g.lag, g.lag === null ? 'unknown' : undefined), td(h('span', { class: 'mono' }, g.lastDeliveredId)), tdNum(g.entriesRead)))),
    d.groups.length === 0 ? null : h('h3', null, 'Consumers'),
    d.groups.length === 0 ? null : table(['Group', 'Consumer', '#Pending', 'Idle', 'Inactive'], d.groups.flatMap((g) => g.consumerList.map((c) =>
      h('tr', { class: 'pick', title: 'show its pending entries', onclick: () => void pendingOf(ctx, d.key, g.name, c.name, pending) },
        td(bytes(g.name)), td(bytes(c.name)), tdNum(c.pending), td(duration(c.idle / 1000)), td(c.inactive < 0 ? '–' : duration(c.inactive / 1000)))))),
    pending,
    h('h3', null, 'Entries by range'),
    form,
    entries,
  );
  await readRange();
}

/** Streams: each stream's length, first and last id, groups and memory; a stream's groups, consumers, pending entries and entries. */
export async function streams(ctx: ViewContext): Promise<void> {
  const side = h('div');
  const list = await pagedTable<StreamSummary>(ctx, 'streams', {}, ['Stream', '#Length', 'First id', 'Last id', '#Groups', '#Memory'], (s) =>
    h('tr', { class: 'pick', onclick: () => void detail(ctx, s.key, side) },
      td(h('span', { class: 'mono' }, bytes(s.key))), tdNum(s.length), td(h('span', { class: 'mono' }, s.firstId ?? '–')), td(h('span', { class: 'mono' }, s.lastId ?? '–')), tdNum(s.groups), tdNum(s.memory, size(s.memory))));
  if (!ctx.live()) return;
  fill(ctx.main, h('h2', null, 'Streams'), h('div', { class: 'split' }, h('div', null, list), side));
}
