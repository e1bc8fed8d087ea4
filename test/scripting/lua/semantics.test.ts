import { describe, expect, test } from 'vitest';
import { useSluice } from '../../helpers/fixture.js';
import { SHARED_CHUNKS } from '../../../src/scripting/lua/chunk-cache.js';
import { parseShebang } from '../../../src/scripting/shebang.js';
import { ALL_CASES } from './cases/index.js';
import type { Case } from './cases/case.js';
import { fromResp } from './helpers/plain.js';

/**
 * Every recorded case through Sluice's EVAL, against the reply Redis 7.2.6
 * gave (semantics.differential.test.ts holds the records to a real
 * redis-server): first as a script's first call runs it, in its chunk's
 * first form (nested functions generated as they are first called: by
 * EVAL from the chunk's own parse, or, every other case, by EVALSHA after
 * SCRIPT LOAD from their text parsed again alone), then with the chunk
 * made whole, as later runs find it.
 */
describe('Lua semantics as Redis runs them', () => {
  const sluice = useSluice({ conn: 'shared' });

  const evalCase = async (c: Case, script = ['EVAL', c.script]): Promise<unknown> => {
    await sluice.conn.call('FLUSHALL');
    const keys = c.keys ?? [];
    return fromResp(await sluice.conn.call(...script, String(keys.length), ...keys, ...(c.args ?? [])));
  };

  /** The case's first run: EVAL compiles and runs in one turn; SCRIPT LOAD compiles in one, and EVALSHA runs in a later. */
  const firstRun = async (c: Case, loadFirst: boolean): Promise<unknown> => {
    if (loadFirst) {
      const loaded = await sluice.conn.call('SCRIPT', 'LOAD', c.script);
      if (loaded.t === 'bulk' && loaded.v !== null) return evalCase(c, ['EVALSHA', loaded.v]);
    }
    return evalCase(c);
  };
  let n = 0;

  /** The script's compiled chunk, as EVAL left it in the process's cache; undefined for a script that does not compile. */
  const chunkOf = (script: string) => {
    const shebang = parseShebang(script);
    if ('error' in shebang) return undefined;
    try {
      return SHARED_CHUNKS.compile(script.slice(shebang.length), '@user_script');
    } catch {
      return undefined;
    }
  };

  // A script recorded by more than one case, or run by an earlier test file in this process, was compiled and made
  // whole before: only the cases that find their script in its first form run it in both.
  let bothForms = 0;

  for (const [topic, cases] of Object.entries(ALL_CASES)) {
    describe(topic, () => {
      for (const c of cases) {
        const loadFirst = n++ % 2 === 1;
        test(c.script, async () => {
          expect(await firstRun(c, loadFirst)).toEqual(c.expect);
          const chunk = chunkOf(c.script);
          if (chunk === undefined || !chunk.isFirstForm) return;
          chunk.makeWhole();
          expect(await evalCase(c)).toEqual(c.expect);
          bothForms++;
        });
      }
    });
  }

  test('most cases ran in both forms', () => {
    const cases = Object.values(ALL_CASES).reduce((n, list) => n + list.length, 0);
    expect(bothForms).toBeGreaterThan(cases * 0.8);
  });
});
