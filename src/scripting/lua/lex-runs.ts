/*
 * What both of Sluice's Lua lexers share: the quick parser's (parser/tokens.ts)
 * and Lua's own, which words syntax errors (compiler/lexer.ts). Runs of
 * characters are skipped with sticky regular expressions: a script's first
 * compile lexes before V8 has compiled any lexer loop, and a native scan of
 * a comment, a name or a string's plain characters is far cheaper than the
 * same loop interpreted.
 */
export const LINE_REST = /[^\n\r]*/y;
export const ALNUM_RUN = /[A-Za-z0-9_]*/y;
export const DOUBLE_QUOTED_RUN = /[^"\\\r\n]*/y;
export const SINGLE_QUOTED_RUN = /[^'\\\r\n]*/y;

/** Lua's line breaks, each one line: \r\n, \n\r, \r, \n (for replace, which starts a global expression afresh). */
export const LINE_BREAKS = /\r\n|\n\r|\r|\n/g;

/** The index after the run of `run` starting at `i`. */
export function skip(run: RegExp, src: string, i: number): number {
  run.lastIndex = i;
  run.test(src);
  return run.lastIndex;
}

export const isDigit = (c: number): boolean => c >= 48 && c <= 57;
