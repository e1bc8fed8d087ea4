import luaparse, { type Chunk, type Node } from 'luaparse';
import { LuaSyntaxError } from './errors.js';
import { stringToNumber } from './string-to-number.js';
import { luaSyntaxMessage } from './syntax-errors.js';

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

/**
 * Literal values as Lua 5.1's lexer makes them, where luaparse's differ: a
 * long string's line breaks (\r\n, \n\r, \r) are each one '\n', and
 * numerals are read by strtod as Lua reads them.
 */
function lua51Literal(node: Node): void {
  if (node.type === 'StringLiteral' && node.raw.startsWith('[')) {
    node.value = node.value.replace(/\r\n|\n\r|\r|\n/g, '\n');
  } else if (node.type === 'NumericLiteral') {
    node.value = stringToNumber(node.raw) ?? node.value;
  }
}

/** Parses Lua 5.1 source with luaparse; syntax errors are reworded as Lua's. */
export function parseLua(source: string, short: string): Chunk {
  let ast: Chunk;
  try {
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
  }
  // Errors luaparse does not make: Lua's lexer's (a numeral running into letters), nesting past Lua's limit.
  const late = luaSyntaxMessage(source, null);
  if (late !== null) throw new LuaSyntaxError(`${short}:${late.line}: ${late.message}`);
  return ast;
}
