import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { ensureBuild } from '../helpers/child-sluice.js';
import { freshNodeOutput as runFreshNode, lastJsonLine } from '../helpers/fresh-node.js';

const MODULE = path.resolve(import.meta.dirname, '../../dist/runtime/young-generation.js');
const SWEEPING = path.resolve(import.meta.dirname, '../../dist/runtime/sweeping.js');
const PAGE_PROMOTION = path.resolve(import.meta.dirname, '../../dist/runtime/page-promotion.js');
const MIB = 1024 * 1024;

/** Runs `body` as an ES module in a fresh node with these flags, with the start-up settings' functions and newSpace() in scope; returns all it printed. */
function freshNodeOutput(body: string, nodeFlags: string[] = []): string {
  const script = `
    import v8 from 'node:v8';
    import { presizeYoungGeneration, promoteLoadedData } from ${JSON.stringify(MODULE)};
    import { sweepOnMainThread } from ${JSON.stringify(SWEEPING)};
    import { promoteWholePages } from ${JSON.stringify(PAGE_PROMOTION)};
    const space = (name) => v8.getHeapSpaceStatistics().find((s) => s.space_name === name);
    const newSpace = () => space('new_space').space_size;
    ${body}
  `;
  return runFreshNode(script, nodeFlags);
}

/** freshNodeOutput's last line, parsed: what `body` logged as JSON. */
function inFreshNode(body: string, nodeFlags: string[] = []): unknown {
  return lastJsonLine(freshNodeOutput(body, nodeFlags));
}

/**
 * A full collection of a young generation where one object in 2,000 is
 * still referenced, as V8's --trace-evacuation reports it: one line per
 * page evacuated, page_evacuation=1 where the page was moved whole.
 */
const SPARSE_SURVIVORS_COLLECTED = `
  const kept = [];
  for (let i = 0; i < 200000; i++) { const o = { i, s: 'x' + i }; if (i % 2000 === 0) kept.push(o); }
  gc();
  console.log(JSON.stringify(kept.length));
`;

/** The evacuation lines of freshNodeOutput for young pages: how many were moved whole and how many had their survivors copied. */
function youngPagesEvacuated(output: string): { moved: number; copied: number } {
  const lines = output.split('\n').filter((l) => l.includes('evacuation[') && l.includes('can_promote='));
  return {
    moved: lines.filter((l) => l.includes('page_evacuation=1')).length,
    copied: lines.filter((l) => l.includes('new_space=1 page_evacuation=0')).length,
  };
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

  test('promoteLoadedData moves what a load kept out of the young generation, and leaves no gc() behind', () => {
    const [usedBefore, usedAfter, oldGrowth, kept, gcType] = inFreshNode(`
      presizeYoungGeneration();
      const data = [];
      for (let i = 0; i < 100000; i++) data.push({ i, s: 'value-' + i });
      const usedBefore = space('new_space').space_used_size;
      const oldBefore = space('old_space').space_used_size;
      promoteLoadedData();
      const usedAfter = space('new_space').space_used_size;
      console.log(JSON.stringify([usedBefore, usedAfter, space('old_space').space_used_size - oldBefore, data.length, typeof globalThis.gc]));
    `) as [number, number, number, number, string];
    expect(usedBefore).toBeGreaterThan(4 * MIB);
    expect(usedAfter).toBeLessThan(0.5 * MIB);
    expect(oldGrowth).toBeGreaterThan(4 * MIB);
    expect(kept).toBe(100000);
    expect(gcType).toBe('undefined');
  });

  test('sweepOnMainThread turns concurrent sweeping off on one core only, unless node was told either way', () => {
    expect(inFreshNode('console.log(JSON.stringify(sweepOnMainThread(1)));')).toBe(true);
    expect(inFreshNode('console.log(JSON.stringify(sweepOnMainThread(2)));')).toBe(false);
    expect(inFreshNode('console.log(JSON.stringify(sweepOnMainThread(1)));', ['--concurrent-sweeping'])).toBe(false);
    expect(inFreshNode('console.log(JSON.stringify(sweepOnMainThread(1)));', ['--no-concurrent-sweeping'])).toBe(false);
  });

  test('promoteWholePages has a mark-compact move young pages into the old generation whole, however little on them is live', () => {
    const set = freshNodeOutput(`console.log(JSON.stringify(promoteWholePages()));${SPARSE_SURVIVORS_COLLECTED}`, ['--expose-gc', '--trace-evacuation']);
    expect(set.startsWith('true\n')).toBe(true);
    const evacuated = youngPagesEvacuated(set);
    expect(evacuated.moved).toBeGreaterThan(0);
    expect(evacuated.copied).toBe(0);
  });

  test("without promoteWholePages, or with a threshold given to node, V8's default copies the few survivors of those pages", () => {
    const unset = youngPagesEvacuated(freshNodeOutput(SPARSE_SURVIVORS_COLLECTED, ['--expose-gc', '--trace-evacuation']));
    expect(unset.moved).toBe(0);
    expect(unset.copied).toBeGreaterThan(0);
    const given = freshNodeOutput(`console.log(JSON.stringify(promoteWholePages()));${SPARSE_SURVIVORS_COLLECTED}`, ['--expose-gc', '--trace-evacuation', '--page-promotion-threshold=70']);
    expect(given.startsWith('false\n')).toBe(true);
    expect(youngPagesEvacuated(given).moved).toBe(0);
    expect(youngPagesEvacuated(given).copied).toBeGreaterThan(0);
  });
});
