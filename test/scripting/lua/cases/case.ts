import type { Plain } from '../helpers/plain.js';

/**
 * One semantics case: a script as EVAL runs it and the reply Redis 7.2.6
 * gives (recorded from it; semantics.differential.test.ts checks the
 * records against a real redis-server).
 */
export interface Case {
  script: string;
  expect: Plain;
  keys?: string[];
  args?: string[];
}

export function t(script: string, expect: Plain, keys?: string[], args?: string[]): Case {
  return { script, expect, keys, args };
}
