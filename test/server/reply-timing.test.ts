import { describe, expect, test } from 'vitest';
import type { Client } from '../../src/server/client.js';
import { useSluice } from '../helpers/fixture.js';
import type { RespClient } from '../helpers/resp-client.js';

const sluice = useSluice();

async function idOf(conn: RespClient): Promise<number> {
  const r = await conn.call('CLIENT', 'ID');
  return Number(r.v);
}

/** Records which clients write output, in order, and which are queued for the end-of-turn flush, while `run` runs. */
async function watchWrites(run: () => Promise<void>): Promise<{ written: number[]; queued: number[] }> {
  const server = sluice.server;
  const written: number[] = [];
  const queued: number[] = [];
  const sends = new Map<Client, Client['send']>();
  for (const c of server.clients.values()) {
    const send = c.send;
    sends.set(c, send);
    c.send = (out, closeAfter) => {
      if (out !== null) written.push(c.id);
      send.call(c, out, closeAfter);
    };
  }
  const flushClient = server.flushClient;
  server.flushClient = (c) => {
    queued.push(c.id);
    flushClient.call(server, c);
  };
  try {
    await run();
  } finally {
    server.flushClient = flushClient;
    for (const [c, send] of sends) c.send = send;
  }
  return { written, queued };
}

describe('when the replies to a read are written', () => {
  test("at the end of the turn, even a lone request's: the client sleeping for it is woken once per turn, not once per reply", async () => {
    const conn = await sluice.connect();
    const id = await idOf(conn);
    const seen = await watchWrites(async () => {
      expect(await conn.call('SET', 'k', 'v')).toEqual({ t: 'simple', v: 'OK' });
    });
    expect(seen).toEqual({ written: [id], queued: [id] });
  });

  test('at the end of the turn for every client, each queued once for the flush', async () => {
    const a = await sluice.connect();
    const b = await sluice.connect();
    const ids = [await idOf(a), await idOf(b)];
    const seen = await watchWrites(async () => {
      const replies = Promise.all([a.call('INCR', 'hits'), b.call('INCR', 'hits')]);
      expect((await replies).map((r) => r.v).sort()).toEqual(['1', '2']);
    });
    expect(seen.written.sort()).toEqual([...ids].sort());
    expect(seen.queued.sort()).toEqual([...ids].sort());
  });

  test('at the end of the turn, when the read carried a pipeline of requests', async () => {
    const conn = await sluice.connect();
    const id = await idOf(conn);
    const seen = await watchWrites(async () => {
      conn.writeRaw('*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\n*2\r\n$4\r\nINCR\r\n$1\r\nn\r\n');
      expect(await conn.read()).toEqual({ t: 'simple', v: 'OK' });
      expect(await conn.read()).toEqual({ t: 'int', v: '1' });
    });
    expect(seen).toEqual({ written: [id], queued: [id] });
  });

  test("at the end of the turn, after the message it published: a subscriber's output goes first", async () => {
    const sub = await sluice.connect();
    const pub = await sluice.connect();
    const subId = await idOf(sub);
    const pubId = await idOf(pub);
    await sub.call('SUBSCRIBE', 'news');
    const seen = await watchWrites(async () => {
      expect(await pub.call('PUBLISH', 'news', 'hello')).toEqual({ t: 'int', v: '1' });
      expect(await sub.read()).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'message' }, { t: 'bulk', v: 'news' }, { t: 'bulk', v: 'hello' }] });
    });
    expect(seen.written).toEqual([subId, pubId]);
    expect(seen.queued).toEqual([subId, pubId]);
  });

  test('at the end of the turn, after the reply of a BLPOP the push served', async () => {
    const waiter = await sluice.connect();
    const pusher = await sluice.connect();
    const waiterId = await idOf(waiter);
    const pusherId = await idOf(pusher);
    const popped = waiter.call('BLPOP', 'jobs', '0');
    while (sluice.server.blocking.size === 0) await new Promise((r) => setTimeout(r, 2));
    const seen = await watchWrites(async () => {
      expect(await pusher.call('LPUSH', 'jobs', 'j1')).toEqual({ t: 'int', v: '1' });
      expect(await popped).toEqual({ t: 'array', v: [{ t: 'bulk', v: 'jobs' }, { t: 'bulk', v: 'j1' }] });
    });
    expect(seen.written).toEqual([waiterId, pusherId]);
  });
});
