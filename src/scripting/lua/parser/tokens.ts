import { numeralEnd } from '../compiler/lexer.js';
import { ALNUM_RUN, DOUBLE_QUOTED_RUN, isDigit, LINE_BREAKS, LINE_REST, SINGLE_QUOTED_RUN, skip } from '../lex-runs.js';
import { stringToNumber } from '../string-to-number.js';

/**
 * The tokens of a Lua 5.1 chunk for the quick parser (parser.ts), lexed as
 * luaparse lexes them where the two agree. A lexical error, or a form that
 * Lua's lexer and luaparse's read differently (a numeral one of them ends
 * elsewhere), makes tokenize answer null, and the chunk goes the long way
 * (parse.ts); a nested `[[`, which only Lua refuses, ends the tokens with
 * an Error token that the parser raises where it reaches it.
 */
export const enum Kind {
  Eof,
  Name,
  Keyword,
  Punct,
  String,
  Number,
  Nil,
  True,
  False,
  Vararg,
  /** A lexical error Lua reports where its lexer reaches it (value: its message); the last token. */
  Error,
}

export interface Comment {
  type: 'Comment';
  value: string;
  raw: string;
  range: [number, number];
}

export interface Tokens {
  readonly kind: Kind[];
  /** A name's, keyword's or punctuator's text, a string's value, a numeral's number, a boolean's value (null for nil). */
  readonly value: (string | number | boolean | null)[];
  readonly start: number[];
  readonly end: number[];
  /** The lines a token starts and ends on (a long string may span several). */
  readonly line: number[];
  readonly endLine: number[];
  readonly comments: Comment[];
}

const KEYWORDS = new Set('and break do else elseif end for function if in local not or repeat return then until while'.split(' '));

const isHexDigit = (c: number): boolean => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

/** Where luaparse's numeral starting at `i` ends, or -1 where it finds none. */
function luaparseNumeralEnd(src: string, i: number): number {
  let j = i;
  if (src.charCodeAt(j) === 48 && (src.charCodeAt(j + 1) | 0x20) === 120) {
    j += 2;
    if (!isHexDigit(src.charCodeAt(j))) return -1;
    while (isHexDigit(src.charCodeAt(j))) j++;
    if (src.charCodeAt(j) === 46) {
      j++;
      while (isHexDigit(src.charCodeAt(j))) j++;
    }
    if ((src.charCodeAt(j) | 0x20) === 112) return exponentEnd(src, j + 1);
    return j;
  }
  while (isDigit(src.charCodeAt(j))) j++;
  if (src.charCodeAt(j) === 46) {
    j++;
    while (isDigit(src.charCodeAt(j))) j++;
  }
  if ((src.charCodeAt(j) | 0x20) === 101) return exponentEnd(src, j + 1);
  return j;
}

function exponentEnd(src: string, j: number): number {
  if (src.charCodeAt(j) === 43 || src.charCodeAt(j) === 45) j++;
  if (!isDigit(src.charCodeAt(j))) return -1;
  while (isDigit(src.charCodeAt(j))) j++;
  return j;
}

/** The lines from `from` to `to`, counting \r\n and \n\r as one as both lexers do. */
function linesIn(src: string, from: number, to: number): number {
  let lines = 0;
  for (let i = from; i < to; i++) {
    const c = src.charCodeAt(i);
    if (c !== 10 && c !== 13) continue;
    const d = src.charCodeAt(i + 1);
    if (i + 1 < to && (d === 10 || d === 13) && d !== c) i++;
    lines++;
  }
  return lines;
}

/** A long bracket's level at `i` (its '[' and '='s), or -1 where none opens there. */
function longBracketLevel(src: string, i: number): number {
  let level = 0;
  while (src.charCodeAt(i + 1 + level) === 61) level++;
  return src.charCodeAt(i + 1 + level) === 91 ? level : -1;
}

/** Lua 5.1's lexer (LUA_COMPAT_LSTR 1, as Redis builds it) refuses a `[[` inside a level-0 long bracket. */
const NESTED_LONG_BRACKET = "nesting of [[...]] is deprecated near '['";

/**
 * The content of the long bracket of `level` opening at `i`, and where it
 * ends; where a level-0 one holds a `[[` before its end, where that is
 * instead; null when unfinished.
 */
function longBracket(src: string, i: number, level: number): { content: string; end: number } | { nestedAt: number } | null {
  let from = i + level + 2;
  const c = src.charCodeAt(from);
  if (c === 10 || c === 13) {
    const d = src.charCodeAt(from + 1);
    from += (d === 10 || d === 13) && d !== c ? 2 : 1;
  }
  const close = level === 0 ? ']]' : `]${'='.repeat(level)}]`;
  const at = src.indexOf(close, from);
  if (at === -1) return null;
  const content = src.slice(from, at);
  const nested = level === 0 ? content.indexOf('[[') : -1;
  if (nested !== -1) return { nestedAt: from + nested };
  return { content, end: at + close.length };
}

/** A quoted string's value and end, escapes read as luaparse reads Lua 5.1's; null when unfinished or out of range. */
function quoted(src: string, i: number): { value: string; end: number; lines: number } | null {
  const quote = src.charCodeAt(i);
  const run = quote === 34 ? DOUBLE_QUOTED_RUN : SINGLE_QUOTED_RUN;
  let value = '';
  let lines = 0;
  let p = i + 1;
  for (;;) {
    const stop = skip(run, src, p);
    if (stop > p) value += src.slice(p, stop);
    p = stop;
    if (p >= src.length) return null;
    const c = src.charCodeAt(p);
    if (c === quote) return { value, end: p + 1, lines };
    if (c !== 92) return null;
    p++;
    if (p >= src.length) return null;
    const e = src.charCodeAt(p);
    switch (e) {
      case 97: value += '\x07'; p++; break;
      case 110: value += '\n'; p++; break;
      case 114: value += '\r'; p++; break;
      case 116: value += '\t'; p++; break;
      case 118: value += '\x0b'; p++; break;
      case 98: value += '\b'; p++; break;
      case 102: value += '\f'; p++; break;
      case 10:
      case 13: {
        const d = src.charCodeAt(p + 1);
        p += (d === 10 || d === 13) && d !== e ? 2 : 1;
        lines++;
        value += '\n';
        break;
      }
      default:
        if (isDigit(e)) {
          let q = p;
          while (q < p + 3 && isDigit(src.charCodeAt(q))) q++;
          const byte = Number(src.slice(p, q));
          if (byte > 255) return null;
          value += String.fromCharCode(byte);
          p = q;
        } else {
          value += src[p];
          p++;
        }
    }
  }
}

/** Ends `t` with the error token of a `[[` at `at` in the long bracket opening at `from` on `line`. */
function nestedError(t: Tokens, src: string, from: number, at: number, line: number): Tokens {
  const errorLine = line + linesIn(src, from, at);
  t.kind.push(Kind.Error);
  t.value.push(NESTED_LONG_BRACKET);
  t.start.push(at);
  t.end.push(at);
  t.line.push(errorLine);
  t.endLine.push(errorLine);
  return t;
}

/** Thrown by tokenize past its most tokens, with the line it stopped on. */
export class TooManyTokens {
  constructor(readonly line: number) {}
}

/**
 * The tokens of `src`, or null where it holds a lexical error or a form the
 * two lexers read differently. Past `maxTokens` it throws TooManyTokens.
 * Lexing starts at `from`, for source known to be blank before it.
 */
export function tokenize(src: string, maxTokens: number, from = 0): Tokens | null {
  const t: Tokens = { kind: [], value: [], start: [], end: [], line: [], endLine: [], comments: [] };
  const n = src.length;
  // A first line starting with '#' is skipped, as luaparse blanks it (a shebang).
  let i = from > 0 ? from : src.charCodeAt(0) === 35 ? skip(LINE_REST, src, 0) : 0;
  let line = 1;
  const push = (kind: Kind, value: string | number | boolean | null, start: number, end: number, endLine = line): void => {
    if (t.kind.length === maxTokens) throw new TooManyTokens(line);
    t.kind.push(kind);
    t.value.push(value);
    t.start.push(start);
    t.end.push(end);
    t.line.push(line);
    t.endLine.push(endLine);
  };
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 32 || c === 9 || c === 11 || c === 12) {
      i++;
      continue;
    }
    if (c === 10 || c === 13) {
      const d = src.charCodeAt(i + 1);
      i += (d === 10 || d === 13) && d !== c ? 2 : 1;
      line++;
      continue;
    }
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) {
      const end = skip(ALNUM_RUN, src, i + 1);
      const word = src.slice(i, end);
      if (KEYWORDS.has(word)) push(Kind.Keyword, word, i, end);
      else if (word === 'nil') push(Kind.Nil, null, i, end);
      else if (word === 'true') push(Kind.True, true, i, end);
      else if (word === 'false') push(Kind.False, false, i, end);
      else push(Kind.Name, word, i, end);
      i = end;
      continue;
    }
    const d = src.charCodeAt(i + 1);
    if (isDigit(c) || (c === 46 && isDigit(d))) {
      const end = numeralEnd(src, i);
      if (luaparseNumeralEnd(src, i) !== end) return null;
      const value = stringToNumber(src.slice(i, end));
      if (value === undefined) return null;
      push(Kind.Number, value, i, end);
      i = end;
      continue;
    }
    switch (c) {
      case 45: // -
        if (d === 45) {
          const start = i;
          const level = src.charCodeAt(i + 2) === 91 ? longBracketLevel(src, i + 2) : -1;
          let value: string;
          if (level >= 0) {
            const long = longBracket(src, i + 2, level);
            if (long === null) return null;
            if ('nestedAt' in long) return nestedError(t, src, i, long.nestedAt, line);
            line += linesIn(src, i, long.end);
            value = long.content;
            i = long.end;
          } else {
            i = skip(LINE_REST, src, i + 2);
            value = src.slice(start + 2, i);
          }
          t.comments.push({ type: 'Comment', value, raw: src.slice(start, i), range: [start, i] });
          continue;
        }
        push(Kind.Punct, '-', i, ++i);
        continue;
      case 34:
      case 39: {
        const s = quoted(src, i);
        if (s === null) return null;
        const startLine = line;
        line += s.lines;
        t.kind.push(Kind.String);
        t.value.push(s.value);
        t.start.push(i);
        t.end.push(s.end);
        t.line.push(startLine);
        t.endLine.push(line);
        i = s.end;
        continue;
      }
      case 91: { // [
        if (d !== 91 && d !== 61) {
          push(Kind.Punct, '[', i, ++i);
          continue;
        }
        const level = longBracketLevel(src, i);
        if (level < 0) return null;
        const long = longBracket(src, i, level);
        if (long === null) return null;
        if ('nestedAt' in long) return nestedError(t, src, i, long.nestedAt, line);
        const startLine = line;
        line += linesIn(src, i, long.end);
        const value = long.content.includes('\r') ? long.content.replace(LINE_BREAKS, '\n') : long.content;
        t.kind.push(Kind.String);
        t.value.push(value);
        t.start.push(i);
        t.end.push(long.end);
        t.line.push(startLine);
        t.endLine.push(line);
        i = long.end;
        continue;
      }
      case 46: // .
        if (d === 46) {
          if (src.charCodeAt(i + 2) === 46) push(Kind.Vararg, '...', i, (i += 3));
          else push(Kind.Punct, '..', i, (i += 2));
        } else {
          push(Kind.Punct, '.', i, ++i);
        }
        continue;
      case 61: // =
      case 60: // <
      case 62: // >
        if (d === 61) push(Kind.Punct, src.slice(i, i + 2), i, (i += 2));
        else push(Kind.Punct, src[i], i, ++i);
        continue;
      case 126: // ~
        if (d !== 61) return null;
        push(Kind.Punct, '~=', i, (i += 2));
        continue;
      case 42: case 47: case 94: case 37: case 44: case 123: case 125: // * / ^ % , { }
      case 93: case 40: case 41: case 59: case 35: case 43: case 58: // ] ( ) ; # + :
        push(Kind.Punct, src[i], i, ++i);
        continue;
      default:
        return null;
    }
  }
  push(Kind.Eof, '<eof>', n, n);
  return t;
}
