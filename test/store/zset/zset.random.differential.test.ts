import { describe, expect, test } from 'vitest';
import { useSluiceAndRedis } from '../../helpers/fixture.js';
import { RespClient } from '../../helpers/resp-client.js';
import { redisServerPath } from '../../helpers/servers.js';

/**
 * Random sequences of sorted set commands sent to Sluice and to a real
 * redis-server, with small encoding thresholds so sets change encoding on
 * the way; every reply must be the same, type included, in RESP2 and RESP3.
 * Scores are ones that 7.0 and 7.2 print alike, and none is -0: 7.2 makes
 * a skiplist at once for a ZADD of more pairs than the threshold, which
 * keeps -0 where 7.0's listpack keeps 0 (zset.test.ts covers that).
 */

function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SCORES = ['-inf', '-3', '-1.5', '0', '0.5', '1', '2', '2.5', '7', 'inf', '+inf', '(1', 'x'];
const BOUNDS = ['-inf', '+inf', '0', '(0', '1', '(1', '2.5', '(2.5', '-1.5', '7', '(inf', 'bad'];
const LEX = ['-', '+', '[a', '(a', '[b', '(bb', '[c', '(d', '[zz', 'a', '['];
const INTS = ['0', '1', '2', '-1', '-2', '3', '10', '-10', 'x'];

function commandFor(r: () => number): string[] {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const key = () => pick(['a', 'b', 'c']);
  const member = () => pick(['a', 'b', 'bb', 'c', 'd', 'e', 'f', 'long-member-name']);
  const pairs = () => {
    const out: string[] = [];
    const n = 1 + Math.floor(r() * 4);
    for (let i = 0; i < n; i++) out.push(pick(SCORES.slice(0, 10)), member());
    return out;
  };
  const options = () => {
    const out: string[] = [];
    for (const o of ['NX', 'XX', 'GT', 'LT', 'CH', 'INCR']) if (r() < 0.12) out.push(o);
    return out;
  };
  const limit = () => (r() < 0.4 ? ['LIMIT', pick(INTS), pick(INTS)] : []);
  const n = r();
  if (n < 0.2) return ['ZADD', key(), ...options(), ...pairs()];
  if (n < 0.24) return ['ZINCRBY', key(), pick(SCORES), member()];
  if (n < 0.3) return ['ZREM', key(), member(), member()];
  if (n < 0.34) return ['ZRANGE', key(), pick(INTS), pick(INTS), ...(r() < 0.5 ? ['REV'] : []), ...(r() < 0.5 ? ['WITHSCORES'] : [])];
  if (n < 0.4) {
    return ['ZRANGE', key(), pick(BOUNDS), pick(BOUNDS), 'BYSCORE', ...(r() < 0.5 ? ['REV'] : []), ...limit(), ...(r() < 0.5 ? ['WITHSCORES'] : [])];
  }
  // Lex ranges are only defined over members of one score: they go to 'l', which only ever gets score 0.
  if (n < 0.42) return ['ZRANGE', 'l', pick(LEX), pick(LEX), 'BYLEX', ...(r() < 0.5 ? ['REV'] : []), ...limit()];
  if (n < 0.44) return r() < 0.7 ? ['ZADD', 'l', ...options().filter((o) => o !== 'INCR'), '0', member(), '0', member()] : ['ZREM', 'l', member()];
  if (n < 0.47) return ['ZCOUNT', key(), pick(BOUNDS), pick(BOUNDS)];
  if (n < 0.5) return ['ZLEXCOUNT', 'l', pick(LEX), pick(LEX)];
  if (n < 0.53) return [pick(['ZRANK', 'ZREVRANK']), key(), member()];
  if (n < 0.56) return ['ZSCORE', key(), member()];
  if (n < 0.58) return ['ZMSCORE', key(), member(), member()];
  if (n < 0.6) return ['ZCARD', key()];
  if (n < 0.64) return [pick(['ZPOPMIN', 'ZPOPMAX']), key(), ...(r() < 0.5 ? [pick(INTS)] : [])];
  if (n < 0.67) return ['ZMPOP', '2', key(), key(), pick(['MIN', 'MAX']), ...(r() < 0.5 ? ['COUNT', pick(INTS)] : [])];
  if (n < 0.7) return [pick(['BZPOPMIN', 'BZPOPMAX']), key(), key(), '0.001'];
  if (n < 0.73) return ['ZREMRANGEBYRANK', key(), pick(INTS), pick(INTS)];
  if (n < 0.76) return ['ZREMRANGEBYSCORE', key(), pick(BOUNDS), pick(BOUNDS)];
  if (n < 0.78) return ['ZREMRANGEBYLEX', 'l', pick(LEX), pick(LEX)];
  if (n < 0.82) {
    const op = pick(['ZUNIONSTORE', 'ZINTERSTORE', 'ZDIFFSTORE']);
    const weighs = op !== 'ZDIFFSTORE' && r() < 0.5;
    return [op, key(), '2', key(), key(), ...(weighs ? ['WEIGHTS', pick(SCORES), pick(SCORES)] : []),
      ...(op !== 'ZDIFFSTORE' && r() < 0.4 ? ['AGGREGATE', pick(['SUM', 'MIN', 'MAX'])] : [])];
  }
  if (n < 0.86) {
    const op = pick(['ZUNION', 'ZINTER', 'ZDIFF']);
    return [op, '2', key(), key(), ...(op !== 'ZDIFF' && r() < 0.5 ? ['WEIGHTS', pick(SCORES), pick(SCORES)] : []),
      ...(r() < 0.5 ? ['WITHSCORES'] : [])];
  }
  if (n < 0.88) return ['ZINTERCARD', '2', key(), key(), ...(r() < 0.5 ? ['LIMIT', pick(INTS)] : [])];
  if (n < 0.92) return ['ZRANGESTORE', key(), key(), pick(BOUNDS), pick(BOUNDS), 'BYSCORE', ...limit()];
  if (n < 0.94) return ['ZRANDMEMBER', key(), pick(['100', '0']), ...(r() < 0.5 ? ['WITHSCORES'] : [])];
  // One member at most: a skiplist's scan order is Redis's hash order.
  if (n < 0.96) return ['ZSCAN', key(), '0', 'MATCH', pick(['a', 'bb', 'long*'])];
  if (n < 0.98) return ['SET', key(), 'string'];
  return ['DEL', key()];
}

describe.skipIf(redisServerPath === null)('random sorted set commands (differential vs redis-server)', () => {
  const servers = useSluiceAndRedis();

  test('300 sequences of 40 commands give the same replies, with thresholds from 0 to 5 members of 1 to 9 bytes', { timeout: 300_000 }, async () => {
    const a = await RespClient.connect(servers.sluice.port);
    const b = await RespClient.connect(servers.redis.port);
    const differences: string[] = [];
    try {
      for (let seq = 0; seq < 300 && differences.length === 0; seq++) {
        const r = rng(1000 + seq);
        const proto = seq % 2 === 0 ? '2' : '3';
        const setup = [
          ['HELLO', proto], ['FLUSHALL'],
          ['CONFIG', 'SET', 'zset-max-listpack-entries', String(Math.floor(r() * 6))],
          ['CONFIG', 'SET', 'zset-max-listpack-value', String(1 + Math.floor(r() * 9))],
        ];
        for (const cmd of setup) await Promise.all([a.call(...cmd), b.call(...cmd)]);
        for (let i = 0; i < 40; i++) {
          const cmd = commandFor(r);
          const [ra, rb] = await Promise.all([a.call(...cmd), b.call(...cmd)]);
          if (JSON.stringify(ra) !== JSON.stringify(rb)) {
            differences.push(`seq ${seq} RESP${proto} ${cmd.join(' ')}: sluice ${JSON.stringify(ra)} redis ${JSON.stringify(rb)}`);
            break;
          }
        }
      }
    } finally {
      for (const c of [a, b]) {
        await c.call('CONFIG', 'SET', 'zset-max-listpack-entries', '128');
        await c.call('CONFIG', 'SET', 'zset-max-listpack-value', '64');
        c.close();
      }
    }
    expect(differences).toEqual([]);
  });
});
