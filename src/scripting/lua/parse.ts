import luaparse, { type Chunk, type Node } from 'luaparse';
import { LuaSyntaxError } from './errors.js';
import { stringToNumber } from './string-to-number.js';
import { numeralEnd } from './compiler/lexer.js';
import { luaSyntaxMessage, withinSyntaxLevels } from './syntax-errors.js';
import { LINE_BREAKS } from './lex-runs.js';
import { MAX_TOKENS, parseQuickly } from './parser/parser.js';

const OPTIONS = {
  luaVersion: '5.1',
  // Source is a byte string; string literals come out as byte strings too.
  encodingMode: 'pseudo-latin1',
  // Lines come from the ranges when a site needs one (compiler/lines.ts).
  locations: false,
  ranges: true,
  comments: true,
  scope: false,
  onCreateNode: lua51Literal,
} as const;

/** The source being parsed, and whether Lua's lexer reads each of its numerals as luaparse did (a valid number ending where luaparse's does). */
let parsing = '';
let numeralsAsLua = true;

/**
 * Literal values as Lua 5.1's lexer makes them, where luaparse's differ: a
 * long string's line breaks (\r\n, \n\r, \r) are each one '\n', and
 * numerals are read by strtod as Lua reads them.
 */
function lua51Literal(node: Node): void {
  if (node.type === 'StringLiteral' && node.raw.startsWith('[')) {
    node.value = node.value.replace(LINE_BREAKS, '\n');
  } else if (node.type === 'NumericLiteral') {
    const value = stringToNumber(node.raw);
    if (value !== undefined) node.value = value;
    const range = (node as { range?: [number, number] }).range;
    if (value === undefined || range === undefined || numeralEnd(parsing, range[0]) !== range[1]) numeralsAsLua = false;
  }
}

/**
 * Parses Lua 5.1 source: with the quick parser where it takes the chunk,
 * else with luaparse, whose syntax errors are reworded as Lua's. luaparse
 * only meets chunks the quick parser lexed within its most tokens up to
 * their first error, so neither builds a tree the heap cannot hold.
 */
export function parseLua(source: string, short: string, maxTokens = MAX_TOKENS): Chunk {
  return parseNoting(source, short, maxTokens).ast;
}

/**
 * parseLua's tree, and whether the quick parser made it: a chunk's first
 * form parses each function again alone (compiler/lazy.ts), which only the
 * quick parser does.
 */
export function parseNoting(source: string, short: string, maxTokens = MAX_TOKENS): { ast: Chunk; quick: boolean } {
  const quick = parseQuickly(source, maxTokens);
  if (quick === null) return { ast: parseWithLuaparse(source, short), quick: false };
  if (quick.chunk !== undefined) return { ast: quick.chunk, quick: true };
  throw new LuaSyntaxError(`${short}:${quick.line}: ${quick.message}`);
}

/** Parses with luaparse, with Lua's lexical and nesting checks it does not make; syntax errors are reworded as Lua's. */
export function parseWithLuaparse(source: string, short: string): Chunk {
  let ast: Chunk;
  parsing = source;
  numeralsAsLua = true;
  try {
    // luaparse reads its previous parse's last token when the first one fails to lex (none in a process's first
    // parse: a TypeError): an empty parse leaves it one at the start of input, where that error is.
    luaparse.parse('', OPTIONS as unknown as luaparse.Options);
    ast = luaparse.parse(source, OPTIONS as unknown as luaparse.Options);
  } catch (e) {
    if (e instanceof SyntaxError && typeof (e as { line?: unknown }).line === 'number') {
      const { line, message } = luaSyntaxMessage(source, e as SyntaxError & { line: number; index: number });
      throw new LuaSyntaxError(`${short}:${line}: ${message}`);
    }
    if (e instanceof RangeError) {
      // luaparse ran out of stack: nesting far past Lua's own limit.
      const late = luaSyntaxMessage(source, null);
      throw new LuaSyntaxError(`${short}:${late?.line ?? 1}: ${late?.message ?? 'chunk has too many syntax levels'}`);
    }
    throw e;
  } finally {
    parsing = '';
  }
  // Errors luaparse does not make: Lua's lexer's (a numeral running into letters; luaparse refuses every other
  // lexical error Lua's lexer makes), nesting past Lua's limit. The source is lexed again for them only where its
  // numerals or its tree leave room for one: a script is compiled on its first call, which waits for all of this.
  if (numeralsAsLua && withinSyntaxLevels(ast, source)) return ast;
  const late = luaSyntaxMessage(source, null);
  if (late !== null) throw new LuaSyntaxError(`${short}:${late.line}: ${late.message}`);
  return ast;
}
