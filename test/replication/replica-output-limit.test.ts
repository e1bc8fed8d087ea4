import { describe, expect, it } from 'vitest';
import { RespClient } from '../helpers/resp-client.js';
import { redisServerPath } from '../helpers/servers.js';
import { call, info, replicaOf, syncStats, useServers, waitCaughtUp, waitFor, waitLinkUp, waitLogged, type Node } from './mixed-harness.js';

/**
 * client-output-buffer-limit's replica class: a replica that stops reading
 * (SIGSTOP) while its master takes writes is dropped at the hard limit, so
 * that the master's memory stays bounded; once it reads again it comes back
 * with a full resync (the writes left the backlog behind). A Redis master
 * and a Sluice master, each with a real Redis replica: the same outcome and
 * the same log lines.
 */

const servers = useServers();

/** A master of that kind started with `args`. */
async function master(kind: 'redis' | 'sluice', args: string[]): Promise<Node> {
  if (kind === 'redis') return servers.redis('redis-master', args);
  // A 7.0 replica reads RDB 10.
  return servers.sluice('sluice-master', [...args, '--repl-rdb-version', '10']);
}

describe.skipIf(redisServerPath === null)('a replica that stops reading', () => {
  for (const kind of ['redis', 'sluice'] as const) {
    it(`is dropped by a ${kind} master at the replica class's hard limit, in Redis's words, and resyncs in full once it reads again`, async () => {
      const m = await master(kind, ['--client-output-buffer-limit', 'replica 1mb 0 0']);
      const replica = await servers.redis(`redis-replica-of-${kind}`);
      await replicaOf(replica, m);
      await waitLinkUp(replica);
      const before = await syncStats(m.port);
      replica.signal('SIGSTOP');
      const writer = await RespClient.connect(m.port);
      try {
        // 64 MB of writes: past what the kernel's socket buffers take (Linux grows a receive buffer up to 32 MB) and the 1 MB limit.
        const value = 'v'.repeat(100_000);
        for (let i = 0; i < 640; i++) {
          const r = await writer.call('SET', `big:${i % 64}`, value);
          expect(r).toEqual({ t: 'simple', v: 'OK' });
        }
        await waitFor(`${kind} master drops its replica`, async () => (await info(m.port, 'replication')).connected_slaves === '0');
        await waitLogged(m, 'scheduled to be closed ASAP for overcoming of output buffer limits.');
        const dropped = m.log().split('\n').find((l) => l.includes('for overcoming of output buffer limits'))!;
        expect(dropped).toMatch(/ # Client id=\d+ addr=127\.0\.0\.1:\d+ .*flags=S .*scheduled to be closed ASAP for overcoming of output buffer limits\.$/);
        // Redis counts these from 7.4 on; Sluice counts them too.
        if (kind === 'sluice') expect((await info(m.port, 'stats')).client_output_buffer_limit_disconnections).toBe('1');
      } finally {
        replica.signal('SIGCONT');
        writer.close();
      }
      await waitLinkUp(replica);
      await waitCaughtUp(m, replica);
      const after = await syncStats(m.port);
      expect(after.full).toBe(before.full + 1);
      for (const key of ['big:0', 'big:63']) expect(await call(replica.port, 'STRLEN', key)).toEqual({ t: 'int', v: '100000' });
      expect(await call(replica.port, 'DBSIZE')).toEqual(await call(m.port, 'DBSIZE'));
    }, 90_000);
  }
});

describe.skipIf(redisServerPath === null)('a replica hard limit below repl-backlog-size', () => {
  for (const kind of ['redis', 'sluice'] as const) {
    it(`counts as the backlog's size on a ${kind} master (Redis 7's rule: a partial resync the backlog allows must not be dropped)`, async () => {
      const m = await master(kind, ['--repl-backlog-size', '64mb', '--client-output-buffer-limit', 'replica 512kb 0 0']);
      const replica = await servers.redis(`redis-replica-of-${kind}`);
      await replicaOf(replica, m);
      await waitLinkUp(replica);
      replica.signal('SIGSTOP');
      const writer = await RespClient.connect(m.port);
      const connected = async () => (await info(m.port, 'replication')).connected_slaves;
      const write = async (from: number, count: number) => {
        const value = 'w'.repeat(100_000);
        for (let i = from; i < from + count; i++) expect(await writer.call('SET', `w:${i % 64}`, value)).toEqual({ t: 'simple', v: 'OK' });
      };
      try {
        // 40 MB: past the 512 KB limit once the kernel's buffers are full, under the backlog's 64 MB.
        await write(0, 400);
        await new Promise((r) => setTimeout(r, 300));
        expect(await connected()).toBe('1');
        // 100 MB more: past the backlog's size too.
        await write(400, 1000);
        await waitFor(`${kind} master drops its replica`, async () => (await connected()) === '0');
      } finally {
        replica.signal('SIGCONT');
        writer.close();
      }
      await waitLinkUp(replica);
      await waitCaughtUp(m, replica);
    }, 120_000);
  }
});
