import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { ensureBuild } from './helpers/child-sluice.js';

/**
 * The package as a user gets it: `npm pack`ed, unpacked into the
 * node_modules of a scratch project outside this checkout, next to its
 * dependencies (linked from this checkout's node_modules, so nothing is
 * downloaded) and to nothing else of ours: no devDependency, no
 * @types/luaparse. What the project can compile and run is what a user can.
 */

const ROOT = path.resolve(import.meta.dirname, '..');

interface Manifest {
  main: string;
  types: string;
  exports: Record<string, string | Record<string, string>>;
  files: string[];
  scripts: Record<string, string>;
  dependencies: Record<string, string>;
  engines: { node: string };
}

let work: string;
let consumer: string;
let installed: string;
let manifest: Manifest;
/** The tarball's files, relative to the package's root. */
let packed: Set<string>;

function run(command: string, args: string[], cwd: string): { status: number | null; out: string } {
  const r = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

/** Links a dependency of the package into the scratch project from this checkout. */
function linkFromCheckout(name: string): void {
  const to = path.join(consumer, 'node_modules', name);
  mkdirSync(path.dirname(to), { recursive: true });
  symlinkSync(realpathSync(path.join(ROOT, 'node_modules', name)), to);
}

beforeAll(() => {
  ensureBuild();
  work = mkdtempSync(path.join(os.tmpdir(), 'sluice-package-'));
  // dist/ is built above; the prepack script would build it again.
  const pack = spawnSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8' });
  if (pack.status !== 0) throw new Error(`npm pack failed: ${pack.stderr}`);
  const [info] = JSON.parse(pack.stdout) as { filename: string; files: { path: string }[] }[];
  packed = new Set(info.files.map((f) => f.path));

  consumer = path.join(work, 'consumer');
  mkdirSync(path.join(consumer, 'node_modules'), { recursive: true });
  const untar = run('tar', ['-xzf', path.join(work, info.filename), '-C', work], work);
  if (untar.status !== 0) throw new Error(`tar failed: ${untar.out}`);
  installed = path.join(consumer, 'node_modules', 'sluice');
  renameSync(path.join(work, 'package'), installed);
  manifest = JSON.parse(readFileSync(path.join(installed, 'package.json'), 'utf8')) as Manifest;
  for (const dep of Object.keys(manifest.dependencies)) linkFromCheckout(dep);
  // A TypeScript user's own devDependency: the declarations use Node's types.
  linkFromCheckout('@types/node');

  writeFileSync(path.join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module' }));
  writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, skipLibCheck: false, noEmit: true, types: ['node'],
    },
    files: ['embed.ts', 'internal.ts'],
  }));
  writeFileSync(path.join(consumer, 'embed.ts'), [
    "import { startServer, type RunningServer, type StartOptions } from 'sluice';",
    '',
    "const options: StartOptions = { port: 0, bind: '127.0.0.1', config: { hz: 50, appendonly: false }, logLevel: 'warning', logTo: process.stderr };",
    'const running: RunningServer = await startServer(options);',
    'const port: number = running.port;',
    'console.log(port);',
    'await running.close();',
    '',
  ].join('\n'));
  writeFileSync(path.join(consumer, 'internal.ts'), "import { Server } from 'sluice/dist/server/server.js';\n\nconsole.log(Server);\n");
}, 120_000);

afterAll(() => {
  if (work !== undefined) rmSync(work, { recursive: true, force: true });
});

describe('the packed package', () => {
  test('exports only the embedding API; main and types name the same files, which it ships', () => {
    expect(manifest.exports).toEqual({
      '.': { types: './dist/index.d.ts', default: './dist/index.js' },
      './package.json': './package.json',
    });
    expect(`./${manifest.main}`).toBe('./dist/index.js');
    expect(`./${manifest.types}`).toBe('./dist/index.d.ts');
    for (const file of ['dist/index.js', 'dist/index.d.ts', 'dist/cli.js', 'README.md', 'LICENSE']) expect(packed.has(file), file).toBe(true);
  });

  test('runs no script when installed, and names the Node major CI tests', () => {
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare']) expect(manifest.scripts[hook], hook).toBeUndefined();
    expect(manifest.engines).toEqual({ node: '>=20 <21' });
  });

  test("its declarations import only Node's modules, their own files and the package's dependencies", () => {
    const foreign: string[] = [];
    for (const file of packed) {
      if (!file.endsWith('.d.ts')) continue;
      const text = readFileSync(path.join(installed, file), 'utf8');
      for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*\(?\s*['"]([^'"]+)['"]|<reference\s+types=['"]([^'"]+)['"]/g)) {
        const spec = m[1] ?? m[2];
        if (spec.startsWith('.') || spec.startsWith('node:')) continue;
        const name = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
        if (!(name in manifest.dependencies)) foreign.push(`${file}: ${spec}`);
      }
    }
    expect(foreign).toEqual([]);
  });

  test('a strict TypeScript project with skipLibCheck off compiles a call of startServer; an internal path does not resolve', () => {
    // As in a user's project: the Lua parser's types are a devDependency of Sluice's, not installed with it.
    expect(() => createRequire(path.join(consumer, 'embed.ts')).resolve('@types/luaparse/package.json')).toThrow();
    const tsc = run(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', consumer], consumer);
    // The one error: the exports map hides the module from TypeScript too.
    expect(tsc.out.trim()).toBe(
      "internal.ts(1,24): error TS2307: Cannot find module 'sluice/dist/server/server.js' or its corresponding type declarations.",
    );
  });

  test('starts a server from the installed package; node refuses an internal path', () => {
    writeFileSync(path.join(consumer, 'run.mjs'), `
      import net from 'node:net';
      import { createRequire } from 'node:module';
      import { startServer } from 'sluice';
      const running = await startServer({ port: 0, bind: '127.0.0.1' });
      const reply = await new Promise((resolve, reject) => {
        const s = net.connect(running.port, '127.0.0.1', () => s.write('PING\\r\\n'));
        s.once('data', (d) => { resolve(d.toString()); s.destroy(); });
        s.on('error', reject);
      });
      await running.close();
      let internal = 'loaded';
      try { await import('sluice/dist/server/server.js'); } catch (e) { internal = e.code; }
      const { version } = createRequire(import.meta.url)('sluice/package.json');
      console.log(JSON.stringify({ reply, internal, version }));
    `);
    const r = run(process.execPath, ['run.mjs'], consumer);
    expect(r.status, r.out).toBe(0);
    expect(JSON.parse(r.out)).toEqual({
      reply: '+PONG\r\n', internal: 'ERR_PACKAGE_PATH_NOT_EXPORTED', version: JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')).version,
    });
  });

  test('the documentation --help names is in the package, as are the docs the README links', () => {
    const help = run(process.execPath, [path.join(installed, 'dist/cli.js'), '--help'], consumer);
    expect(help.status).toBe(0);
    const named = help.out.split('\n').map((l) => l.trim()).filter((l) => l.endsWith('.md'));
    expect(named).toEqual([path.join(realpathSync(installed), 'docs/configuration.md')]);
    expect(existsSync(named[0])).toBe(true);
    const readme = readFileSync(path.join(installed, 'README.md'), 'utf8');
    const linked = new Set(readme.match(/docs\/[\w-]+\.md/g));
    expect(linked.size).toBeGreaterThan(0);
    for (const doc of linked) expect(packed.has(doc), doc).toBe(true);
  });
});
