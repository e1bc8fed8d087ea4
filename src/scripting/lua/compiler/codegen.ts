import type * as L from 'luaparse';
import type { ChunkInfo, Site } from '../site.js';
import { RUNTIME_NAMES } from '../runtime.js';
import { Context } from './context.js';
import { functionBody } from './functions.js';
import { ParenFinder } from './parens.js';

export interface Generated {
  /** The factory's body: takes R (the runtime), S (the state), G (the environment), K (the sites). */
  readonly code: string;
  readonly sites: Site[];
}

/**
 * The JavaScript for a chunk: a factory that binds the runtime's functions
 * and the chunk's sites to constants and returns the chunk's main function
 * (a vararg function, as Lua's main chunks are).
 */
export function generate(ast: L.Chunk, source: string, chunk: ChunkInfo): Generated {
  const comments = (ast.comments ?? []) as { range?: [number, number] }[];
  const cx = new Context(chunk, new ParenFinder(source, comments));
  const main = functionBody(cx, cx.fn, ast.body);
  const sites = cx.sites.map((_, i) => `$s${i} = K[${i}]`);
  const code =
    `"use strict";\nconst {${RUNTIME_NAMES.join(', ')}} = R;\n` +
    (sites.length > 0 ? `const ${sites.join(', ')};\n` : '') +
    `return function (...va) {\n${main}};\n`;
  return { code, sites: cx.sites };
}
