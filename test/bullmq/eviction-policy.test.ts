import { Queue } from 'bullmq';
import { afterEach, expect, test, vi } from 'vitest';
import { useSluice } from '../helpers/fixture.js';

const sluice = useSluice({ conn: 'shared' });

afterEach(async () => {
  vi.restoreAllMocks();
  await sluice.conn.call('CONFIG', 'SET', 'maxmemory-policy', 'noeviction');
});

/** The console.warn calls BullMQ makes while a queue connects and checks the server (it reads INFO's maxmemory_policy). */
async function warningsOnConnect(): Promise<string[]> {
  const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
  const queue = new Queue('policy-check', { connection: { host: '127.0.0.1', port: sluice.port } });
  try {
    await queue.waitUntilReady();
    await queue.getJobCounts();
  } finally {
    await queue.close();
  }
  return warn.mock.calls.map((args) => String(args[0]));
}

test("BullMQ's eviction policy warning stays silent under noeviction", async () => {
  expect((await warningsOnConnect()).filter((w) => w.includes('Eviction policy'))).toEqual([]);
});

test('BullMQ warns when an evicting policy is set, as it does against Redis', async () => {
  await sluice.conn.call('CONFIG', 'SET', 'maxmemory-policy', 'allkeys-lru');
  expect(await warningsOnConnect()).toContain('IMPORTANT! Eviction policy is allkeys-lru. It should be "noeviction"');
});
