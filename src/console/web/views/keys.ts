import { get } from '../api.js';
import { bytes, card, deniedNotes, fill, h, type Child, num, queryBytes, size, table, td, tdNum, ttl } from '../dom.js';
import type { Bytes, KeyDetail, KeySummary } from '../types.js';
import type { ViewContext } from '../view.js';
import { entriesTable } from './streams.js';
import { pagedTable } from './paged.js';

const TYPES = ['', 'string', 'list', 'hash', 'set', 'zset', 'stream'];

function more(label: string, onclick: () => void): HTMLElement {
  return h('div', { class: 'bar' }, h('button', { type: 'button', class: 'plain', onclick }, label));
}

async function value(ctx: ViewContext, key: Bytes, into: HTMLElement, offset = 0, cursor = '0'): Promise<void> {
  const d = await get<KeyDetail>('key', { k: queryBytes(key), db: ctx.db, offset, cursor });
  if (!ctx.live()) return;
  const v = d.value;
  const again = (o: number, c: string) => () => void value(ctx, key, into, o, c);
  let shown: Child;
  switch (v.type) {
    case 'string':
      shown = [h('pre', { class: 'mono card' }, bytes(v.value)), v.truncated ? h('p', { class: 'muted' }, `First 64 KiB of ${size(v.length)} shown.`) : null];
      break;
    case 'list':
      shown = [table(['#Index', 'Element'], v.items.map((x, i) => h('tr', null, tdNum(v.offset + i), td(h('span', { class: 'mono' }, bytes(x)))))),
        v.offset + v.items.length < v.length ? more('Next 100', again(v.offset + 100, '0')) : h('span')];
      break;
    case 'hash':
      shown = [table(['Field', 'Value'], v.pairs.map(([f, x]) => h('tr', null, td(h('span', { class: 'mono' }, bytes(f))), td(h('span', { class: 'mono' }, bytes(x)))))),
        v.cursor !== '0' ? more('More fields', again(0, v.cursor)) : h('span')];
      break;
    case 'set':
      shown = [table(['Member'], v.members.map((m) => h('tr', null, td(h('span', { class: 'mono' }, bytes(m)))))),
        v.cursor !== '0' ? more('More members', again(0, v.cursor)) : h('span')];
      break;
    case 'zset':
      shown = [table(['#Rank', 'Member', '#Score'], v.members.map(([m, s], i) => h('tr', null, tdNum(v.offset + i), td(h('span', { class: 'mono' }, bytes(m))), tdNum(null, s)))),
        v.offset + v.members.length < v.length ? more('Next 100', again(v.offset + 100, '0')) : h('span')];
      break;
    case 'stream':
      shown = [entriesTable(v.entries), h('p', { class: 'muted' }, `First ${v.entries.length} of ${num(v.length)} entries; the Streams view reads any range.`)];
      break;
    case 'none':
      shown = h('p', { class: 'muted' }, 'The key does not exist (any more).');
      break;
    default:
      shown = h('p', { class: 'muted' }, `No viewer for type ${v.name}.`);
  }
  fill(
    into,
    h('h3', null, 'Key ', h('span', { class: 'mono' }, bytes(d.key))),
    deniedNotes(d.denied),
    h('div', { class: 'cards' }, card('Type', d.type), card('TTL', ttl(d.ttl)), card('Encoding', d.encoding ?? '–'), card('Memory', size(d.memory)),
      'length' in v ? card('Length', num(v.length)) : null),
    shown,
  );
}

/** Keys: a SCAN browser with pattern and type filters, and a viewer for each type's value. */
export async function keys(ctx: ViewContext): Promise<void> {
  const pattern = ctx.params.get('pattern') ?? '';
  const type = ctx.params.get('type') ?? '';
  const side = h('div');
  const patternInput = h('input', { name: 'pattern', value: pattern, placeholder: 'pattern, e.g. user:*', size: 30, 'aria-label': 'pattern' });
  const typeSelect = h('select', { name: 'type', 'aria-label': 'type' }, TYPES.map((t) => h('option', { value: t, selected: t === type }, t === '' ? 'any type' : t)));
  const dbsize = h('span', { class: 'muted' });
  const form = h('form', { class: 'bar', onsubmit: (e: Event) => {
    e.preventDefault();
    ctx.go(`#/keys?${new URLSearchParams({ pattern: patternInput.value, type: typeSelect.value }).toString()}`);
  } }, patternInput, typeSelect, h('button', { type: 'submit' }, 'Scan'), dbsize);
  const list = await pagedTable<KeySummary>(ctx, 'keys', { pattern, type: type === '' ? undefined : type }, ['Key', 'Type', 'TTL'], (k) =>
    h('tr', { class: 'pick', onclick: () => void value(ctx, k.key, side) }, td(h('span', { class: 'mono' }, bytes(k.key))), td(k.type), td(ttl(k.ttl))),
  (page) => {
    const p = page as typeof page & { dbsize?: number | null };
    if (typeof p.dbsize === 'number') dbsize.textContent = `${num(p.dbsize)} keys in db ${ctx.db}`;
  });
  if (!ctx.live()) return;
  fill(ctx.main, h('h2', null, 'Keys'), form, h('div', { class: 'split' }, h('div', null, list), side));
  const open = ctx.params.get('open');
  if (open !== null) {
    try {
      await value(ctx, JSON.parse(open) as Bytes, side);
    } catch {
      fill(side, deniedNotes([]));
    }
  }
}
