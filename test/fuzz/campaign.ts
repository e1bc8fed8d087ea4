import net from 'node:net';
import { chunked, mutate } from './mutate.js';
import { Rng } from './rng.js';

export interface CampaignOptions {
  port: number;
  /** Requests to send in all. */
  requests: number;
  /** Connections open at once. */
  workers: number;
  /** Requests per connection before it half-closes. */
  perConnection: number;
  seed: number;
  /** Makes the next well-formed request. */
  request: (rng: Rng) => Buffer;
  /** Share of requests damaged before sending (a damaged one usually ends its connection with a protocol error). */
  damaged: number;
  /** A connection the server has not closed by then is dropped by the client, so nothing can hang the campaign. */
  connectionDeadlineMs: number;
}

/**
 * Drives a server with generated requests over many short connections,
 * each request split at random points, some of them damaged. Resolves when
 * every connection has ended; the caller then checks what the server kept.
 */
export async function runCampaign(o: CampaignOptions): Promise<{ sent: number; connections: number }> {
  let sent = 0;
  let connections = 0;
  const worker = async (id: number): Promise<void> => {
    const rng = new Rng(o.seed + id * 7919);
    const recent: Buffer[] = [];
    while (sent < o.requests) {
      const batch: Buffer[] = [];
      for (let i = 0; i < o.perConnection && sent < o.requests; i++, sent++) {
        let req = o.request(rng);
        if (recent.length < 16) recent.push(req);
        else recent[rng.int(16)] = req;
        if (rng.chance(o.damaged)) req = mutate(rng, req, recent);
        batch.push(req);
      }
      connections++;
      await session(o, rng, batch);
    }
  };
  await Promise.all(Array.from({ length: o.workers }, (_, i) => worker(i)));
  return { sent, connections };
}

/** One connection: the batch in random chunks, then a half-close, then waiting for the server to close. */
function session(o: CampaignOptions, rng: Rng, batch: Buffer[]): Promise<void> {
  return new Promise((resolve) => {
    const socket = net.connect({ port: o.port, host: '127.0.0.1' });
    let finished = false;
    const finish = () => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      socket.destroy();
      resolve();
    };
    const timer = setTimeout(finish, o.connectionDeadlineMs);
    socket.on('data', () => {});
    socket.on('error', () => {});
    socket.on('close', finish);
    socket.on('connect', async () => {
      const whole = Buffer.concat(batch);
      for (const part of chunked(rng, whole)) {
        if (finished || socket.destroyed) return;
        await new Promise<void>((res) => socket.write(part, () => res()));
      }
      socket.end();
    });
  });
}
