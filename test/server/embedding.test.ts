import { Redis } from 'ioredis';
import { describe, expect, test } from 'vitest';
import { startServer } from '../../src/index.js';

describe('embedding API', () => {
  test('startServer on port 0 resolves with the bound port and close() stops it', async () => {
    const s = await startServer({ port: 0, bind: '127.0.0.1' });
    expect(s.port).toBeGreaterThan(0);
    const r = new Redis(s.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    await r.connect();
    expect(await r.ping()).toBe('PONG');
    r.disconnect();
    await s.close();
    const again = new Redis(s.port, '127.0.0.1', { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    // The refusal is expected: ioredis would also report it as an unhandled 'error' event.
    again.on('error', () => {});
    await expect(again.connect()).rejects.toThrow();
    again.disconnect();
  });

  test('several servers in one process keep separate data and settings', async () => {
    const a = await startServer({ port: 0, bind: '127.0.0.1' });
    const b = await startServer({ port: 0, bind: '127.0.0.1', config: { databases: 4 } });
    const ra = new Redis(a.port, '127.0.0.1');
    const rb = new Redis(b.port, '127.0.0.1');
    try {
      await ra.select(10);
      await expect(rb.select(10)).rejects.toThrow('ERR DB index is out of range');
      expect(a.server.keyspace).not.toBe(b.server.keyspace);
      expect(a.server.keyspace.dbs.length).toBe(16);
      expect(b.server.keyspace.dbs.length).toBe(4);
    } finally {
      ra.disconnect();
      rb.disconnect();
      await Promise.all([a.close(), b.close()]);
    }
  });

  test('an embedded server logs warnings only unless a level is given', async () => {
    const quiet = await startServer({ port: 0, bind: '127.0.0.1' });
    const chatty = await startServer({ port: 0, bind: '127.0.0.1', logLevel: 'verbose' });
    try {
      expect(quiet.server.config.str('loglevel')).toBe('warning');
      expect(quiet.server.log.level).toBe('warning');
      expect(chatty.server.config.str('loglevel')).toBe('verbose');
      expect(chatty.server.log.level).toBe('verbose');
    } finally {
      await Promise.all([quiet.close(), chatty.close()]);
    }
  });

  test('an unknown configuration parameter is refused at start', async () => {
    await expect(startServer({ port: 0, config: { 'no-such-option': 1 } })).rejects.toThrow("no-such-option");
  });
});
