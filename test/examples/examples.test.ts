import { spawn } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ensureBuild } from '../helpers/child-sluice.js';
import { useSluice } from '../helpers/fixture.js';

/**
 * The README's examples, run as a reader runs them, each exiting 0 only
 * when what it set out to show held: the queue, stream and BullMQ ones
 * against this file's server (--port), the pub/sub ones against the Sluice
 * they embed themselves (dist/).
 */
const ROOT = path.resolve(import.meta.dirname, '../..');

const sluice = useSluice();

/** Runs an example with `args`; resolves to its exit code and output (killed after 60 s). */
function runExample(file: string, ...args: string[]): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'examples', file), ...args], { cwd: ROOT });
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

const lastLine = (text: string): string => text.trimEnd().split('\n').at(-1) ?? '';

describe('the pub/sub examples, on the Sluice they embed', () => {
  beforeAll(() => ensureBuild(), 120_000);

  test('chat.mjs delivers every room and direct message, the moderator hearing the rooms', async () => {
    const { code, out } = await runExample('chat.mjs');
    expect(code, out).toBe(0);
    expect(lastLine(out)).toMatch(/\[chat:room:dev\] \{"from":"carol","body":"the build is green"\}$/);
  }, 90_000);

  test('event-bus.mjs ships every order and restocks what expired reservations held', async () => {
    const { code, out } = await runExample('event-bus.mjs');
    expect(code, out).toBe(0);
    expect(lastLine(out)).toMatch(/^shipped 4 orders, revenue 200, widgets back in stock: 4$/);
  }, 90_000);
});

describe('the queue, stream and BullMQ examples run as the README says', () => {
  test('work-queue.mjs finishes every job, re-queueing the one a crashed worker abandoned', async () => {
    const { code, out } = await runExample('work-queue.mjs', '--port', String(sluice.port));
    expect(out).toContain('re-queued');
    expect(out).toContain('20 of 20 jobs done; 0 waiting, 0 in flight');
    expect(code).toBe(0);
  }, 70_000);

  test('producer-consumer.mjs delivers every message once and in order', async () => {
    const { code, out } = await runExample('producer-consumer.mjs', '--port', String(sluice.port));
    expect(out).toContain('each delivered once: true; each consumer saw them in order: true');
    expect(code).toBe(0);
  }, 70_000);

  test('stream-bus.mjs handles every event exactly once, claiming what a dead worker left pending', async () => {
    const { code, out } = await runExample('stream-bus.mjs', '--port', String(sluice.port));
    expect(out).toMatch(/died before handling them/);
    expect(out).toMatch(/claimed \S+ \(order \d+\) from a dead worker/);
    expect(out).toContain('handled 60 of 60 events exactly once');
    expect(out).toContain('pending in the group: 0');
    expect(code).toBe(0);
  }, 70_000);

  test('bullmq-queue.mjs completes every BullMQ job, retrying the one that failed once and summing a flow', async () => {
    const { code, out } = await runExample('bullmq-queue.mjs', '--port', String(sluice.port));
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
