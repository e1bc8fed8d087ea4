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
  /** Each token's Kind. */
  readonly kind: Uint8Array;
  /** A name's, keyword's or punctuator's text, a string's value, a numeral's number, a boolean's value (null for nil). */
  readonly value: (string | number | boolean | null)[];
  readonly start: Int32Array;
  readonly end: Int32Array;
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

/**
 * The line of the character at `at`. The tokens keep no lines: the parser
 * needs one only for an error, and the compiler finds a site's line from
 * its range (compiler/lines.ts).
 */
export function lineAt(src: string, at: number): number {
  return 1 + linesIn(src, 0, at);
}

/** Whether a line break comes between `from` and `to`. */
export function lineBreakIn(src: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = src.charCodeAt(i);
    if (c === 10 || c === 13) return true;
  }
  return false;
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
function quoted(src: string, i: number): { value: string; end: number } | null {
  const quote = src.charCodeAt(i);
  const run = quote === 34 ? DOUBLE_QUOTED_RUN : SINGLE_QUOTED_RUN;
  let value = '';
  let p = i + 1;
  for (;;) {
    const stop = skip(run, src, p);
    if (stop > p) value += src.slice(p, stop);
    p = stop;
    if (p >= src.length) return null;
    const c = src.charCodeAt(p);
    if (c === quote) return { value, end: p + 1 };
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

/** Thrown by tokenize past its most tokens, with the line it stopped on. */
export class TooManyTokens {
  constructor(readonly line: number) {}
}

/**
 * The tokens of `src`, or null where it holds a lexical error or a form the
 * two lexers read differently. Past `maxTokens` it throws TooManyTokens.
 * With `from` and `to`, the tokens of that part of the source alone (a
 * function's, compiler/lazy.ts); null where a token runs past `to`.
 */
export function tokenize(src: string, maxTokens: number, from = 0, to = src.length): Tokens | null {
  const t = new TokenList(to - from, src, maxTokens);
  const n = to;
  // A first line starting with '#' is skipped, as luaparse blanks it (a shebang).
  let i = from > 0 ? from : src.charCodeAt(0) === 35 ? skip(LINE_REST, src, 0) : 0;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 11 || c === 12) {
      i++;
      continue;
    }
    if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) {
      const end = skip(ALNUM_RUN, src, i + 1);
      const word = src.slice(i, end);
      if (KEYWORDS.has(word)) t.add(Kind.Keyword, word, i, end);
      else if (word === 'nil') t.add(Kind.Nil, null, i, end);
      else if (word === 'true') t.add(Kind.True, true, i, end);
      else if (word === 'false') t.add(Kind.False, false, i, end);
      else t.add(Kind.Name, word, i, end);
      i = end;
      continue;
    }
    const d = src.charCodeAt(i + 1);
    if (isDigit(c) || (c === 46 && isDigit(d))) {
      const end = numeralEnd(src, i);
      if (luaparseNumeralEnd(src, i) !== end) return null;
      const value = stringToNumber(src.slice(i, end));
      if (value === undefined) return null;
      t.add(Kind.Number, value, i, end);
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
            if ('nestedAt' in long) return t.endWithError(long.nestedAt);
            value = long.content;
            i = long.end;
          } else {
            i = skip(LINE_REST, src, i + 2);
            value = src.slice(start + 2, i);
          }
          t.comments.push({ type: 'Comment', value, raw: src.slice(start, i), range: [start, i] });
          continue;
        }
        t.add(Kind.Punct, '-', i, ++i);
        continue;
      case 34:
      case 39: {
        const s = quoted(src, i);
        if (s === null) return null;
        t.add(Kind.String, s.value, i, s.end);
        i = s.end;
        continue;
      }
      case 91: { // [
        if (d !== 91 && d !== 61) {
          t.add(Kind.Punct, '[', i, ++i);
          continue;
        }
        const level = longBracketLevel(src, i);
        if (level < 0) return null;
        const long = longBracket(src, i, level);
        if (long === null) return null;
        if ('nestedAt' in long) return t.endWithError(long.nestedAt);
        t.add(Kind.String, long.content.includes('\r') ? long.content.replace(LINE_BREAKS, '\n') : long.content, i, long.end);
        i = long.end;
        continue;
      }
      case 46: // .
        if (d === 46) {
          if (src.charCodeAt(i + 2) === 46) t.add(Kind.Vararg, '...', i, (i += 3));
          else t.add(Kind.Punct, '..', i, (i += 2));
        } else {
          t.add(Kind.Punct, '.', i, ++i);
        }
        continue;
      case 61: // =
      case 60: // <
      case 62: // >
        if (d === 61) t.add(Kind.Punct, src.slice(i, i + 2), i, (i += 2));
        else t.add(Kind.Punct, src[i], i, ++i);
        continue;
      case 126: // ~
        if (d !== 61) return null;
        t.add(Kind.Punct, '~=', i, (i += 2));
        continue;
      case 42: case 47: case 94: case 37: case 44: case 123: case 125: // * / ^ % , { }
      case 93: case 40: case 41: case 59: case 35: case 43: case 58: // ] ( ) ; # + :
        t.add(Kind.Punct, src[i], i, ++i);
        continue;
      default:
        return null;
    }
  }
  if (i > n) return null;
  t.add(Kind.Eof, '<eof>', n, n);
  return t;
}

/**
 * Tokens in typed arrays, grown as they fill: a script's first compile
 * lexes before V8 has compiled the lexer, and interpreted, pushing onto
 * four arrays cost more than the rest of the lexing.
 */
class TokenList implements Tokens {
  kind: Uint8Array;
  readonly value: (string | number | boolean | null)[] = [];
  start: Int32Array;
  end: Int32Array;
  readonly comments: Comment[] = [];
  count = 0;
  /** The arrays' length, kept apart: a typed array's length is a getter, and interpreted, a call. */
  private capacity: number;

  constructor(
    length: number,
    private readonly src: string,
    private readonly maxTokens: number,
  ) {
    // About one token in eight characters of BullMQ's scripts; the arrays double when that is short, up to the most tokens.
    this.capacity = Math.min((length >> 3) + 16, maxTokens);
    this.kind = new Uint8Array(this.capacity);
    this.start = new Int32Array(this.capacity);
    this.end = new Int32Array(this.capacity);
  }

  /** Adds a token; past the most tokens, throws TooManyTokens with the line the token starts on. */
  add(k: Kind, v: string | number | boolean | null, start: number, end: number): void {
    if (this.count === this.maxTokens) throw new TooManyTokens(lineAt(this.src, start));
    const n = this.count++;
    if (n === this.capacity) this.grow();
    this.kind[n] = k;
    this.value.push(v);
    this.start[n] = start;
    this.end[n] = end;
  }

  private grow(): void {
    const capacity = (this.capacity = Math.min(this.capacity * 2, this.maxTokens));
    const kind = new Uint8Array(capacity);
    kind.set(this.kind);
    this.kind = kind;
    const start = new Int32Array(capacity);
    start.set(this.start);
    this.start = start;
    const end = new Int32Array(capacity);
    end.set(this.end);
    this.end = end;
  }

  /** Ends the tokens with the error token of a `[[` at `at` inside a level-0 long bracket. */
  endWithError(at: number): this {
    this.add(Kind.Error, NESTED_LONG_BRACKET, at, at);
    return this;
  }
}

