import { describe, expect, it } from 'vitest';
import { freePort, redisServerPath } from '../helpers/servers.js';
import { call, info, replicaOf, useServers, waitFor, waitLinkUp, type Node } from './mixed-harness.js';

/**
 * INFO's master_link_down_since_seconds, which Sentinel reads to skip
 * replicas whose data is old (and a cluster replica's data age follows the
 * same clock): -1 for a server that has not been online with a master since
 * it was one (a failing handshake does not start the clock), else the
 * seconds since its link went down. Each step beside a Redis 7.0 replica.
 */

const servers = useServers();

const downSince = async (n: Node) => Number((await info(n.port, 'replication')).master_link_down_since_seconds);

describe.skipIf(redisServerPath === null)('master_link_down_since_seconds', () => {
  it('is -1 before a replica was ever online, counts from the link going down after, and is -1 again after a promotion', async () => {
    const master = await servers.sluice('down-since-master', ['--repl-rdb-version', '10']);
    const nobody = await freePort();
    for (const replica of [await servers.sluice('down-since-sluice'), await servers.redis('down-since-redis')]) {
      const seen: string[] = [];
      // Nothing listens on `nobody`: the handshake fails and is retried.
      expect(await call(replica.port, 'REPLICAOF', '127.0.0.1', String(nobody))).toEqual({ t: 'simple', v: 'OK' });
      await new Promise((r) => setTimeout(r, 1500));
      seen.push(`never online: ${await downSince(replica)}`);

      await replicaOf(replica, master);
      await waitLinkUp(replica);
      // Another master while the link is up: the clock starts as Redis frees the old master's client.
      expect(await call(replica.port, 'REPLICAOF', '127.0.0.1', String(nobody))).toEqual({ t: 'simple', v: 'OK' });
      await waitFor(`${replica.name} counts 1 s down`, async () => (await downSince(replica)) >= 1, 5000);
      seen.push(`after being online: ${(await downSince(replica)) >= 1 ? '>= 1' : 'less'}`);

      expect(await call(replica.port, 'REPLICAOF', 'NO', 'ONE')).toEqual({ t: 'simple', v: 'OK' });
      expect(await call(replica.port, 'REPLICAOF', '127.0.0.1', String(nobody))).toEqual({ t: 'simple', v: 'OK' });
      await new Promise((r) => setTimeout(r, 1100));
      seen.push(`after a promotion: ${await downSince(replica)}`);
      await call(replica.port, 'REPLICAOF', 'NO', 'ONE');

      expect(seen, replica.kind).toEqual(['never online: -1', 'after being online: >= 1', 'after a promotion: -1']);
    }
  }, 40_000);
});
