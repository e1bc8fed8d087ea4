// The build's second step, after tsc: Sluice's code (src/bundle-entry.ts:
// the embedding API and the executable's main) is bundled into one script,
// dist/bundle/sluice.cjs, and dist/cli.js and dist/index.js become doors
// that load it through dist/main/load-bundle.js, which gives V8 its code
// cache (src/main/load-bundle.ts); a warm-up then makes the cache shipped
// beside the bundle (scripts/warm-bundle.mjs). Node's ES module loader
// spends about a millisecond a module resolving, reading and linking, and
// Sluice is some five hundred small modules; one script is also what V8's
// code cache covers. The packages Sluice needs at start (pino, redis-parser,
// luaparse) are bundled too, so that the cache covers them: from
// node_modules each would be compiled from source at every start.
// prom-client, loaded only for the metrics endpoint, stays outside.
//
// tsc's tree of files stays in dist/ beside the bundle: the type
// declarations, the worker threads' own entry points and the console's
// page are loaded from there.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const OUT = path.join(DIST, 'bundle');
const LOADER = './main/load-bundle.js';
/** Dependencies loaded from node_modules rather than bundled: prom-client is loaded only for the metrics endpoint. */
const OUTSIDE = ['prom-client'];

const DOOR = "// Sluice's code is in bundle/sluice.cjs (scripts/bundle.mjs).\n";
if (fs.readFileSync(path.join(DIST, 'index.js'), 'utf8').startsWith(DOOR)) {
  throw new Error('dist/index.js is already a door into the bundle: run tsc first (npm run build)');
}

fs.rmSync(OUT, { recursive: true, force: true });
const bundle = await rolldown({
  input: { sluice: path.join(DIST, 'bundle-entry.js') },
  platform: 'node',
  // Node's built-ins stay outside, and prom-client; every other package is inlined with what it requires.
  external: (id) => id.startsWith('node:') || builtinModules.includes(id) || OUTSIDE.some((name) => id === name || id.startsWith(`${name}/`)),
});
const { output } = await bundle.write({
  dir: OUT,
  format: 'cjs',
  entryFileNames: '[name].cjs',
  sourcemap: true,
  // Comments are in the sources the map points to; ASCII only, so that the string V8 compiles holds a byte a character.
  comments: false,
  charset: 'ascii',
  // The loader runs the bundle as a script given no importModuleDynamically: with one, V8 ran the bundle's code markedly slower until it was optimised.
  dynamicImportInCjs: false,
});
await bundle.close();
const chunks = output.filter((o) => o.type === 'chunk');
if (chunks.length !== 1) throw new Error(`the bundle was expected as one script; it is ${chunks.map((c) => c.fileName).join(', ')}`);
if (/\bimport\(/.test(chunks[0].code)) throw new Error('the bundle has an import() left, which its loader cannot run');

// The embedding API's names, as src/index.ts exports them (the rest is the loader's and the executable's).
const api = chunks[0].exports.filter((name) => name !== 'runCli' && name !== 'commandsServed');
const door = (body) => `${DOOR}import { sluice } from '${LOADER}';\n\n${body}`;
fs.writeFileSync(path.join(DIST, 'cli.js'), `#!/usr/bin/env node\n${door('sluice.runCli(process.argv.slice(2));\n')}`);
fs.writeFileSync(path.join(DIST, 'index.js'), door(`export const { ${api.join(', ')} } = sluice;\n`));
for (const map of ['cli.js.map', 'index.js.map']) fs.rmSync(path.join(DIST, map), { force: true });

// V8's code cache of the bundle, from a warm-up in a fresh node with no flags (scripts/warm-bundle.mjs).
const warm = spawnSync(process.execPath, [path.join(ROOT, 'scripts/warm-bundle.mjs')], { stdio: 'inherit', env: { ...process.env, NODE_OPTIONS: '', SLUICE_SCRIPT_CACHE_DIR: 'off' } });
if (warm.status !== 0) throw new Error('the warm-up that makes the bundle\'s code cache failed');
