import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, expect, test } from 'vitest';
import { withAccessors } from '../../src/core/accessors.js';
import { ensureBuild } from '../helpers/child-sluice.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** Runs `body` in a node with V8's natives syntax and dist/'s withAccessors; its stdout. */
function inV8(body: string): string {
  ensureBuild();
  const code = `
    const { withAccessors } = await import(${JSON.stringify(path.join(ROOT, 'dist/core/accessors.js'))});
    ${body}
    process.exit(0);`;
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', '--input-type=module', '-e', code], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stderr);
  return r.stdout.trim();
}

describe('withAccessors', () => {
  test('adds properties that read and write live state, listed with the others', () => {
    const state = { db: 0 };
    const host = withAccessors({ name: 'host' }, { db: { get: () => state.db, set: (v: number) => (state.db = v) }, log: { get: () => `db ${state.db}` } });
    expect(host.db).toBe(0);
    host.db = 3;
    expect(state.db).toBe(3);
    expect(host.log).toBe('db 3');
    expect(Object.keys(host)).toEqual(['name', 'db', 'log']);
  });

  test("keeps the object in V8's fast mode, where the same getter written in the literal does not", () => {
    const out = inV8(`
      const added = withAccessors({ f() { return 1; } }, { log: { get: () => 'x' } });
      const literal = { f() { return 1; }, get log() { return 'x'; } };
      console.log(JSON.stringify([%HasFastProperties(added), %HasFastProperties(literal)]));`);
    expect(JSON.parse(out)).toEqual([true, false]);
  });

});
