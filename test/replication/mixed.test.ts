import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBuild } from '../helpers/child-sluice.js';
import { redisServerPath } from '../helpers/servers.js';
import { call, compareDatasets, Load, replicaOf, seed, Servers, syncStats, waitFor, waitLinkUp } from './mixed-harness.js';

/**
 * A real redis-server 7.0 as the replica of a Sluice master (Sluice's
 * snapshots in RDB 10, which 7.0 reads): a full synchronisation while a
 * write load over every type runs, the datasets compared key by key, then
 * the link cut under load and a partial resynchronisation proven.
 */

const servers = new Servers();
beforeAll(() => ensureBuild(), 120_000);
afterAll(() => servers.stopAll(), 30_000);

describe.skipIf(redisServerPath === null)('a Redis 7.0 replica of a Sluice master', () => {
  for (const diskless of ['yes', 'no']) {
    it(`full sync under load (repl-diskless-sync ${diskless}), then a partial resync after CLIENT KILL TYPE replica`, async () => {
      const master = await servers.sluice(`sluice-master-${diskless}`, ['--repl-rdb-version', '10', '--repl-diskless-sync', diskless, '--repl-backlog-size', '64mb']);
      await seed(master.port, 3000, 7);
      // Slows the snapshot down (about a millisecond a key), so that the load runs all through it.
      await call(master.port, 'CONFIG', 'SET', 'rdb-key-save-delay', '1000');
      const replica = await servers.redis(`redis-replica-${diskless}`);
      const load = new Load(master.port, diskless === 'yes' ? 11 : 12);
      load.start();
      await load.passes(100);
      const opsBefore = load.ops;
      await replicaOf(replica, master);
      await waitLinkUp(replica, 40_000);
      const opsDuringSync = load.ops - opsBefore;
      await call(master.port, 'CONFIG', 'SET', 'rdb-key-save-delay', '0');
      await load.passes(200);
      await load.stop();
      expect(load.errors).toEqual([]);
      expect(opsDuringSync).toBeGreaterThan(200);
      expect(master.log()).toContain(`Starting BGSAVE for SYNC with target: ${diskless === 'yes' ? 'replicas sockets' : 'disk'}`);
      expect(replica.log()).toContain('MASTER <-> REPLICA sync: Finished with success');
      expect(await load.waitReplicas(1, 5000)).toBe(1);
      const first = await compareDatasets(master, replica);
      expect(first.diffs).toEqual([]);
      expect(first.keys).toBeGreaterThan(3000);

      // The link cut under load: the replica continues from the backlog.
      const before = await syncStats(master.port);
      load.start();
      await load.passes(100);
      const killed = await call(master.port, 'CLIENT', 'KILL', 'TYPE', 'replica');
      expect(killed).toEqual({ t: 'int', v: '1' });
      await load.passes(200);
      await waitFor('the replica resynced partially', async () => (await syncStats(master.port)).partialOk > before.partialOk, 15_000);
      await load.passes(200);
      await load.stop();
      expect(load.errors).toEqual([]);
      const after = await syncStats(master.port);
      expect(after).toEqual({ full: before.full, partialOk: before.partialOk + 1 });
      expect(replica.log()).toContain('Successful partial resynchronization with master.');
      expect(await load.waitReplicas(1, 5000)).toBe(1);
      const second = await compareDatasets(master, replica);
      expect(second.diffs).toEqual([]);
      load.close();
    }, 60_000);
  }
});
