import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * The suite's servers keep compiled scripts (compile-store.ts) in a store
 * of the run's own, shared by its worker processes, rather than in the
 * user's cache.
 */
export default function setup(): () => void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sluice-test-scripts-'));
  process.env.SLUICE_SCRIPT_CACHE_DIR = dir;
  return () => fs.rmSync(dir, { recursive: true, force: true });
}
