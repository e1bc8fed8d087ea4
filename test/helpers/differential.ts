import { describe, expect, test } from 'vitest';
import type { StartOptions } from '../../src/index.js';
import { useSluiceAndRedis } from './fixture.js';
import { RespClient, type Resp } from './resp-client.js';
import { redisServerPath } from './servers.js';

/**
 * Differential rows: the same commands go to Sluice and to a real
 * redis-server, and every reply must match exactly, type included.
 * A row is a command; wrappers relax the comparison where Redis's own
 * answer is not deterministic.
 */
export interface Row {
  cmd: string[];
  /** How to compare: exactly; as a multiset (order-free); or only the reply's type/shape. */
  mode: 'exact' | 'unordered' | 'type' | 'error';
  /** Applied to both replies before an exact comparison: blanks out what the clock decides (an idle time). */
  mask?: (r: Resp) => Resp;
}

/** Compare exactly. */
export const c = (...cmd: string[]): Row => ({ cmd, mode: 'exact' });
/** Compare an array reply ignoring order (SMEMBERS, KEYS…). */
export const unordered = (...cmd: string[]): Row => ({ cmd, mode: 'unordered' });
/** Compare only the reply's RESP type (TTL countdowns, random picks, times). */
export const sameType = (...cmd: string[]): Row => ({ cmd, mode: 'type' });
/** Compare exactly once `mask` has blanked the parts that depend on timing (XPENDING's idle times). */
export const masked = (mask: (r: Resp) => Resp, ...cmd: string[]): Row => ({ cmd, mode: 'exact', mask });
/** A HELP reply's last line: 7.0 says "Prints this help.", 7.2 (which Sluice follows) "Print this help.". */
function helpAs72(r: Resp): Resp {
  if (r.t !== 'array' || r.v === null) return r;
  return { t: 'array', v: r.v.map((l) => (l.t === 'simple' && l.v === '    Prints this help.' ? { t: 'simple', v: '    Print this help.' } : l)) };
}
/** Compare a HELP reply exactly, 7.0's wording of its last line read as 7.2's. */
export const help = (...cmd: string[]): Row => masked(helpAs72, ...cmd);
/** Both must fail; compare the error text. (Same as c, but says what the row is for.) */
export const fails = (...cmd: string[]): Row => ({ cmd, mode: 'error' });

function normalise(r: Resp, mode: Row['mode'], mask?: (r: Resp) => Resp): unknown {
  if (mask !== undefined) r = mask(r);
  if (mode === 'type') return r.t;
  if (mode === 'unordered' && (r.t === 'array' || r.t === 'set') && r.v !== null) {
    return { t: r.t, v: r.v.map((x) => JSON.stringify(x)).sort() };
  }
  return r;
}

export interface DifferentialOptions {
  /** RESP protocol for the connections (HELLO 3 first when 3). */
  proto?: 2 | 3;
  /** How to start each server, when not as the defaults. */
  servers?: { sluice?: StartOptions; redis?: string[] };
}

/**
 * Declares a describe block whose tests each run a sequence of rows on fresh
 * connections to both servers (FLUSHALL first). Skipped, with a note printed
 * by servers.ts, where redis-server is not installed.
 */
export function differential(title: string, cases: Record<string, Row[]>, opts: DifferentialOptions = {}): void {
  describe.skipIf(redisServerPath === null)(`${title} (differential vs redis-server)`, () => {
    const servers = useSluiceAndRedis(opts.servers);
    for (const [name, rows] of Object.entries(cases)) {
      test(name, async () => {
        const a = await RespClient.connect(servers.sluice.port);
        const b = await RespClient.connect(servers.redis.port);
        try {
          for (const conn of [a, b]) {
            if (opts.proto === 3) await conn.call('HELLO', '3');
            await conn.call('FLUSHALL');
          }
          for (const row of rows) {
            const [ra, rb] = await Promise.all([a.call(...row.cmd), b.call(...row.cmd)]);
            if (row.mode === 'error') expect(rb.t, `redis should fail ${row.cmd.join(' ')}`).toBe('error');
            expect(normalise(ra, row.mode, row.mask), row.cmd.join(' ')).toEqual(normalise(rb, row.mode, row.mask));
          }
        } finally {
          a.close();
          b.close();
        }
      });
    }
  });
}
