import { get } from '../api.js';
import { deniedNotes, h, table } from '../dom.js';
import type { Denied, Page } from '../types.js';
import type { ViewContext } from '../view.js';

/**
 * A listing the server does in SCAN slices: each request reads a bounded
 * page and answers a cursor, and the page asks for more only while the
 * scan is not complete, a few pages at a time or when told to.
 */
export async function pagedTable<T>(
  ctx: ViewContext,
  path: string,
  params: Record<string, string | number | undefined>,
  headers: string[],
  row: (item: T) => Node,
  extra?: (page: Page<T> & { denied?: Denied[] }) => void,
): Promise<HTMLElement> {
  const tbody = h('tbody');
  const t = table(headers, []);
  t.tBodies[0].replaceWith(tbody);
  const notes = h('div');
  const status = h('span', { class: 'muted' });
  const more = h('button', { class: 'plain', type: 'button' }, 'Scan further');
  let cursor = '0';
  let count = 0;
  const load = async (pages: number) => {
    more.disabled = true;
    for (let i = 0; i < pages; i++) {
      const page = await get<Page<T> & { denied?: Denied[] }>(path, { ...params, cursor, db: ctx.db });
      if (!ctx.live()) return;
      for (const item of page.items) tbody.append(row(item));
      count += page.items.length;
      if (page.denied !== undefined && page.denied.length > 0) notes.replaceChildren(...deniedNotes(page.denied));
      extra?.(page);
      cursor = page.cursor;
      if (cursor === '0') break;
    }
    status.textContent = cursor === '0' ? `${count} found, scan complete` : `${count} found so far`;
    more.disabled = cursor === '0';
    more.hidden = cursor === '0';
    if (count === 0 && cursor === '0') tbody.append(h('tr', null, h('td', { colspan: headers.length, class: 'muted' }, 'none')));
  };
  more.addEventListener('click', () => void load(5));
  await load(3);
  return h('div', null, notes, t, h('div', { class: 'bar' }, more, status));
}
