import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ensureBuild } from './helpers/child-sluice.js';

const MODULE = path.resolve(import.meta.dirname, '../dist/young-generation.js');
const SWEEPING = path.resolve(import.meta.dirname, '../dist/sweeping.js');
const MIB = 1024 * 1024;

/** Runs `body` as an ES module in a fresh node with these flags, with presizeYoungGeneration and newSpace() in scope; returns what it logged, parsed. */
function inFreshNode(body: string, nodeFlags: string[] = []): unknown {
  const script = `
    import v8 from 'node:v8';
    import { presizeYoungGeneration } from ${JSON.stringify(MODULE)};
    import { sweepOnMainThread } from ${JSON.stringify(SWEEPING)};
    const newSpace = () => v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space').space_size;
    ${body}
  `;
  const r = spawnSync(process.execPath, [...nodeFlags, '--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, NODE_OPTIONS: '' } });
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout);
}

describe("sluice-server's young generation", () => {
  beforeAll(() => ensureBuild(), 120_000);

  test('presizeYoungGeneration grows the new space to 32 MiB at once, before any load, and it stays there under load', () => {
    const [before, presized, after, later] = inFreshNode(`
      const before = newSpace();
      const presized = presizeYoungGeneration();
      const after = newSpace();
      let junk = [];
      for (let i = 0; i < 2000000; i++) junk = [i, String(i)];
      console.log(JSON.stringify([before, presized, after, newSpace(), junk.length]));
    `) as [number, boolean, number, number];
    expect(before).toBeLessThan(32 * MIB);
    expect(presized).toBe(true);
    expect(after).toBe(32 * MIB);
    expect(later).toBe(32 * MIB);
  });

  test('presizeYoungGeneration leaves the heap in use as it found it: what it kept to grow the new space is collected', () => {
    const [before, after, gcType] = inFreshNode(`
      const inUse = () => { const m = process.memoryUsage(); return m.heapUsed + m.external; };
      const before = inUse();
      presizeYoungGeneration();
      console.log(JSON.stringify([before, inUse(), typeof globalThis.gc]));
    `) as [number, number, string];
    expect(after - before).toBeLessThan(1 * MIB);
    expect(gcType).toBe('undefined');
  });

  test('a semi-space size given to node on its command line stands: the new space is left as V8 starts it', () => {
    const [before, presized, after] = inFreshNode(`
      const before = newSpace();
      const presized = presizeYoungGeneration();
      console.log(JSON.stringify([before, presized, newSpace()]));
    `, ['--max-semi-space-size=64']) as [number, boolean, number];
    expect(presized).toBe(false);
    expect(after).toBe(before);
    expect(after).toBeLessThan(32 * MIB);
  });

  test('V8 shrinks the new space at a scavenge after an idle spell, and it grows straight back to 32 MiB once objects survive', () => {
    const [presized, idle, loaded] = inFreshNode(`
      presizeYoungGeneration();
      const presized = newSpace();
      await new Promise((resolve) => setTimeout(resolve, 6000));
      gc({ type: 'minor' });
      const idle = newSpace();
      // Survivors beyond the new space's capacity are what makes V8 grow it: at V8's default factor of 2,
      // three scavenges of these take a 1 MiB new space to 4 MiB.
      const kept = [];
      for (let round = 0; round < 3; round++) {
        for (let i = 0; i < 50000; i++) kept.push({ i });
        gc({ type: 'minor' });
      }
      console.log(JSON.stringify([presized, idle, newSpace(), kept.length]));
    `, ['--expose-gc']) as [number, number, number];
    expect(presized).toBe(32 * MIB);
    expect(idle).toBeLessThan(8 * MIB);
    expect(loaded).toBe(32 * MIB);
  }, 20_000);

  test('sweepOnMainThread turns concurrent sweeping off on one core only, unless node was told either way', () => {
    expect(inFreshNode('console.log(JSON.stringify(sweepOnMainThread(1)));')).toBe(true);
    expect(inFreshNode('console.log(JSON.stringify(sweepOnMainThread(2)));')).toBe(false);
    expect(inFreshNode('console.log(JSON.stringify(sweepOnMainThread(1)));', ['--concurrent-sweeping'])).toBe(false);
    expect(inFreshNode('console.log(JSON.stringify(sweepOnMainThread(1)));', ['--no-concurrent-sweeping'])).toBe(false);
  });
});
