import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeyTable } from '../../src/keyspace/key-table.js';
import { redisServerPath, startSluice } from '../helpers/servers.js';
import { transcript } from '../helpers/raw-session.js';
import { encodeCommand } from '../helpers/resp-client.js';
import { call, type Node, replicaOf, useServers, waitCaughtUp, waitLinkUp } from './mixed-harness.js';

/**
 * A Sluice replica (in this process) of a real redis-server 7.0 master
 * holding more keys than the cache: before it applies a read of the
 * master's stream, it reads where the first key of each command sits, a
 * window of 32 commands at a time (KeyTable.prefetchKeys), and applies
 * them all as before.
 */
const servers = useServers();

afterEach(() => {
  vi.restoreAllMocks();
});

describe.skipIf(redisServerPath === null)("a replica reading ahead in its master's stream", () => {
  it('offers the keys of each window of commands in order, and ends with the master\'s data', async () => {
    const master = await servers.redis('redis-master', ['--enable-debug-command', 'yes']);
    expect(await call(master.port, 'DEBUG', 'POPULATE', '40000')).toEqual({ t: 'simple', v: 'OK' });
    const sluice = await startSluice();
    try {
      const replica: Node = { name: 'sluice-replica', kind: 'sluice', port: sluice.port, log: () => '', kill: async () => {}, signal: () => {} };
      await replicaOf(replica, master);
      await waitLinkUp(replica);
      await waitCaughtUp(master, replica);

      const offered: string[][] = [];
      const original = KeyTable.prototype.prefetchKeys;
      vi.spyOn(KeyTable.prototype, 'prefetchKeys').mockImplementation(function (this: KeyTable, keys, count) {
        offered.push(keys.slice(0, count));
        original.call(this, keys, count);
      });
      const batch: string[][] = [];
      for (let i = 0; i < 40; i++) batch.push(['SET', `key:${i}`, `new-${i}`], ['INCR', `counter:${i % 3}`], ['HSET', `h:${i}`, 'f', String(i)]);
      await transcript(master.port, [Buffer.concat(batch.map((argv) => encodeCommand(argv)))]);
      await waitCaughtUp(master, replica);

      const keys = batch.map(([, key]) => key);
      const seen = offered.flat();
      expect(offered.every((w) => w.length >= 2 && w.length <= 32)).toBe(true);
      // In the master's order (the stream may come in more than one read, so not every command need be offered).
      let at = 0;
      for (const k of seen) {
        at = keys.indexOf(k, at);
        expect(at).toBeGreaterThanOrEqual(0);
        at++;
      }
      expect(seen.length).toBeGreaterThanOrEqual(keys.length * 0.9);
      for (const key of ['key:0', 'key:39', 'counter:2', 'h:17', 'key:1000']) {
        const cmd = key.startsWith('h:') ? ['HGETALL', key] : ['GET', key];
        expect(await call(sluice.port, ...cmd)).toEqual(await call(master.port, ...cmd));
      }
    } finally {
      await sluice.close();
    }
  }, 60_000);
});
