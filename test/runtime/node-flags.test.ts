import { afterEach, describe, expect, test } from 'vitest';
import { givenToNode } from '../../src/runtime/node-flags.js';

const saved = process.env.NODE_OPTIONS;

/** Runs `check` as if node had been started with `options` in NODE_OPTIONS. */
function withNodeOptions(options: string, check: () => void): void {
  process.env.NODE_OPTIONS = options;
  check();
}

afterEach(() => {
  if (saved === undefined) delete process.env.NODE_OPTIONS;
  else process.env.NODE_OPTIONS = saved;
});

describe('givenToNode', () => {
  test('a boolean flag counts as given either way, whichever way it is asked about', () => {
    withNodeOptions('--parallel-scavenge', () => {
      expect(givenToNode('--no-parallel-scavenge')).toBe(true);
      expect(givenToNode('--parallel-scavenge')).toBe(true);
    });
    withNodeOptions('--no-parallel-scavenge', () => expect(givenToNode('--parallel-scavenge')).toBe(true));
  });

  test('a flag with a value counts as given with any value', () => {
    withNodeOptions('--concurrent-marking-max-worker-num=3', () => {
      expect(givenToNode('--concurrent-marking-max-worker-num=1')).toBe(true);
    });
  });

  test('underscores and dashes in a name are read alike, as V8 reads them', () => {
    withNodeOptions('--no-parallel_pointer_update --page_promotion_threshold=30', () => {
      expect(givenToNode('--no-parallel-pointer-update')).toBe(true);
      expect(givenToNode('--page-promotion-threshold')).toBe(true);
    });
  });

  test('another flag whose name starts with the same words is not that flag', () => {
    withNodeOptions('--parallel-scavenge-extra --concurrent-sweepingx', () => {
      expect(givenToNode('--no-parallel-scavenge')).toBe(false);
      expect(givenToNode('--concurrent-sweeping')).toBe(false);
    });
  });

  test('a flag given neither way is not given', () => {
    withNodeOptions('', () => expect(givenToNode('--no-parallel-compaction')).toBe(false));
  });
});
