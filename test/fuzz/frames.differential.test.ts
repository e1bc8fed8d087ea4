import { constants } from 'node:buffer';
import { describe, expect, test } from 'vitest';
import { useSluiceAndRedis } from '../helpers/fixture.js';
import { encodeCommand } from '../helpers/resp-client.js';
import { transcript } from '../helpers/raw-session.js';
import { redisServerPath } from '../helpers/servers.js';
import { mutate } from './mutate.js';
import { Rng } from './rng.js';

/**
 * Damaged frames go to Sluice and to a real redis-server, and each must
 * answer the same replies and hang up (or not) the same way: a proxy in
 * front of either server must split the stream where the server does. The
 * seeds are commands whose replies depend on nothing but their arguments,
 * so that any damage to them is safe to send and its answer comparable.
 * Each connection half-closes after its input, so a frame left open ends
 * with the connection instead of a deadline. An input goes in one write:
 * split, a server that hangs up before the later parts arrive resets the
 * connection and its last reply may be lost, whichever server it is (that
 * framing does not depend on how the input is split, parser.fuzz.test.ts
 * shows).
 */
const SEEDS: Buffer[] = [
  ...[['PING'], ['PING', 'hey'], ['ECHO', 'x'.repeat(40)], ['ECHO', '\0\r\n\xff'], ['ECHO', ''], ['NOSUCH', 'arg']].map((argv) =>
    encodeCommand(argv),
  ),
  ...['PING\r\n', 'ECHO "a\\x41 b" \'c\\\'d\'\r\n', '  ECHO\tz\r\n', '\r\n', '*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$1\r\nq\r\n'].map(
    (s) => Buffer.from(s, 'latin1'),
  ),
];

const CASES = Number(process.env.FRAME_CASES ?? 1000);

/**
 * Headers Redis would wait on and Sluice refuses at once, by V8's limits
 * (docs/commands.md, "Protocol"): a bulk longer than V8's longest string but
 * within proto-max-bulk-len, a multibulk of more than 2^26 arguments.
 */
function pastV8Limits(input: Buffer): boolean {
  for (const m of input.toString('latin1').matchAll(/([*$])(\d{8,10})\r/g)) {
    const n = Number(m[2]);
    if (m[1] === '$' && n > constants.MAX_STRING_LENGTH && n <= 512 * 1024 * 1024) return true;
    if (m[1] === '*' && n > 2 ** 26 && n <= 2 ** 31 - 1) return true;
  }
  return false;
}

describe.skipIf(redisServerPath === null)('damaged frames (differential vs redis-server)', () => {
  const servers = useSluiceAndRedis();

  test(`${CASES} damaged inputs get Redis's replies and hang-ups`, async () => {
    const rng = new Rng(0x5eed_f00d);
    for (let i = 0; i < CASES; i++) {
      const input = mutate(rng, rng.pick(SEEDS), SEEDS);
      if (pastV8Limits(input)) continue;
      const chunks = [input];
      const opts = { marker: null, endInput: true };
      const [ours, theirs] = await Promise.all([transcript(servers.sluice.port, chunks, opts), transcript(servers.redis.port, chunks, opts)]);
      expect(ours, `case ${i}: ${JSON.stringify(input.toString('latin1'))}`).toEqual(theirs);
    }
  }, 120_000);
});
