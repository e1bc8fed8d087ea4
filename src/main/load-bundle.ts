/**
 * Loads Sluice's bundle (dist/bundle/sluice.cjs, made by
 * scripts/bundle.mjs) with V8's code cache for it: the bytecode of every
 * function the last process compiled, so that a fresh process neither
 * parses the bundle nor compiles, one function at a time as they are first
 * called, the code a server runs for its first commands (its first EVAL
 * included: the Lua compiler is code like any other). V8 checks that a
 * cache matches the source, its own version and its flags, and compiles
 * from source when it does not.
 *
 * The cache is kept with the user's script store (SLUICE_SCRIPT_CACHE_DIR,
 * else sluice/scripts under XDG_CACHE_HOME or ~/.cache; "off" turns both
 * off), one file per bundle, Node and set of node flags. Like the store, it
 * holds code the process runs, so only a directory and a file this user
 * owns and no one else can write are used; anything else is ignored. It is
 * written when the process exits if it was not read and the process served
 * a command (a cache taken from `--version` would hold only start-up's
 * code). Until it exists, the process uses the cache the build made
 * beside the bundle (dist/bundle/sluice.v8, from a warm-up run by
 * scripts/warm-bundle.mjs), which V8 takes where Node is the build's.
 *
 * dist/cli.js and dist/index.js import this module from tsc's tree, before
 * any of the bundle runs; it imports nothing of Sluice but core/user-store.
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import Module from 'node:module';
import path from 'node:path';
import vm from 'node:vm';
import { fileURLToPath } from 'node:url';
import { defaultStoreRoot, ownedByUser } from '../core/user-store.js';

/** What the bundle exports (src/bundle-entry.ts), as far as this loader reads it. */
interface Bundle {
  commandsServed(): number;
  [CODE_CACHE]?: CodeCacheState;
}

/**
 * Where the bundle's code came from, under this symbol on what the loader
 * returns (the tests read it): compiled from V8's cache in the user's store
 * ("accepted") or from the one the build shipped ("shipped"), or from
 * source: with a cache V8 refused ("rejected"), with none found ("none"),
 * or with the store turned off and no shipped cache ("off").
 */
type CodeCacheState = 'accepted' | 'shipped' | 'rejected' | 'none' | 'off';
const CODE_CACHE = Symbol.for('sluice.codeCache');

const BUNDLE = fileURLToPath(new URL('../bundle/sluice.cjs', import.meta.url));
const SHIPPED = fileURLToPath(new URL('../bundle/sluice.v8', import.meta.url));
/** Another bundle's cache, unused this long, is removed when a cache is written. */
const OLD_CACHE_MS = 7 * 24 * 3600 * 1000;
const NAME = /^code-[0-9a-f]{16}\.v8$/;

/** The user's cache in `file`, when it and its directory are the user's own (as the script store reads its files). */
function readCache(file: string): Buffer | undefined {
  try {
    if (!ownedByUser(fs.statSync(path.dirname(file)))) return undefined;
    const fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NOFOLLOW ?? 0));
    try {
      const st = fs.fstatSync(fd);
      return st.isFile() && ownedByUser(st) ? fs.readFileSync(fd) : undefined;
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return undefined;
  }
}

/** Writes through a temporary file renamed into place, so that a reader sees a whole cache or none; then sweeps other bundles' old caches. */
function writeCache(file: string, data: Buffer): void {
  const dir = path.dirname(file);
  try {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    if (!ownedByUser(fs.statSync(dir))) return;
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, data, { mode: 0o600 });
    fs.renameSync(tmp, file);
    for (const name of fs.readdirSync(dir)) {
      const other = path.join(dir, name);
      if (NAME.test(name) && other !== file && Date.now() - fs.statSync(other).mtimeMs > OLD_CACHE_MS) fs.rmSync(other, { force: true });
    }
  } catch {
    // The cache is an optimisation: a disk that refuses it changes nothing else.
  }
}

/** The build's cache (scripts/warm-bundle.mjs), shipped beside the bundle; undefined when there is none. */
function readShipped(): Buffer | undefined {
  try {
    return fs.readFileSync(SHIPPED);
  } catch {
    return undefined;
  }
}

let script: vm.Script;

function load(): Bundle {
  // Hashed as bytes (a string would be encoded again first), then decoded as UTF-8 (the bundle is ASCII) to get a
  // string on V8's heap: a large latin1 decode is an external string, from which V8 compiled the functions first
  // called later noticeably slower.
  const bytes = fs.readFileSync(BUNDLE);
  const root = defaultStoreRoot();
  const key = createHash('sha1').update(`${process.version} ${process.arch} ${process.execArgv.join(' ')}\0`).update(bytes).digest('hex').slice(0, 16);
  const source = bytes.toString('utf8');
  const userFile = root === null ? null : path.join(root, `code-${key}.v8`);
  const userCache = userFile === null ? undefined : readCache(userFile);
  const cached = userCache ?? readShipped();
  // No importModuleDynamically: the bundle has no import() (scripts/bundle.mjs checks).
  script = new vm.Script(Module.wrap(source), { filename: BUNDLE, cachedData: cached });
  const run = script.runInThisContext() as (exports: object, require: NodeJS.Require, module: object, filename: string, dirname: string) => void;
  const mod = { exports: {} as Bundle };
  run.call(mod.exports, mod.exports, Module.createRequire(BUNDLE), mod, BUNDLE, path.dirname(BUNDLE));
  const bundle = mod.exports;
  let state: CodeCacheState;
  if (cached === undefined) state = userFile === null ? 'off' : 'none';
  else if (script.cachedDataRejected === true) state = 'rejected';
  else state = userCache !== undefined ? 'accepted' : 'shipped';
  Object.defineProperty(bundle, CODE_CACHE, { value: state });
  if (userFile === null) return bundle;
  // A cache in use is marked so (its time of change), which keeps another bundle's sweep off it.
  if (state === 'accepted') fs.utimes(userFile, new Date(), new Date(), () => {});
  // Else this process's own compiled code is kept for the next: it holds what this user's servers run.
  else {
    process.once('exit', () => {
      if (bundle.commandsServed() > 0) writeCache(userFile, script.createCachedData());
    });
  }
  return bundle;
}

/** Writes V8's cache of the bundle as compiled so far to `file`: the build's warm-up (scripts/warm-bundle.mjs) makes the shipped cache with it. */
export function saveCodeCache(file: string): void {
  fs.writeFileSync(file, script.createCachedData());
}

/** Sluice, as src/bundle-entry.ts exports it. */
export const sluice = load();
