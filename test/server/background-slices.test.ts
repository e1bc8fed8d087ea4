import { describe, expect, test } from 'vitest';
import { useSluice } from '../helpers/fixture.js';

describe('a slice of background work (a save, a rewrite, a load)', () => {
  const sluice = useSluice({ conn: 'shared' });

  test('starts only once the replies of the turn before it are written, so a command waits for one slice at most', async () => {
    const server = sluice.server;
    let slices = 0;
    let startedWithRepliesUnwritten = 0;
    let walking = true;
    // Like a walk: each slice queues the next, so one is always queued before a request is read.
    const slice = (): void => {
      slices++;
      for (const c of server.clients.values()) if (c.flushPending) startedWithRepliesUnwritten++;
      if (walking) server.nextSlice(slice);
    };
    server.nextSlice(slice);
    for (let i = 0; i < 50; i++) expect(await sluice.conn.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
    walking = false;
    expect(slices).toBeGreaterThanOrEqual(50);
    expect(startedWithRepliesUnwritten).toBe(0);
  });
});
