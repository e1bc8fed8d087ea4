/**
 * The user's store of compiled code, shared by Sluice's processes: the
 * compiled scripts (scripting/lua/compile-store.ts) and V8's code cache of
 * Sluice's own bundle (main/load-bundle.ts, which loads it from dist/'s
 * tree of modules before the bundle runs; the bundle has its own copy).
 */
import type fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Its root: SLUICE_SCRIPT_CACHE_DIR when set (empty or "off" turns it
 * off), else `sluice/scripts` under XDG_CACHE_HOME or ~/.cache.
 */
export function defaultStoreRoot(env: NodeJS.ProcessEnv = process.env): string | null {
  const set = env.SLUICE_SCRIPT_CACHE_DIR;
  if (set !== undefined) return set === '' || set === 'off' ? null : path.resolve(set);
  const base = env.XDG_CACHE_HOME !== undefined && env.XDG_CACHE_HOME !== '' ? env.XDG_CACHE_HOME : path.join(os.homedir(), '.cache');
  return path.join(base, 'sluice', 'scripts');
}

/**
 * Whether a directory or file of the store may be used: the store holds
 * code the process runs, so it must be owned by this user and writable by
 * no one else (where the platform has owners).
 */
export function ownedByUser(st: fs.Stats): boolean {
  if (typeof process.getuid !== 'function') return true;
  return st.uid === process.getuid() && (st.mode & 0o022) === 0;
}
