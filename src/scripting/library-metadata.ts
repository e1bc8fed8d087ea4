import { splitInlineArgs } from '../protocol/inline.js';

/** What a library's first line declares, and the code after it. */
export interface LibraryMetadata {
  engine: string;
  name: string;
  /** The code from the shebang's newline on, so that line numbers count the shebang line. */
  code: string;
}

/**
 * Redis's functionExtractLibMetaData: `#!<engine> name=<library>`, its words
 * split as redis-cli would (quotes allowed), `name=` in any case and given
 * once. The error is Redis's, without its ERR.
 */
export function parseLibraryMetadata(payload: string): LibraryMetadata | { error: string } {
  if (!payload.startsWith('#!')) return { error: 'Missing library metadata' };
  const end = payload.indexOf('\n');
  // Redis looks for the newline with strchr, which stops at a NUL byte.
  const nul = payload.indexOf('\0');
  if (end < 0 || (nul >= 0 && nul < end)) return { error: 'Invalid library metadata' };
  const words = splitInlineArgs(Buffer.from(payload.slice(0, end), 'latin1'));
  if (words === null || words.length === 0) return { error: 'Invalid library metadata' };
  const parts = words.map((b) => b.toString('latin1'));
  let name: string | null = null;
  for (const part of parts.slice(1)) {
    if (part.slice(0, 5).toLowerCase() !== 'name=') return { error: `Invalid metadata value given: ${part}` };
    if (name !== null) return { error: 'Invalid metadata value, name argument was given multiple times' };
    name = part.slice(5);
  }
  if (name === null) return { error: 'Library name was not given' };
  return { engine: parts[0].slice(2), name, code: payload.slice(end) };
}

/** Redis's functionsVerifyName, for library and function names alike: letters, digits and underscores, at least one. */
export function validName(name: string): boolean {
  return /^[a-zA-Z0-9_]+$/.test(name);
}
