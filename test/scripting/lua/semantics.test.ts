import { describe, expect, test } from 'vitest';
import { ALL_CASES } from './cases/index.js';
import { FakeRedis } from './helpers/fake-redis.js';

/**
 * Every recorded case through the engine, as EVAL would run it (the fake
 * host converts results and errors as Redis 7.2 does), against the reply
 * Redis 7.2.6 gave.
 */
describe('Lua semantics as Redis runs them', () => {
  const redis = new FakeRedis();
  for (const [topic, cases] of Object.entries(ALL_CASES)) {
    describe(topic, () => {
      for (const c of cases) {
        test(c.script, () => {
          expect(redis.eval(c.script, c.keys, c.args)).toEqual(c.expect);
        });
      }
    });
  }
});
