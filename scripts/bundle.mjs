// The build's second step, after tsc: the two entry points (the sluice-server
// executable and the embedding API) and everything of Sluice they import
// are bundled into dist/bundle/, and dist/cli.js and dist/index.js become
// one-line doors into it. Node's ES module loader spends about a millisecond
// per module on resolving, reading and linking; Sluice is some five hundred
// small modules, so a process started on the tree of files paid that half a
// second before it could serve (docs/benchmarks.md, the start-up section).
// The packages Sluice depends on stay outside, loaded from node_modules.
//
// tsc's tree of files stays in dist/ beside the bundle: the type
// declarations, the worker threads' own entry points and the console's page
// are loaded from there.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { rolldown } from 'rolldown';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const DIST = path.join(ROOT, 'dist');
const OUT = path.join(DIST, 'bundle');
/** What the doors say; a door found in place of tsc's output means tsc did not run first. */
const DOOR = '// Sluice is bundled in bundle/ (scripts/bundle.mjs).\n';

const entries = {
  // The executable's code is in main/cli.js; tsc's dist/cli.js only imports it.
  cli: path.join(DIST, 'main/cli.js'),
  index: path.join(DIST, 'index.js'),
};
if (fs.readFileSync(entries.index, 'utf8').startsWith(DOOR)) {
  throw new Error('dist/index.js is already a door into the bundle: run tsc first (npm run build)');
}

fs.rmSync(OUT, { recursive: true, force: true });
const bundle = await rolldown({
  input: entries,
  platform: 'node',
  // Bare specifiers are node: built-ins and the dependencies in package.json.
  external: [/^[^./]/],
});
const { output } = await bundle.write({ dir: OUT, format: 'esm', entryFileNames: '[name].js', chunkFileNames: 'sluice.js', sourcemap: true, comments: false, charset: 'ascii' });
await bundle.close();
const chunks = output.filter((o) => o.type === 'chunk').map((o) => o.fileName);
if (chunks.sort().join(' ') !== 'cli.js index.js sluice.js') {
  throw new Error(`the bundle was expected as cli.js, index.js and the shared sluice.js; it is ${chunks.join(', ')}`);
}

fs.writeFileSync(path.join(DIST, 'cli.js'), `#!/usr/bin/env node\n${DOOR}import './bundle/cli.js';\n`);
fs.writeFileSync(path.join(DIST, 'index.js'), `${DOOR}export * from './bundle/index.js';\n`);
for (const door of ['cli.js.map', 'index.js.map']) fs.rmSync(path.join(DIST, door), { force: true });
