import type { Client } from '../client.js';
import { clientInfoLine, clientMemory } from '../commands/client-list.js';
import type { Server } from '../server.js';

/**
 * maxmemory-clients (Redis's evictClients): while the clients that may be
 * evicted hold `limit` bytes or more in their buffers, the one holding most
 * is disconnected. CLIENT NO-EVICT clients and those without a connection
 * (scripts, the AOF loader) are never chosen, but their buffers count.
 * Returns how many were evicted.
 */
export function evictClients(server: Server, limit: number): number {
  const sized: [Client, number][] = [];
  let total = 0;
  for (const c of server.clients.values()) {
    const n = clientMemory(c);
    total += n;
    if (!c.noEvict && c.conn !== null && n > 0) sized.push([c, n]);
  }
  sized.sort((a, b) => b[1] - a[1]);
  let evicted = 0;
  for (const [c, n] of sized) {
    if (total < limit) break;
    server.log.notice(`Evicting client: ${clientInfoLine(c, Date.now())}`);
    c.close();
    total -= n;
    evicted++;
  }
  return evicted;
}
