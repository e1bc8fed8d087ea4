import { expect, test } from 'vitest';
import { mainThreadCpu } from '../../src/server/cpu-usage.js';

/**
 * INFO's used_cpu_*_main_thread come from the main thread's stat file in
 * /proc, kept open and read again at offset 0 for each INFO: every read
 * must give the times as they are now, not as they were at the first.
 */
test('each reading of the main thread CPU time counts the CPU spent since the one before', () => {
  const before = mainThreadCpu();
  expect(before).not.toBeNull();
  const start = process.cpuUsage();
  const deadline = Date.now() + 10_000;
  // About 300 ms of CPU on this thread (the bound only keeps a starved machine from spinning for ever).
  while (process.cpuUsage(start).user < 300_000 && Date.now() < deadline);
  const after = mainThreadCpu()!;
  expect(after.user - before!.user).toBeGreaterThanOrEqual(150_000);
  expect(after.system).toBeGreaterThanOrEqual(before!.system);
  expect(mainThreadCpu()!.user).toBeGreaterThanOrEqual(after.user);
});
