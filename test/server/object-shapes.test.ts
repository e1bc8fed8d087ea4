import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { expect, test } from 'vitest';
import { ensureBuild } from '../helpers/child-sluice.js';

const ROOT = path.resolve(import.meta.dirname, '../..');

/**
 * Objects in V8's dictionary mode answer every property read with a hash
 * lookup and have none of their methods inlined; on the paths every command
 * takes that cost the pipelined rates several percent (docs/design/runtime.md).
 * Only other packages' objects may be in that mode: pino's logger, and the
 * listener table Node's EventEmitter keeps as a dictionary by design.
 */
test('no object of a serving Sluice is in dictionary mode, besides the logger and Node event tables', () => {
  ensureBuild();
  const probe = path.join(ROOT, 'test/helpers/dictionary-probe.mjs');
  const r = spawnSync(process.execPath, ['--allow-natives-syntax', probe, path.join(ROOT, 'dist/index.js')], { encoding: 'utf8', timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  const { objects, slow } = JSON.parse(r.stdout) as { objects: number; slow: string[] };
  expect(objects).toBeGreaterThan(1000);
  expect(slow.filter((p) => !/\.log(\.|$)/.test(p) && !/\._events$/.test(p))).toEqual([]);
});
