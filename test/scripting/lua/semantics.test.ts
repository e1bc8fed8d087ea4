import { describe, expect, test } from 'vitest';
import { useSluice } from '../../helpers/fixture.js';
import { ALL_CASES } from './cases/index.js';
import { fromResp } from './helpers/plain.js';

/**
 * Every recorded case through Sluice's EVAL, against the reply Redis 7.2.6
 * gave (semantics.differential.test.ts holds the records to a real
 * redis-server).
 */
describe('Lua semantics as Redis runs them', () => {
  const sluice = useSluice({ conn: 'shared' });
  for (const [topic, cases] of Object.entries(ALL_CASES)) {
    describe(topic, () => {
      for (const c of cases) {
        test(c.script, async () => {
          await sluice.conn.call('FLUSHALL');
          const keys = c.keys ?? [];
          const reply = await sluice.conn.call('EVAL', c.script, String(keys.length), ...keys, ...(c.args ?? []));
          expect(fromResp(reply)).toEqual(c.expect);
        });
      }
    });
  }
});
