import { get } from '../api.js';
import { bytes, deniedNotes, duration, escaped, fill, h, table, td, tdNum } from '../dom.js';
import type { NameCount, Pubsub } from '../types.js';
import type { ViewContext } from '../view.js';

/** The counts of the previous refresh, by kind and name, for the rates. */
let previous: { t: number; counts: Map<string, number> } | null = null;

function rows(kind: string, list: NameCount[], t: number): Node[] {
  return list.map((c) => {
    const id = `${kind}\u0000${escaped(c.name)}`;
    const before = previous?.counts.get(id);
    const rate = previous !== null && before !== undefined && t > previous.t ? (c.messages - before) / ((t - previous.t) / 1000) : null;
    return h('tr', null, td(h('span', { class: 'mono' }, bytes(c.name))), tdNum(c.subscribers), tdNum(c.messages), tdNum(rate, rate === null ? '…' : rate.toFixed(1)));
  });
}

/** Pub/sub: channels, patterns and shard channels with subscribers and message rates, and the subscribed clients. */
export async function pubsub(ctx: ViewContext): Promise<void> {
  const body = h('div');
  fill(ctx.main, h('h2', null, 'Pub/sub'), body);
  const draw = async () => {
    const p = await get<Pubsub>('pubsub');
    if (!ctx.live()) return;
    const heads = ['Name', '#Subscribers', '#Messages', '#Messages/s'];
    fill(
      body,
      deniedNotes(p.denied),
      h('h3', null, `Channels (${p.channels.length + p.channelsLeftOut})`),
      table(heads, rows('c', p.channels, p.t)),
      p.channelsLeftOut > 0 ? h('p', { class: 'muted' }, `${p.channelsLeftOut} more channels not listed.`) : null,
      h('h3', null, 'Patterns'),
      p.patterns === null ? h('p', { class: 'muted' }, 'Not shown.') : table(heads, rows('p', p.patterns, p.t)),
      h('h3', null, 'Shard channels'),
      table(heads, rows('s', p.shardChannels, p.t)),
      h('h3', null, 'Subscribed clients'),
      p.clients === null
        ? h('p', { class: 'muted' }, 'Not shown.')
        : table(
          ['#Id', 'Address', 'Name', 'User', '#Channels', '#Patterns', '#Shard channels', 'Age', 'Idle'],
          p.clients.map((c) => h('tr', null, tdNum(Number(c.id)), td(c.addr), td(c.name), td(c.user), tdNum(c.sub), tdNum(c.psub), tdNum(c.ssub), td(duration(c.age)), td(duration(c.idle))))),
      h('p', { class: 'muted' }, 'Message counts start when the console first shows this view.'),
    );
    const counts = new Map<string, number>();
    for (const [kind, list] of [['c', p.channels], ['p', p.patterns ?? []], ['s', p.shardChannels]] as const) {
      for (const c of list) counts.set(`${kind}\u0000${escaped(c.name)}`, c.messages);
    }
    previous = { t: p.t, counts };
  };
  await draw();
  ctx.every(2000, draw);
}
