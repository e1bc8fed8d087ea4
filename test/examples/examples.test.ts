import { spawn } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureBuild, startChild, type ChildSluice } from '../helpers/child-sluice.js';

/**
 * The README's examples, run as a reader runs them: each against the
 * Sluice it embeds (BullMQ's against a sluice-server), each exiting 0 only
 * when what it set out to show held, and printing its summary last.
 */
const ROOT = path.resolve(import.meta.dirname, '../..');

function runExample(name: string, ...args: string[]): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [path.join(ROOT, 'examples', `${name}.mjs`), ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, output });
    });
  });
}

const lastLine = (text: string): string => text.trimEnd().split('\n').at(-1) ?? '';

beforeAll(() => ensureBuild(), 120_000);

describe('examples on an embedded Sluice', () => {
  const cases: [name: string, summary: RegExp][] = [
    ['work-queue', /^20 of 20 jobs done; 0 waiting, 0 in flight$/],
    ['producer-consumer', /each delivered once: true; each consumer saw them in order: true$/],
    ['chat', /\[chat:room:dev\] \{"from":"carol","body":"the build is green"\}$/],
    ['event-bus', /^shipped 4 orders, revenue 200, widgets back in stock: 4$/],
    ['stream-bus', /^pending in the group: 0$/],
  ];
  for (const [name, summary] of cases) {
    test(name, async () => {
      const { code, output } = await runExample(name);
      expect(code, output).toBe(0);
      expect(lastLine(output)).toMatch(summary);
    }, 90_000);
  }
});

describe('the BullMQ example on a sluice-server', () => {
  let server: ChildSluice;
  beforeAll(async () => {
    server = await startChild(['--save', '', '--appendonly', 'no']);
  }, 60_000);
  afterAll(() => server?.kill('SIGKILL'));

  test('bullmq-queue', async () => {
    const { code, output } = await runExample('bullmq-queue', '--port', String(server.port));
    expect(code, output).toBe(0);
    expect(lastLine(output)).toMatch(/^14 of 14 jobs completed, 0 failed, 0 left; one failed once and was retried: true$/);
  }, 90_000);
});
