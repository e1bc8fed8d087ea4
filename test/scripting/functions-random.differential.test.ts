import { describe, expect, test } from 'vitest';
import { useSluiceAndRedis } from '../helpers/fixture.js';
import { RespClient, type Resp } from '../helpers/resp-client.js';
import { redisServerPath } from '../helpers/servers.js';

/**
 * Random sequences of FUNCTION LOAD [REPLACE], DELETE, FLUSH, DUMP and
 * RESTORE (each server restoring its own dumps) and FCALL, on Sluice and on
 * redis-server: every reply and the libraries after each step must match.
 * Library and function names come from small pools, in random case, so that
 * collisions between libraries (function names ignore case) are frequent.
 */

const LIBS = ['a', 'b', 'c', 'A'];
const FUNCS = ['f', 'g', 'h', 'k', 'm'];
const STEPS = 400;

/** mulberry32: a seeded generator, so that a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * What may differ: which of several colliding names an error reports
 * (Redis walks its hash order), and the order of libraries and functions
 * in FUNCTION LIST.
 */
function normalise(r: Resp): unknown {
  if (r.t === 'error') return r.v.replace(/(Library|Function) \S+ already exists/, '$1 _ already exists');
  return r;
}

function sortedList(r: Resp): string[] {
  return (r.v as Resp[])
    .map((library) => (library.v as Resp[]).map((field) => (field.t === 'array' ? (field.v as Resp[]).map((x) => JSON.stringify(x)).sort() : field)))
    .map((x) => JSON.stringify(x))
    .sort();
}

describe.skipIf(redisServerPath === null)('random FUNCTION sequences (differential vs redis-server)', () => {
  const servers = useSluiceAndRedis();

  for (const seed of [1, 2, 3]) {
    test(`replies and libraries match after every step (seed ${seed})`, async () => {
      const r = rng(seed);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)];
      const randomCase = (s: string) => (r() < 0.3 ? s.toUpperCase() : s);
      const conns = [await RespClient.connect(servers.sluice.port), await RespClient.connect(servers.redis.port)];
      const dumps: (string | null)[] = [null, null];
      /** Which commands answered which reply types: the mix must include successes and failures. */
      const seen = new Set<string>();
      try {
        for (const c of conns) await c.call('FUNCTION', 'FLUSH');
        for (let step = 0; step < STEPS; step++) {
          const n = r();
          let cmd: string[] | 'restore';
          if (n < 0.45) {
            const names = [...new Set([pick(FUNCS), pick(FUNCS)])].map(randomCase);
            const body = names.map((f, i) => `redis.register_function('${f}', function() return '${f}${i}' end)`).join('\n');
            const code = r() < 0.05 ? `#!lua name=${pick(LIBS)}\nreturn 1` : `#!lua name=${pick(LIBS)}\n${body}`;
            cmd = r() < 0.5 ? ['FUNCTION', 'LOAD', 'REPLACE', code] : ['FUNCTION', 'LOAD', code];
          } else if (n < 0.6) {
            cmd = ['FUNCTION', 'DELETE', pick(LIBS)];
          } else if (n < 0.63) {
            cmd = ['FUNCTION', 'FLUSH'];
          } else if (n < 0.7) {
            cmd = ['FUNCTION', 'DUMP'];
          } else if (n < 0.78) {
            cmd = 'restore';
          } else {
            cmd = ['FCALL', randomCase(pick(FUNCS)), '0'];
          }
          const policy = pick(['APPEND', 'REPLACE', 'FLUSH']);
          const replies = await Promise.all(
            conns.map(async (c, i) => {
              if (cmd !== 'restore') return c.call(...cmd);
              const dump = dumps[i];
              return dump === null ? c.call('FUNCTION', 'FLUSH') : c.call('FUNCTION', 'RESTORE', dump, policy);
            }),
          );
          const what = `step ${step}: ${cmd === 'restore' ? `RESTORE ${policy}` : cmd.join(' ')}`;
          seen.add(`${cmd === 'restore' ? 'RESTORE' : cmd[0] === 'FCALL' ? 'FCALL' : cmd[1]}:${replies[1].t}`);
          if (cmd !== 'restore' && cmd[1] === 'DUMP') {
            replies.forEach((reply, i) => (dumps[i] = reply.v as string));
          } else {
            expect(normalise(replies[0]), what).toEqual(normalise(replies[1]));
          }
          const lists = await Promise.all(conns.map((c) => c.call('FUNCTION', 'LIST', 'WITHCODE')));
          expect(sortedList(lists[0]), what).toEqual(sortedList(lists[1]));
        }
        for (const kind of ['LOAD:bulk', 'LOAD:error', 'DELETE:simple', 'DELETE:error', 'RESTORE:simple', 'RESTORE:error', 'FCALL:bulk', 'FCALL:error']) {
          expect(seen, kind).toContain(kind);
        }
      } finally {
        for (const c of conns) c.close();
      }
    });
  }
});
