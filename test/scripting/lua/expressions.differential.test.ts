import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { RespClient } from '../../helpers/resp-client.js';
import { redisServerPath, startRedis, type RealRedis } from '../../helpers/servers.js';
import { FakeRedis } from './helpers/fake-redis.js';
import { fromResp } from './helpers/plain.js';

/**
 * Random expressions over numbers, numeric strings, nil, booleans and
 * tables, with every operator and a few library functions, evaluated in
 * protected mode by a real redis-server and by the engine: the value (as
 * tostring shows it) or the error message must be the same. Seeded, so a
 * failure names a case that can be run again.
 */
function generator(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

const ATOMS = ['a', 'b', 'c', 's', 'h', 'w', 'n', 't', 'f', '0', '1', '-1', '2.5', '1e15', "'7'", "'x'", "''", 'nil', 'true', 'false', '{}', '(1/0)'];
const BINARY = ['+', '-', '*', '/', '%', '^', '..', '==', '~=', '<', '<=', '>', '>=', 'and', 'or'];
const UNARY = ['-', 'not ', '#'];
const CALLS = ['tostring(0 + (%))', 'tonumber(%)', 'type(%)', 'math.floor(%)', 'math.max(%, 1)', 'string.len(%)', "string.format('%g', %)", 'select("#", %)', 't[%]', '({%})[1]', 'string.rep(%, 2)'];

function expression(r: () => number, depth: number): string {
  const p = r();
  if (depth <= 0 || p < 0.3) return ATOMS[Math.floor(r() * ATOMS.length)];
  if (p < 0.65) return `${expression(r, depth - 1)} ${BINARY[Math.floor(r() * BINARY.length)]} ${expression(r, depth - 1)}`;
  if (p < 0.75) return `${UNARY[Math.floor(r() * UNARY.length)]}${expression(r, depth - 1)}`;
  if (p < 0.85) return `(${expression(r, depth - 1)})`;
  return CALLS[Math.floor(r() * CALLS.length)].replace('%', expression(r, depth - 1));
}

const PRELUDE = "local a, b, c, s, h, w, n = 3, -2.5, 0, '12', '0x10', ' 5 ', nil local t = {10, 20, x = 'y'} local f = function(...) return ... end ";

function script(seed: number): string {
  const e = expression(generator(seed), 4);
  // Tables and functions print their addresses, which no two servers share.
  const shown = "(type(v) == 'table' or type(v) == 'function') and '' or tostring(v)";
  return `${PRELUDE}local ok, v = pcall(function() return ${e} end) return {tostring(ok), type(v), ${shown}}`;
}

const SEEDS = Array.from({ length: Number(process.env.LUA_FUZZ_SEEDS ?? 400) }, (_, i) => i + 1);

describe.skipIf(redisServerPath === null)('random expressions (differential vs redis-server)', () => {
  let redis: RealRedis;
  let client: RespClient;
  const engine = new FakeRedis();

  beforeAll(async () => {
    redis = await startRedis();
    client = await RespClient.connect(redis.port);
  });

  afterAll(async () => {
    client.close();
    await redis.stop();
  });

  test('evaluate to the same values and the same errors', async () => {
    for (const seed of SEEDS) {
      const s = script(seed);
      const expected = fromResp(await client.call('EVAL', s, '0'));
      expect(engine.eval(s), `seed ${seed}: ${s}`).toEqual(expected);
    }
  }, 20000 + SEEDS.length * 5);
});
