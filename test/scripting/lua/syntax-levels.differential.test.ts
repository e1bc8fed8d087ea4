import { describe, expect, test } from 'vitest';
import { parseLua } from '../../../src/scripting/lua/parse.js';
import { useRedis } from '../../helpers/fixture.js';
import { redisServerPath } from '../../helpers/servers.js';
import { nearLimit, nested } from './helpers/nesting.js';

/**
 * Lua's parser refuses a chunk nested past 200 syntax levels, with the line
 * it met the 201st on. parseLua must accept and refuse the same chunks as
 * redis-server, with the same message: sources nested near the limit in
 * many shapes, and some spread over lines.
 */
const SPREAD_OVER_LINES = [
  'x = \n' + '(\n'.repeat(199) + '1' + ')'.repeat(199),
  'x = ' + '(\n'.repeat(150) + '- \n'.repeat(60) + '1' + ')'.repeat(150),
  'do\n'.repeat(201) + 'end\n'.repeat(201),
  'do\n'.repeat(199) + 'end\n'.repeat(199),
  'local t = {\n' + '{\n'.repeat(198) + '[[a\nb]]' + '}'.repeat(199),
  'local t = ' + '{'.repeat(198) + '[[a\nb]] .. "c"' + '}'.repeat(198),
  'x = ' + '- '.repeat(197) + '"s\\\n\\\nt" .. ' + '(\n'.repeat(3) + '1' + ')'.repeat(3),
];

/** What parseLua says of `source`: ok, or its syntax error. */
function parsed(source: string): string {
  try {
    parseLua(source, 'user_script');
    return 'ok';
  } catch (e) {
    return (e as Error).message;
  }
}

describe.skipIf(redisServerPath === null)('syntax levels (differential vs redis-server)', () => {
  const redis = useRedis();

  /** What redis-server says of `source`: ok when it compiles (whatever running it does), else its compile error. */
  async function redisSays(source: string): Promise<string> {
    const reply = await redis.client.call('EVAL', source, '0');
    if (reply.t !== 'error') return 'ok';
    const compiling = /^ERR Error compiling script \(new function\): (.*?)(?: script: .*)?$/s.exec(reply.v);
    return compiling === null ? 'ok' : compiling[1];
  }

  test('every source as Redis: accepted, or refused on the same line', async () => {
    const sources = [...SPREAD_OVER_LINES, ...nearLimit()];
    for (let seed = 1; seed <= 300; seed++) sources.push(nested(seed));
    let refused = 0;
    for (const source of sources) {
      const expected = await redisSays(source);
      if (expected !== 'ok') refused++;
      expect(parsed(source), source).toBe(expected);
    }
    // Both answers are exercised.
    expect(refused).toBeGreaterThan(50);
    expect(sources.length - refused).toBeGreaterThan(50);
  });
});
