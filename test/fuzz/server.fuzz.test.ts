import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterAll, describe, expect, test } from 'vitest';
import type { Server } from '../../src/server/server.js';
import { keyspaceSnapshot } from '../helpers/aof.js';
import { useSluice } from '../helpers/fixture.js';
import { RespClient } from '../helpers/resp-client.js';
import { startSluice } from '../helpers/servers.js';
import { runCampaign } from './campaign.js';
import { commandPool, generateEncoded } from './commands.js';

/**
 * The command-level fuzz campaign. `npm test` runs a slice of it;
 * `npm run fuzz` runs a million requests (FUZZ_REQUESTS sets the count).
 */
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 30_000);
const SEED = Number(process.env.FUZZ_SEED ?? 0xf22);
/** Heap the server may keep after a campaign once its data is flushed: allocator slack, never per connection. */
const HEAP_SLACK = 8 * 1024 * 1024;

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc') as () => void;

const dir = mkdtempSync(path.join(os.tmpdir(), 'sluice-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function settled(server: Server): Promise<void> {
  // A liveness bound, not a speed check: every connection the campaign opened must be released.
  for (let i = 0; i < 2000 && server.clients.size > 0; i++) await new Promise((r) => setTimeout(r, 10));
}

function heapAfterGc(): number {
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Every per-connection structure is empty once no client is connected. */
function connectionState(server: Server): Record<string, number> {
  return {
    clients: server.clients.size,
    blocked: server.blocking.size,
    subscribers: server.broker.registry.clients,
    channels: server.broker.registry.channels.size + server.broker.registry.patterns.size + server.broker.registry.shardChannels.size,
    monitors: server.monitors.size,
    paused: server.paused.size,
    watchedDatabases: server.keyspace.dbs.filter((d) => d.watched !== null).length,
  };
}

/**
 * The keyspace as comparable text (see keyspaceSnapshot), less the keys due
 * to expire soon: either server may expire them while the other is read.
 */
function snapshot(server: Server): [string, string][] {
  const soon = Date.now() + 10 * 60_000;
  return [...keyspaceSnapshot(server)].filter(([, text]) => {
    const deadline = Number(text.slice(0, text.indexOf(' ')));
    return deadline === -1 || deadline >= soon;
  }).sort();
}

describe('fuzzing every command over sockets', () => {
  const sluice = useSluice({ start: { config: { dir, appendfsync: 'no' } } });

  test(
    `${REQUESTS} generated requests for every command, some damaged: the server survives, forgets every connection and loses no data`,
    async () => {
      const server = sluice.server;
      const pool = commandPool(server.commands);
      const campaign = (requests: number, seed: number) =>
        runCampaign({
          port: sluice.port,
          requests,
          workers: 16,
          perConnection: 25,
          seed,
          request: (rng) => generateEncoded(rng, pool),
          damaged: 0.01,
          connectionDeadlineMs: 2000,
        });

      // A first round warms up what a server allocates once (code, caches), so the heap is compared after it.
      await campaign(2_000, SEED ^ 0xabc);
      await settled(server);
      const control = await RespClient.connect(sluice.port);
      await control.call('FLUSHALL');
      control.close();
      await settled(server);
      const baseline = heapAfterGc();
      // Counted here rather than read from the statistics, which CONFIG RESETSTAT (in the pool) resets.
      let executed = 0;
      const dispatcher = server.dispatcher;
      const call = dispatcher.call;
      dispatcher.call = function (...args) {
        executed++;
        return call.apply(this, args);
      };

      const { connections } = await campaign(REQUESTS, SEED);
      dispatcher.call = call;
      await settled(server);
      expect(connectionState(server)).toEqual({
        clients: 0, blocked: 0, subscribers: 0, channels: 0, monitors: 0, paused: 0, watchedDatabases: 0,
      });
      expect(connections).toBeGreaterThan(REQUESTS / 50);
      // The requests reached the commands, not only the parser.
      expect(executed).toBeGreaterThan(REQUESTS / 4);

      // Whatever the campaign left is in the AOF: a server started on it holds the same data.
      const c = await RespClient.connect(sluice.port);
      try {
        expect(await c.call('PING')).toEqual({ t: 'simple', v: 'PONG' });
        // A write the AOF must hold before the comparison (appendfsync no writes at the end of the turn).
        expect(await c.call('SET', 'fuzz:done', '1')).toEqual({ t: 'simple', v: 'OK' });
      } finally {
        c.close();
      }
      await settled(server);
      const before = snapshot(server);
      // A copy, so that the second server does not append to the files the first still writes.
      const copy = path.join(dir, 'copy');
      cpSync(path.join(dir, 'appendonlydir'), path.join(copy, 'appendonlydir'), { recursive: true });
      const reloaded = await startSluice({ config: { dir: copy, appendonly: 'yes' } });
      try {
        expect(snapshot(reloaded.server)).toEqual(before);
      } finally {
        await reloaded.close();
      }

      const flush = await RespClient.connect(sluice.port);
      await flush.call('FLUSHALL');
      flush.close();
      await settled(server);
      expect(heapAfterGc() - baseline).toBeLessThan(HEAP_SLACK);
    },
    60_000 + REQUESTS * 2,
  );
});
