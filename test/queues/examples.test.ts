import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { useSluice } from '../helpers/fixture.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

const sluice = useSluice();

/** Runs an example against the test's server; resolves to its exit code and output (killed after 60 s). */
function runExample(file: string): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'examples', file), '--port', String(sluice.port)], { cwd: ROOT });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, out });
    });
  });
}

describe('the queue, stream and BullMQ examples run as the README says', () => {
  test('work-queue.mjs finishes every job, re-queueing the one a crashed worker abandoned', async () => {
    const { code, out } = await runExample('work-queue.mjs');
    expect(out).toContain('re-queued');
    expect(out).toContain('20 of 20 jobs done; 0 waiting, 0 in flight');
    expect(code).toBe(0);
  }, 70_000);

  test('producer-consumer.mjs delivers every message once and in order', async () => {
    const { code, out } = await runExample('producer-consumer.mjs');
    expect(out).toContain('each delivered once: true; each consumer saw them in order: true');
    expect(code).toBe(0);
  }, 70_000);

  test('stream-bus.mjs handles every event exactly once, claiming what a dead worker left pending', async () => {
    const { code, out } = await runExample('stream-bus.mjs');
    expect(out).toMatch(/died before handling them/);
    expect(out).toMatch(/claimed \S+ \(order \d+\) from a dead worker/);
    expect(out).toContain('handled 60 of 60 events exactly once');
    expect(out).toContain('pending in the group: 0');
    expect(code).toBe(0);
  }, 70_000);

  test('bullmq-queue.mjs completes every BullMQ job, retrying the one that failed once and summing a flow', async () => {
    const { code, out } = await runExample('bullmq-queue.mjs');
    expect(out).toMatch(/is delayed for 500 ms/);
    expect(out).toMatch(/is waiting-children until its 3 children finish/);
    expect(out).toMatch(/job \S+ failed \(attempt 1\): decoder busy, try again/);
    expect(out).toMatch(/job \S+: 50% done/);
    expect(out).toMatch(/completed thumbnail \S+ \(attempt 2\): \{"image":"harbour"/);
    expect(out).toContain('report: 3 thumbnails, 3666 bytes');
    expect(out).toContain('14 of 14 jobs completed, 0 failed, 0 left; one failed once and was retried: true');
    expect(code).toBe(0);
  }, 70_000);
});
