import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ensureBuild } from './helpers/child-sluice.js';

const MODULE = path.resolve(import.meta.dirname, '../dist/young-generation.js');
const MIB = 1024 * 1024;

/**
 * Runs a node process that keeps a third of what it allocates, in chunks
 * with a turn of the event loop between them (as a server handles one read
 * at a time), optionally under capYoungGeneration, and returns the largest
 * new space it saw, in bytes.
 */
function largestNewSpace(capped: boolean, nodeFlags: string[] = []): number {
  const script = `
    import v8 from 'node:v8';
    import { capYoungGeneration } from ${JSON.stringify(MODULE)};
    if (${capped}) capYoungGeneration();
    const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    let largest = newSpace();
    const kept = [];
    for (let chunk = 0; chunk < 300; chunk++) {
      for (let i = 0; i < 20000; i++) {
        const o = { n: i, s: 'value:' + i };
        if (i % 3 === 0) kept.push(o);
      }
      if (kept.length > 1000000) kept.length = 0;
      largest = Math.max(largest, newSpace());
      await new Promise((resolve) => setImmediate(resolve));
    }
    console.log(largest);
  `;
  const r = spawnSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  if (r.status !== 0) throw new Error(r.stderr);
  return Number(r.stdout.trim());
}

describe("sluice-server's young generation", () => {
  beforeAll(() => ensureBuild(), 120_000);

  test('V8 left alone grows the new space past 16 MiB under a load that keeps part of what it allocates', () => {
    expect(largestNewSpace(false)).toBeGreaterThan(16 * MIB);
  });

  test('capYoungGeneration keeps it at 16 MiB under the same load', () => {
    expect(largestNewSpace(true)).toBeLessThanOrEqual(16 * MIB);
  });

  test('capYoungGeneration grows the new space to 16 MiB at once, before any load, and keeps it there', () => {
    const script = `
      import v8 from 'node:v8';
      import { capYoungGeneration } from ${JSON.stringify(MODULE)};
      const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
      const before = newSpace();
      capYoungGeneration();
      const after = newSpace();
      let junk = [];
      for (let i = 0; i < 2000000; i++) junk = [i, String(i)];
      console.log(JSON.stringify([before, after, newSpace(), junk.length]));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(r.status, r.stderr).toBe(0);
    const [before, after, later] = JSON.parse(r.stdout) as number[];
    expect(before).toBeLessThan(16 * MIB);
    expect(after).toBe(16 * MIB);
    expect(later).toBe(16 * MIB);
  });

  test('capYoungGeneration leaves the heap in use as it found it: what it kept to grow the new space is collected', () => {
    const script = `
      import { capYoungGeneration } from ${JSON.stringify(MODULE)};
      const inUse = () => { const m = process.memoryUsage(); return m.heapUsed + m.external; };
      const before = inUse();
      capYoungGeneration();
      console.log(JSON.stringify([before, inUse(), typeof globalThis.gc]));
    `;
    const r = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
    expect(r.status, r.stderr).toBe(0);
    const [before, after, gcType] = JSON.parse(r.stdout) as [number, number, string];
    expect(after - before).toBeLessThan(1 * MIB);
    expect(gcType).toBe('undefined');
  });

  test('a semi-space size given to node on its command line stands', () => {
    expect(largestNewSpace(true, ['--max-semi-space-size=16'])).toBeGreaterThan(16 * MIB);
  });
});
