import { describe, expect, test } from 'vitest';
import { redisServerPath } from '../../helpers/servers.js';
import { useRedis, useSluice } from '../../helpers/fixture.js';
import { fromResp } from './helpers/plain.js';
import { program, script } from './helpers/random-lua.js';

/**
 * Random expressions over numbers, numeric strings, nil, booleans and
 * tables, with every operator and a few library functions, evaluated in
 * protected mode by a real redis-server and by Sluice's EVAL: the value (as
 * tostring shows it) or the error message must be the same. Seeded, so a
 * failure names a case that can be run again.
 */
const SEEDS = Array.from({ length: Number(process.env.LUA_FUZZ_SEEDS ?? 400) }, (_, i) => i + 1);

describe.skipIf(redisServerPath === null)('random expressions and programs (differential vs redis-server)', () => {
  const redis = useRedis();
  const sluice = useSluice({ conn: 'shared' });

  test('evaluate to the same values and the same errors', async () => {
    for (const seed of SEEDS) {
      const s = script(seed);
      const expected = fromResp(await redis.client.call('EVAL', s, '0'));
      expect(fromResp(await sluice.conn.call('EVAL', s, '0')), `seed ${seed}: ${s}`).toEqual(expected);
    }
  }, 20000 + SEEDS.length * 5);

  test('programs leave the same locals, tables (pairs order included) and closures', async () => {
    for (const seed of SEEDS) {
      const s = program(seed);
      const expected = fromResp(await redis.client.call('EVAL', s, '0'));
      expect(fromResp(await sluice.conn.call('EVAL', s, '0')), `seed ${seed}: ${s}`).toEqual(expected);
    }
  }, 20000 + SEEDS.length * 5);
});
