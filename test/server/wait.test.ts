import { describe, expect, test } from 'vitest';
import { useSluice } from '../helpers/fixture.js';
import { encodeCommand, RespClient, type Resp } from '../helpers/resp-client.js';

const sluice = useSluice();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves to the reply, or to 'pending' if none came within `ms`. */
function within(p: Promise<Resp>, ms: number): Promise<Resp | 'pending'> {
  return Promise.race([p, sleep(ms).then(() => 'pending' as const)]);
}

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !cond(); i++) await sleep(5);
}

describe('WAIT with no replicas', () => {
  test('asking for replicas blocks until the timeout, then answers 0; pipelined commands wait behind it', async () => {
    const a = await RespClient.connect(sluice.port);
    try {
      a.writeRaw(Buffer.concat([encodeCommand(['WAIT', '1', '500']), encodeCommand(['PING'])]));
      const wait = a.read();
      const ping = a.read();
      await until(() => sluice.server.blocking.size === 1);
      expect(sluice.server.blocking.size).toBe(1);
      expect(await wait).toEqual({ t: 'int', v: '0' });
      expect(await ping).toEqual({ t: 'simple', v: 'PONG' });
      expect(sluice.server.blocking.size).toBe(0);
    } finally {
      a.close();
    }
  });

  test('a timeout of 0 blocks until the client goes away, which releases it', async () => {
    const a = await RespClient.connect(sluice.port);
    const reply = a.call('WAIT', '1', '0');
    reply.catch(() => {});
    expect(await within(reply, 100)).toBe('pending');
    expect(sluice.server.blocking.size).toBe(1);
    const [c] = [...sluice.server.clients.values()].filter((x) => x.blocked !== null);
    expect(c.flagString()).toContain('b');
    a.close();
    await until(() => sluice.server.blocking.size === 0);
    expect(sluice.server.blocking.size).toBe(0);
  });

  test('a timeout beyond what one timer can hold still blocks', async () => {
    const a = await RespClient.connect(sluice.port);
    try {
      const reply = a.call('WAIT', '1', String(2 ** 32));
      reply.catch(() => {});
      expect(await within(reply, 100)).toBe('pending');
    } finally {
      a.close();
    }
  });

  test('inside MULTI it answers at once', async () => {
    const a = await RespClient.connect(sluice.port);
    try {
      await a.call('MULTI');
      await a.call('WAIT', '5', '0');
      expect(await within(a.call('EXEC'), 1000)).toEqual({ t: 'array', v: [{ t: 'int', v: '0' }] });
    } finally {
      a.close();
    }
  });

  test('a timeout past the int64 range fails as in Redis 7.2', async () => {
    // Redis 7.0 lets now + timeout overflow silently; 7.2 checks it (redis#11338).
    const a = await RespClient.connect(sluice.port);
    try {
      expect(await a.call('WAIT', '0', '9223372036854775807')).toEqual({ t: 'error', v: 'ERR timeout is out of range' });
    } finally {
      a.close();
    }
  });
});
