import { describe, it } from 'vitest';
import { redisServerPath } from '../helpers/servers.js';
import { fullThenPartialSync, useServers } from './mixed-harness.js';

/**
 * Sluice as the replica of a real redis-server 7.0 master (its RDB 10
 * snapshot loaded by Sluice): a full synchronisation while a write load
 * over every type runs, the datasets compared key by key, then the link cut
 * under load and a partial resynchronisation proven on Redis's own stats.
 */

const servers = useServers();

describe.skipIf(redisServerPath === null)('a Sluice replica of a Redis 7.0 master', () => {
  for (const diskless of [true, false]) {
    const yesNo = diskless ? 'yes' : 'no';
    it(`full sync under load (Redis repl-diskless-sync ${yesNo}), then a partial resync after CLIENT KILL TYPE replica`, async () => {
      const master = await servers.redis(`redis-master-${yesNo}`, ['--repl-diskless-sync', yesNo, '--repl-backlog-size', '64mb']);
      const replica = await servers.sluice(`sluice-replica-${yesNo}`);
      await fullThenPartialSync(master, replica, { diskless, seed: diskless ? 17 : 18 });
    }, 60_000);
  }
});
