import { bytes, deniedNotes, duration, fill, h, table, td, tdNum } from '../dom.js';
import type { BlockedClient, Denied, ListSummary } from '../types.js';
import type { ViewContext } from '../view.js';
import { pagedTable } from './paged.js';

/** Queues: the lists with their lengths and the clients blocked on each, and the blocked clients. */
export async function queues(ctx: ViewContext): Promise<void> {
  const blocked = h('div');
  const list = await pagedTable<ListSummary>(ctx, 'queues', {}, ['List', '#Length', '#Clients blocked on it'], (l) =>
    h('tr', { class: 'pick', onclick: () => ctx.go(`#/keys?pattern=&open=${encodeURIComponent(JSON.stringify(l.key))}`) },
      td(h('span', { class: 'mono' }, bytes(l.key))), tdNum(l.length), tdNum(l.blocked)),
  (page) => {
    const p = page as typeof page & { blocked: BlockedClient[] | null; denied: Denied[] };
    fill(blocked, h('h3', null, 'Blocked clients'), p.blocked === null ? deniedNotes(p.denied.filter((d) => d.what === 'blocked clients')) :
      table(['#Id', 'Address', 'Name', 'Command', 'Blocked for'], p.blocked.map((c) => h('tr', null, tdNum(Number(c.id)), td(c.addr), td(c.name), td(c.cmd), td(duration(c.idle))))));
  });
  if (!ctx.live()) return;
  fill(ctx.main, h('h2', null, 'Queues'), h('p', { class: 'muted' }, 'Lists, as LPUSH/BLPOP and BRPOPLPUSH queues use them.'), list, blocked);
}
