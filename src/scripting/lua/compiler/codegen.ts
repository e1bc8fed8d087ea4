import type * as L from 'luaparse';
import type { ChunkInfo, Site } from '../site.js';
import { RUNTIME_NAMES } from '../runtime.js';
import { Context } from './context.js';
import { functionBody } from './functions.js';
import { LazyFunctions, type Parse } from './lazy.js';
import { LineIndex } from './lines.js';
import { ParenFinder } from './parens.js';

export interface Generated {
  /** The factory's body: takes R (the runtime), S (the state), G (the environment), K (the sites), C (the chunk instance). */
  readonly code: string;
  readonly sites: Site[];
}

/** The id of the main function among a chunk's functions (the others' are their source offsets). */
export const MAIN_ID = -1;

function header(sites: Site[]): string {
  const bound = sites.map((_, i) => `$s${i} = K[${i}]`);
  return `"use strict";\nconst {${RUNTIME_NAMES.join(', ')}} = R;\n` + (bound.length > 0 ? `const ${bound.join(', ')};\n` : '');
}

function context(ast: L.Chunk, source: string, chunk: ChunkInfo, twins: Map<number, string> | null, parse?: Parse): Context {
  const comments = (ast.comments ?? []) as { range?: [number, number] }[];
  const parens = new ParenFinder(source, comments);
  const lines = new LineIndex(source);
  return new Context(chunk, parens, lines, twins, parse === undefined ? null : new LazyFunctions(chunk, parse, parens, lines));
}

/**
 * The JavaScript for a chunk: a factory that binds the runtime's functions
 * and the chunk's sites to constants and returns the chunk's main function
 * (a vararg function, as Lua's main chunks are).
 */
export function generate(ast: L.Chunk, source: string, chunk: ChunkInfo): Generated {
  return generateWith(context(ast, source, chunk, null), ast);
}

/**
 * A chunk's first form (compiler/lazy.ts): the main function as generate()
 * makes it, its nested functions left for their first calls, when `parse`
 * reads each again.
 */
export function generateLazy(ast: L.Chunk, source: string, chunk: ChunkInfo, parse: Parse): Generated & { readonly functions: LazyFunctions } {
  const cx = context(ast, source, chunk, null, parse);
  return { ...generateWith(cx, ast), functions: cx.lazy! };
}

function generateWith(cx: Context, ast: L.Chunk): Generated {
  const main = functionBody(cx, cx.fn, ast.body, MAIN_ID);
  // Parenthesised, so that V8 compiles the main function with the factory rather than pre-parsing its body then and
  // parsing it again at the call that always follows.
  return { code: `${header(cx.sites)}return (function $L(...va) {\n${main}});\n`, sites: cx.sites };
}

/**
 * The JavaScript for a chunk's twins (see twins.ts): a factory taking the
 * same arguments, returning a Map from each function's id to a function
 * that makes its twin from its accessors. Compiled from the source again,
 * only when a coroutine first needs one.
 */
export function generateTwins(ast: L.Chunk, source: string, chunk: ChunkInfo): Generated {
  const twins = new Map<number, string>();
  const cx = context(ast, source, chunk, twins);
  twins.set(MAIN_ID, `(U) => function* (...va) {\n${functionBody(cx, cx.fn, ast.body, MAIN_ID)}}`);
  const entries = [...twins].map(([id, code]) => `[${id}, ${code}]`);
  return { code: `${header(cx.sites)}return new Map([\n${entries.join(',\n')}]);\n`, sites: cx.sites };
}
