import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, test } from 'vitest';

/**
 * The layering rule of docs/architecture.md: a module may import from its
 * own layer or a lower one, never from a higher one. Layers are matched by
 * the longest prefix, so store/keyspace (with store/compact, the encodings
 * its dictionary shares with the collections) is its own layer below core
 * while the rest of store sits above it.
 */
const LAYERS: [prefix: string, rank: number][] = [
  ['protocol/', 0],
  ['store/keyspace/', 1],
  ['store/compact/', 1],
  ['core/', 2],
  ['store/', 3],
  ['queues/', 4],
  ['broker/', 5],
  ['scripting/', 6],
  ['persistence/', 7],
  ['server/', 8],
  ['', 9],
];

const SRC = path.resolve(import.meta.dirname, '../../src');

function layerOf(file: string): { prefix: string; rank: number } {
  const rel = path.relative(SRC, file).split(path.sep).join('/');
  let best: [string, number] = ['', 9];
  for (const [prefix, rank] of LAYERS) {
    if (rel.startsWith(prefix) && prefix.length >= best[0].length) best = [prefix, rank];
  }
  return { prefix: best[0] === '' ? '(root)' : best[0], rank: best[1] };
}

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...sourceFiles(p));
    else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

/** Relative module specifiers of static imports, re-exports and dynamic imports. */
export function relativeImports(text: string): string[] {
  const specs: string[] = [];
  const re = /(?:\bfrom\s+|\bimport\s*\(\s*|\bimport\s+)(['"])(\.{1,2}\/[^'"]+)\1/g;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) specs.push(m[2]);
  return specs;
}

/** Every import that points up a layer, as "from → to". */
export function violations(files: string[], read: (file: string) => string): string[] {
  const found: string[] = [];
  for (const file of files) {
    const from = layerOf(file);
    for (const spec of relativeImports(read(file))) {
      const target = path.resolve(path.dirname(file), spec).replace(/\.js$/, '.ts');
      const to = layerOf(target);
      if (to.rank > from.rank) {
        found.push(`${path.relative(SRC, file)} (${from.prefix}) imports ${path.relative(SRC, target)} (${to.prefix})`);
      }
    }
  }
  return found;
}

describe('layers point one way', () => {
  test('no module imports from a layer above its own', () => {
    expect(violations(sourceFiles(SRC), (f) => readFileSync(f, 'utf8'))).toEqual([]);
  });

  test('the check sees an upward import, type-only and dynamic ones included', () => {
    const files = [path.join(SRC, 'store/string/x.ts'), path.join(SRC, 'core/y.ts'), path.join(SRC, 'protocol/z.ts')];
    const text: Record<string, string> = {
      [files[0]]: "import type { Client } from '../../server/client.js';",
      [files[1]]: "const m = await import('../broker/broker.js');",
      [files[2]]: "export { x } from '../core/x.js';\nimport { y } from './y.js';",
    };
    expect(violations(files, (f) => text[f])).toEqual([
      'store/string/x.ts (store/) imports server/client.ts (server/)',
      'core/y.ts (core/) imports broker/broker.ts (broker/)',
      'protocol/z.ts (protocol/) imports core/x.ts (core/)',
    ]);
  });

  test('a module may import its own layer and the layers below', () => {
    const file = path.join(SRC, 'queues/q.ts');
    const text = "import { a } from '../core/a.js';\nimport { b } from '../store/keyspace/b.js';\nimport { c } from './c.js';\nimport { d } from '../store/string/d.js';";
    expect(violations([file], () => text)).toEqual([]);
  });
});
