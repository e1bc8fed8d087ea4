import { beforeAll, describe, expect, test } from 'vitest';
import { useRedis } from '../../helpers/fixture.js';
import { redisServerPath } from '../../helpers/servers.js';
import { ALL_CASES } from './cases/index.js';
import { REPLIES_IN_7_0, REPLIES_IN_7_2 } from './cases/redis-7.0.js';
import { fromResp, type Plain } from './helpers/plain.js';

/**
 * The recorded expectations of the semantics cases are Redis's own: each
 * case is sent as EVAL to a real redis-server and its reply must be the
 * recorded one (or the reply cases/redis-7.0.ts records for the few where
 * 7.0 or 7.2 answers otherwise). semantics.test.ts holds the engine to the
 * same records.
 */
describe.skipIf(redisServerPath === null)('recorded Lua cases (differential vs redis-server)', () => {
  const redis = useRedis();
  let is70 = false;

  beforeAll(async () => {
    const info = await redis.client.call('INFO', 'server');
    is70 = info.t === 'bulk' && /redis_version:7\.0\./.test(info.v ?? '');
  });

  for (const [topic, cases] of Object.entries(ALL_CASES)) {
    describe(topic, () => {
      for (const c of cases) {
        test(c.script, async () => {
          await redis.client.call('FLUSHALL');
          const keys = c.keys ?? [];
          const reply = await redis.client.call('EVAL', c.script, String(keys.length), ...keys, ...(c.args ?? []));
          const changed = is70 ? REPLIES_IN_7_0 : REPLIES_IN_7_2;
          const expected: Plain = c.script in changed ? changed[c.script] : c.expect;
          expect(fromResp(reply)).toEqual(expected);
        });
      }
    });
  }
});
