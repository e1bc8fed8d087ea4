import { ALNUM_RUN, DOUBLE_QUOTED_RUN, isDigit, LINE_REST, SINGLE_QUOTED_RUN, skip } from '../lex-runs.js';

/**
 * Lua 5.1's lexer (llex.c), used only to word syntax errors as Lua does:
 * luaparse finds the error, this tells which token Lua would stand on, how
 * Lua shows it ("near '...'"), and the lexical errors luaparse does not make
 * or words differently (a numeral runs on through letters: "malformed
 * number near '1x'"). Tokens stop at the first lexical error.
 */
export interface Token {
  /** name, number, string, keyword, symbol or eof. */
  readonly type: string;
  /** The token as Lua's messages show it (txtToken / luaX_token2str). */
  readonly text: string;
  readonly line: number;
  readonly start: number;
}

export interface LexError {
  /** Index in `tokens` of the token the error is reported at. */
  readonly tokenIndex: number;
  readonly line: number;
  readonly message: string;
}

const KEYWORDS = new Set(
  'and break do else elseif end false for function if in local nil not or repeat return then true until while'.split(' '),
);

const isAlpha = (c: number) => (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;

/* Runs of its own; the others are shared with the quick parser's lexer (lex-runs.ts). */
const BLANK_RUN = /[ \t\v\f]*/y;
const LONG_STRING_RUN = /[^\]\r\n]*/y;

/**
 * luaX_lexerror's " near '…'": the token's text as a C string, so cut at
 * its first NUL; a NUL character read as a token of its own is token 0,
 * which Lua reports with no "near" at all.
 */
export function nearText(text: string): string {
  if (text === NUL_TOKEN) return '';
  const nul = text.indexOf('\0');
  return ` near '${nul === -1 ? text : text.slice(0, nul)}'`;
}

/** The text of a token that is one NUL character (see nearText). */
const NUL_TOKEN = 'char(0)';

export function lexLua(src: string, validNumber: (text: string) => boolean): { tokens: Token[]; error: LexError | null } {
  const tokens: Token[] = [];
  let i = 0;
  let line = 1;
  const n = src.length;
  const fail = (message: string, near: string) => ({
    tokens,
    error: { tokenIndex: tokens.length, line, message: `${message}${nearText(near)}` },
  });
  const newline = () => {
    const c = src.charCodeAt(i);
    i++;
    const d = src.charCodeAt(i);
    if ((d === 10 || d === 13) && d !== c) i++;
    line++;
  };
  /** The level of a long bracket at i ('[' then '='s then '['), or -1 (and the count of '='s, negated minus 2). */
  const longBracket = (): number => {
    let j = i + 1;
    while (src.charCodeAt(j) === 61) j++;
    return src.charCodeAt(j) === src.charCodeAt(i) ? j - i - 1 : -(j - i - 1) - 2;
  };
  /** Reads a long string/comment from i; returns its text or null at end of input. */
  const longString = (level: number): string | null => {
    const start = i;
    i += level + 2;
    if (src.charCodeAt(i) === 10 || src.charCodeAt(i) === 13) newline();
    while (i < n) {
      i = skip(LONG_STRING_RUN, src, i);
      if (i >= n) break;
      const c = src.charCodeAt(i);
      if (c === 93 && longBracket() === level) {
        i += level + 2;
        return src.slice(start, i);
      }
      if (c === 10 || c === 13) newline();
      else i++;
    }
    return null;
  };

  while (true) {
    if (i >= n) {
      tokens.push({ type: 'eof', text: '<eof>', line, start: n });
      return { tokens, error: null };
    }
    const c = src.charCodeAt(i);
    if (c === 10 || c === 13) {
      newline();
      continue;
    }
    if (c === 32 || c === 9 || c === 11 || c === 12) {
      i = skip(BLANK_RUN, src, i);
      continue;
    }
    const start = i;
    if (c === 45 && src.charCodeAt(i + 1) === 45) {
      i += 2;
      if (src.charCodeAt(i) === 91) {
        const level = longBracket();
        if (level >= 0) {
          if (longString(level) === null) return fail('unfinished long comment', '<eof>');
          continue;
        }
      }
      i = skip(LINE_REST, src, i);
      continue;
    }
    if (c === 91) {
      const level = longBracket();
      if (level >= 0) {
        const text = longString(level);
        if (text === null) return fail('unfinished long string', '<eof>');
        tokens.push({ type: 'string', text, line, start });
        continue;
      }
      if (level !== -2) return fail('invalid long string delimiter', '[=');
      i++;
      tokens.push({ type: 'symbol', text: '[', line, start });
      continue;
    }
    if (c === 34 || c === 39) {
      const r = readString(src, i, c);
      if (r.error !== null) {
        line += r.lines;
        return fail(r.error, r.near);
      }
      tokens.push({ type: 'string', text: r.text, line, start });
      line += r.lines;
      i = r.end;
      continue;
    }
    if (isDigit(c) || (c === 46 && isDigit(src.charCodeAt(i + 1)))) {
      i = numeralEnd(src, i);
      const text = src.slice(start, i);
      if (!validNumber(text)) return fail('malformed number', text);
      tokens.push({ type: 'number', text, line, start });
      continue;
    }
    if (isAlpha(c)) {
      i = skip(ALNUM_RUN, src, i);
      const text = src.slice(start, i);
      tokens.push({ type: KEYWORDS.has(text) ? 'keyword' : 'name', text, line, start });
      continue;
    }
    // By character codes, not slices: every script compiled is lexed here a second time.
    const d = src.charCodeAt(i + 1);
    let length = 1;
    if (c === 46 && d === 46) length = src.charCodeAt(i + 2) === 46 ? 3 : 2;
    else if (d === 61 && (c === 61 || c === 62 || c === 60 || c === 126)) length = 2;
    const text = length > 1 ? src.slice(i, i + length) : c < 32 || c === 127 ? `char(${c})` : src[i];
    i += length;
    tokens.push({ type: 'symbol', text, line, start });
  }
}

/** read_numeral: where the numeral starting at `i` ends (digits and dots, an exponent's sign, then letters, digits and '_' whatever they make). */
export function numeralEnd(src: string, i: number): number {
  while (isDigit(src.charCodeAt(i)) || src.charCodeAt(i) === 46) i++;
  if ((src.charCodeAt(i) | 0x20) === 101) {
    i++;
    if (src.charCodeAt(i) === 43 || src.charCodeAt(i) === 45) i++;
  }
  return skip(ALNUM_RUN, src, i);
}

/** read_string: the token text Lua keeps (quotes, escapes decoded), or its error. */
function readString(
  src: string,
  i: number,
  quote: number,
): { text: string; end: number; lines: number; error: string | null; near: string } {
  let text = src[i];
  let lines = 0;
  i++;
  while (true) {
    if (i >= src.length) return { text, end: i, lines, error: 'unfinished string', near: '<eof>' };
    const c = src.charCodeAt(i);
    if (c === quote) return { text: text + src[i], end: i + 1, lines, error: null, near: '' };
    if (c === 10 || c === 13) return { text, end: i, lines, error: 'unfinished string', near: text };
    if (c !== 92) {
      const end = skip(quote === 34 ? DOUBLE_QUOTED_RUN : SINGLE_QUOTED_RUN, src, i);
      text += src.slice(i, end);
      i = end;
      continue;
    }
    i++;
    const e = src.charCodeAt(i);
    const simple: Record<number, string> = { 97: '\x07', 98: '\b', 102: '\f', 110: '\n', 114: '\r', 116: '\t', 118: '\v' };
    if (e in simple) {
      text += simple[e];
      i++;
    } else if (e === 10 || e === 13) {
      text += '\n';
      const d = src.charCodeAt(i + 1);
      i += (d === 10 || d === 13) && d !== e ? 2 : 1;
      lines++;
    } else if (i >= src.length) {
      continue;
    } else if (!isDigit(e)) {
      text += src[i++];
    } else {
      let v = 0;
      let k = 0;
      while (k < 3 && isDigit(src.charCodeAt(i))) {
        v = v * 10 + src.charCodeAt(i) - 48;
        i++;
        k++;
      }
      if (v > 255) return { text, end: i, lines, error: 'escape sequence too large', near: text };
      text += String.fromCharCode(v);
    }
  }
}
