import { describe, it } from 'vitest';
import { redisServerPath } from '../helpers/servers.js';
import { fullThenPartialSync, useServers } from './mixed-harness.js';

/**
 * A real redis-server 7.0 as the replica of a Sluice master (Sluice's
 * snapshots in RDB 10, which 7.0 reads): a full synchronisation while a
 * write load over every type runs, the datasets compared key by key, then
 * the link cut under load and a partial resynchronisation proven.
 */

const servers = useServers();

describe.skipIf(redisServerPath === null)('a Redis 7.0 replica of a Sluice master', () => {
  for (const diskless of [true, false]) {
    const yesNo = diskless ? 'yes' : 'no';
    it(`full sync under load (repl-diskless-sync ${yesNo}), then a partial resync after CLIENT KILL TYPE replica`, async () => {
      const master = await servers.sluice(`sluice-master-${yesNo}`, ['--repl-rdb-version', '10', '--repl-diskless-sync', yesNo, '--repl-backlog-size', '64mb']);
      const replica = await servers.redis(`redis-replica-${yesNo}`);
      await fullThenPartialSync(master, replica, { diskless, seed: diskless ? 7 : 8 });
    }, 60_000);
  }
});
