import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RespClient } from '../../helpers/resp-client.js';
import { redisServerPath, startRedis, type RealRedis } from '../../helpers/servers.js';
import { ALL_CASES } from './cases/index.js';
import { REPLIES_IN_7_0 } from './cases/redis-7.0.js';
import { fromResp, type Plain } from './helpers/plain.js';

/**
 * The recorded expectations of the semantics cases are Redis's own: each
 * case is sent as EVAL to a real redis-server and its reply must be the
 * recorded one (or, on Redis 7.0, the reply cases/redis-7.0.ts records
 * for the few that 7.2 changed). semantics.test.ts holds the engine to the
 * same records.
 */
describe.skipIf(redisServerPath === null)('recorded Lua cases (differential vs redis-server)', () => {
  let redis: RealRedis;
  let client: RespClient;
  let is70 = false;

  beforeAll(async () => {
    redis = await startRedis();
    client = await RespClient.connect(redis.port);
    const info = await client.call('INFO', 'server');
    is70 = info.t === 'bulk' && /redis_version:7\.0\./.test(info.v ?? '');
  });

  afterAll(async () => {
    client.close();
    await redis.stop();
  });

  for (const [topic, cases] of Object.entries(ALL_CASES)) {
    describe(topic, () => {
      for (const c of cases) {
        test(c.script, async () => {
          await client.call('FLUSHALL');
          const keys = c.keys ?? [];
          const reply = await client.call('EVAL', c.script, String(keys.length), ...keys, ...(c.args ?? []));
          const expected: Plain = is70 && c.script in REPLIES_IN_7_0 ? REPLIES_IN_7_0[c.script] : c.expect;
          expect(fromResp(reply)).toEqual(expected);
        });
      }
    });
  }
});
