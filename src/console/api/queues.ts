import { toBytes } from '../bytes.js';
import type { ConsoleHost } from '../host.js';
import { num, str } from '../replies.js';
import type { Session } from '../session.js';
import type { BlockedClient, Denied, ListSummary, Page } from '../web/types.js';
import { clientLines, MAX_WHOLE_LISTING, optional, scanSlices, tooMany } from './common.js';

/**
 * The Queues view: a page of SCAN … TYPE list with each list's LLEN and the
 * clients blocked on it, and the blocked clients CLIENT LIST shows (flag b)
 * for a user allowed to run it.
 */
export async function queues(s: Session, host: ConsoleHost, cursor: string, db: number): Promise<Page<ListSummary> & { blocked: BlockedClient[] | null; denied: Denied[] }> {
  await s.select(db);
  const denied: Denied[] = [];
  const page = await scanSlices(s, cursor, ['TYPE', 'list'], 100);
  const items: ListSummary[] = [];
  for (const key of page.keys) {
    const len = await s.raw('LLEN', key);
    if (typeof len !== 'number') continue;
    items.push({ key: toBytes(key), length: len, blocked: host.blockedOn(s.client, key) });
  }
  const clients = host.sizes().clients;
  const blocked = clients > MAX_WHOLE_LISTING ? tooMany(denied, 'blocked clients', clients) : await optional(denied, 'blocked clients', async () =>
    clientLines(str(await s.call('CLIENT', 'LIST')))
      .filter((f) => (f.get('flags') ?? '').includes('b'))
      .map((f): BlockedClient => ({ id: f.get('id') ?? '', addr: f.get('addr') ?? '', name: f.get('name') ?? '', cmd: f.get('cmd') ?? '', idle: num(f.get('idle') ?? '0') })),
  );
  return { cursor: page.cursor, items, blocked, denied };
}
