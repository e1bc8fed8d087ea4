import { describe, expect, test } from 'vitest';
import { nodeIo } from '../../src/persistence/io.js';
import { waitFor } from '../helpers/aof.js';
import { perTest } from '../helpers/fixture.js';
import { block } from '../helpers/latency-sink.js';
import type { Resp } from '../helpers/resp-client.js';

const { tmp, start } = perTest();

/** The event names LATENCY LATEST lists. */
function latestEvents(r: Resp): string[] {
  return (r.v as Resp[]).map((row) => (row.v as Resp[])[0].v as string).sort();
}

describe('latency events beyond commands', () => {
  test('an active expiry slice that blocks past the threshold is an expire-cycle event, which GRAPH and DOCTOR report', async () => {
    const { s, c } = await start(tmp(), { appendonly: 'no', 'latency-monitor-threshold': '20' });
    const ks = s.server.keyspace;
    const cycle = ks.activeExpireCycle.bind(ks);
    let slow = true;
    ks.activeExpireCycle = (budget: number) => {
      if (slow) block(25);
      slow = false;
      return cycle(budget);
    };
    await waitFor(async () => latestEvents(await c.call('LATENCY', 'LATEST')).includes('expire-cycle'), 5000, 'an expire-cycle sample');
    expect(((await c.call('LATENCY', 'GRAPH', 'expire-cycle')).v as string).split('\n')[0]).toMatch(/^expire-cycle - high \d+ ms, low \d+ ms \(all time high \d+ ms\)$/);
    const doctor = (await c.call('LATENCY', 'DOCTOR')).v as string;
    expect(doctor).toMatch(/1\. expire-cycle: 1 latency spikes/);
    expect(doctor).toContain("- In order to make the Redis keys expiring process more incremental, try to set the 'hz' configuration parameter to 100 using 'CONFIG SET hz 100'.\n");
  });

  test('evicting many keys in one go (no time limit) is an eviction-cycle event', async () => {
    const { c } = await start(tmp(), {
      appendonly: 'no', 'latency-monitor-threshold': '1', 'maxmemory-policy': 'allkeys-random', 'maxmemory-eviction-tenacity': '100',
    });
    for (let i = 0; i < 50; i++) await c.call('MSET', ...Array.from({ length: 1000 }, (_, j) => [`key:${i * 1000 + j}`, 'v']).flat());
    expect(await c.call('DBSIZE')).toEqual({ t: 'int', v: '50000' });
    expect(latestEvents(await c.call('LATENCY', 'LATEST'))).not.toContain('eviction-cycle');
    await c.call('CONFIG', 'SET', 'maxmemory', '1');
    await c.call('GET', 'key:1');
    expect(await c.call('DBSIZE')).toEqual({ t: 'int', v: '0' });
    expect(latestEvents(await c.call('LATENCY', 'LATEST'))).toContain('eviction-cycle');
    expect((await c.call('LATENCY', 'DOCTOR')).v).toContain("- Sudden changes to the 'maxmemory' setting via 'CONFIG SET'");
  });

  test('a slow AOF write is aof-write and aof-write-alone on a running server, with the disk advice', async () => {
    const { s, c } = await start(tmp(), { appendonly: 'yes', 'latency-monitor-threshold': '5' });
    s.server.persistence.io = { ...nodeIo, write: (fd, b, o, l) => (block(6), nodeIo.write(fd, b, o, l)) };
    await c.call('SET', 'k', 'v');
    expect(latestEvents(await c.call('LATENCY', 'LATEST'))).toEqual(expect.arrayContaining(['aof-write', 'aof-write-alone']));
    expect((await c.call('LATENCY', 'DOCTOR')).v).toContain('- It is strongly advised to use local disks for persistence');
  });
});
