import { describe, expect, test } from 'vitest';
import { useSluice } from '../../helpers/fixture.js';
import type { RespClient } from '../../helpers/resp-client.js';
import { DUMP_CASES, KEY, type DumpCase } from './dump-cases.js';
import { GOLDEN_72 } from './dump-golden.js';

/**
 * Sluice's DUMP payloads are Redis 7.2's, byte for byte, for every value
 * whose payload Redis makes the same each time: so Redis 7.2 (and later)
 * restores them, and Sluice restores 7.2's into the same value.
 */

const sluice = useSluice({ conn: 'fresh' });

const DEFAULTS: [string, string][] = [
  ['rdbcompression', 'yes'], ['list-max-listpack-size', '-2'], ['zset-max-listpack-entries', '128'], ['stream-node-max-entries', '100'],
];

async function build(c: RespClient, dc: DumpCase): Promise<void> {
  for (const [p, v] of [...DEFAULTS, ...(dc.config ?? [])]) expect(await c.call('CONFIG', 'SET', p, v)).toEqual({ t: 'simple', v: 'OK' });
  for (const cmd of dc.cmds) expect((await c.call(...cmd)).t).not.toBe('error');
}

async function dumpHex(c: RespClient, key: string): Promise<string> {
  const r = await c.call('DUMP', key);
  if (r.t !== 'bulk' || r.v === null) throw new Error(`DUMP ${key}: ${JSON.stringify(r)}`);
  return Buffer.from(r.v, 'latin1').toString('hex');
}

describe('DUMP writes what Redis 7.2 writes', () => {
  for (const dc of DUMP_CASES) {
    test(dc.name, async () => {
      await build(sluice.conn, dc);
      expect(await dumpHex(sluice.conn, KEY)).toBe(GOLDEN_72[dc.name]);
    });
  }
});

describe("RESTORE of Redis 7.2's payload gives the same value back", () => {
  for (const dc of DUMP_CASES) {
    test(dc.name, async () => {
      await build(sluice.conn, dc);
      const payload = Buffer.from(GOLDEN_72[dc.name], 'hex');
      expect(await sluice.conn.call('RESTORE', 'copy', '0', payload)).toEqual({ t: 'simple', v: 'OK' });
      // A string's encoding is not in its payload (a restored string is int, embstr or raw by its bytes, as any new one).
      if ((await sluice.conn.call('TYPE', KEY)).v !== 'string') {
        expect(await sluice.conn.call('OBJECT', 'ENCODING', 'copy')).toEqual(await sluice.conn.call('OBJECT', 'ENCODING', KEY));
      }
      if (dc.restoreNarrows) expect(await sluice.conn.call('SMEMBERS', 'copy')).toEqual(await sluice.conn.call('SMEMBERS', KEY));
      else expect(await dumpHex(sluice.conn, 'copy')).toBe(GOLDEN_72[dc.name]);
    });
  }
});
