import type { LuaState } from '../state.js';
import type { LuaValue } from '../value.js';

/**
 * Lua 5.1's pattern matcher (lstrlib.c), on byte strings: character
 * classes as the C locale defines them (ASCII only), sets, anchors,
 * captures (position captures included), back-references %1-%9, %b and
 * the %f frontier. The pattern ends at its first NUL, as a C string does.
 */

const CAP_UNFINISHED = -1;
const CAP_POSITION = -2;
/** LUA_MAXCAPTURES */
const MAX_CAPTURES = 32;
export const SPECIALS = /[\^$*+?.([%-]/;

const isDigit = (c: number) => c >= 48 && c <= 57;
const isLower = (c: number) => c >= 97 && c <= 122;
const isUpper = (c: number) => c >= 65 && c <= 90;
const isAlpha = (c: number) => isLower(c) || isUpper(c);
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
const isCntrl = (c: number) => c < 32 || c === 127;
const isPunct = (c: number) => c > 32 && c < 127 && !isAlpha(c) && !isDigit(c);
const isXDigit = (c: number) => isDigit(c) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70);

function matchClass(c: number, cl: number): boolean {
  let res: boolean;
  switch (cl | 0x20) {
    case 97: // a
      res = isAlpha(c);
      break;
    case 99: // c
      res = isCntrl(c);
      break;
    case 100: // d
      res = isDigit(c);
      break;
    case 108: // l
      res = isLower(c);
      break;
    case 112: // p
      res = isPunct(c);
      break;
    case 115: // s
      res = isSpace(c);
      break;
    case 117: // u
      res = isUpper(c);
      break;
    case 119: // w
      res = isAlpha(c) || isDigit(c);
      break;
    case 120: // x
      res = isXDigit(c);
      break;
    case 122: // z
      res = c === 0;
      break;
    default:
      return cl === c;
  }
  return isLower(cl) ? res : !res;
}

export class MatchState {
  level = 0;
  readonly capInit: number[] = [];
  readonly capLen: number[] = [];
  /** The pattern, cut at its first NUL; charCodeAt past its end is NaN, which no test matches. */
  readonly p: string;

  constructor(
    private readonly S: LuaState,
    readonly src: string,
    pattern: string,
  ) {
    const nul = pattern.indexOf('\0');
    this.p = nul < 0 ? pattern : pattern.slice(0, nul);
  }

  private pc(i: number): number {
    return i < this.p.length ? this.p.charCodeAt(i) : 0;
  }

  private error(msg: string): never {
    throw this.S.error(msg);
  }

  private classEnd(p: number): number {
    const c = this.pc(p++);
    if (c === 37) {
      if (this.pc(p) === 0) this.error("malformed pattern (ends with '%')");
      return p + 1;
    }
    if (c === 91) {
      if (this.pc(p) === 94) p++;
      do {
        if (this.pc(p) === 0) this.error("malformed pattern (missing ']')");
        if (this.pc(p++) === 37 && this.pc(p) !== 0) p++;
      } while (this.pc(p) !== 93);
      return p + 1;
    }
    return p;
  }

  /** matchbracketclass: p at '[', ec at the closing ']'. */
  private matchBracket(c: number, p: number, ec: number): boolean {
    let sig = true;
    if (this.pc(p + 1) === 94) {
      sig = false;
      p++;
    }
    while (++p < ec) {
      const pc = this.pc(p);
      if (pc === 37) {
        p++;
        if (matchClass(c, this.pc(p))) return sig;
      } else if (this.pc(p + 1) === 45 && p + 2 < ec) {
        p += 2;
        if (this.pc(p - 2) <= c && c <= this.pc(p)) return sig;
      } else if (pc === c) {
        return sig;
      }
    }
    return !sig;
  }

  private singleMatch(c: number, p: number, ep: number): boolean {
    switch (this.pc(p)) {
      case 46:
        return true;
      case 37:
        return matchClass(c, this.pc(p + 1));
      case 91:
        return this.matchBracket(c, p, ep - 1);
      default:
        return this.pc(p) === c;
    }
  }

  private matchBalance(s: number, p: number): number {
    if (this.pc(p) === 0 || this.pc(p + 1) === 0) this.error('unbalanced pattern');
    const src = this.src;
    if (s >= src.length || src.charCodeAt(s) !== this.pc(p)) return -1;
    const b = this.pc(p);
    const e = this.pc(p + 1);
    let cont = 1;
    while (++s < src.length) {
      const c = src.charCodeAt(s);
      if (c === e) {
        if (--cont === 0) return s + 1;
      } else if (c === b) {
        cont++;
      }
    }
    return -1;
  }

  private maxExpand(s: number, p: number, ep: number): number {
    const src = this.src;
    let i = 0;
    while (s + i < src.length && this.singleMatch(src.charCodeAt(s + i), p, ep)) i++;
    while (i >= 0) {
      const res = this.match(s + i, ep + 1);
      if (res >= 0) return res;
      i--;
    }
    return -1;
  }

  private minExpand(s: number, p: number, ep: number): number {
    const src = this.src;
    for (;;) {
      const res = this.match(s, ep + 1);
      if (res >= 0) return res;
      if (s < src.length && this.singleMatch(src.charCodeAt(s), p, ep)) s++;
      else return -1;
    }
  }

  private startCapture(s: number, p: number, what: number): number {
    const level = this.level;
    if (level >= MAX_CAPTURES) this.error('too many captures');
    this.capInit[level] = s;
    this.capLen[level] = what;
    this.level = level + 1;
    const res = this.match(s, p);
    if (res < 0) this.level--;
    return res;
  }

  private endCapture(s: number, p: number): number {
    let l = this.level - 1;
    while (l >= 0 && this.capLen[l] !== CAP_UNFINISHED) l--;
    if (l < 0) this.error('invalid pattern capture');
    this.capLen[l] = s - this.capInit[l];
    const res = this.match(s, p);
    if (res < 0) this.capLen[l] = CAP_UNFINISHED;
    return res;
  }

  private matchCapture(s: number, l: number): number {
    l -= 49;
    if (l < 0 || l >= this.level || this.capLen[l] === CAP_UNFINISHED) this.error('invalid capture index');
    const len = this.capLen[l];
    const cap = this.src.substr(this.capInit[l], len);
    if (this.src.length - s >= len && this.src.startsWith(cap, s)) return s + len;
    return -1;
  }

  /** Matches the pattern from p against the subject from s; the end of the match, or -1. */
  match(s: number, p: number): number {
    const src = this.src;
    for (;;) {
      const c = this.pc(p);
      switch (c) {
        case 40: // (
          return this.pc(p + 1) === 41 ? this.startCapture(s, p + 2, CAP_POSITION) : this.startCapture(s, p + 1, CAP_UNFINISHED);
        case 41: // )
          return this.endCapture(s, p + 1);
        case 0:
          return s;
        case 36: // $
          if (this.pc(p + 1) === 0) return s === src.length ? s : -1;
          break;
        case 37: {
          const next = this.pc(p + 1);
          if (next === 98) {
            // %b
            s = this.matchBalance(s, p + 2);
            if (s < 0) return -1;
            p += 4;
            continue;
          }
          if (next === 102) {
            // %f
            p += 2;
            if (this.pc(p) !== 91) this.error("missing '[' after '%f' in pattern");
            const ep = this.classEnd(p);
            const previous = s === 0 ? 0 : src.charCodeAt(s - 1);
            const current = s < src.length ? src.charCodeAt(s) : 0;
            if (this.matchBracket(previous, p, ep - 1) || !this.matchBracket(current, p, ep - 1)) return -1;
            p = ep;
            continue;
          }
          if (isDigit(next)) {
            s = this.matchCapture(s, next);
            if (s < 0) return -1;
            p += 2;
            continue;
          }
          break;
        }
      }
      const ep = this.classEnd(p);
      const m = s < src.length && this.singleMatch(src.charCodeAt(s), p, ep);
      switch (this.pc(ep)) {
        case 63: {
          // ?
          if (m) {
            const res = this.match(s + 1, ep + 1);
            if (res >= 0) return res;
          }
          p = ep + 1;
          continue;
        }
        case 42: // *
          return this.maxExpand(s, p, ep);
        case 43: // +
          return m ? this.maxExpand(s + 1, p, ep) : -1;
        case 45: // -
          return this.minExpand(s, p, ep);
        default:
          if (!m) return -1;
          s++;
          p = ep;
      }
    }
  }

  /** Capture i of a match from s to e (the whole match when there are no captures and i is 0). */
  capture(i: number, s: number, e: number): LuaValue {
    if (i >= this.level) {
      if (i === 0) return this.src.slice(s, e);
      this.error('invalid capture index');
    }
    const l = this.capLen[i];
    if (l === CAP_UNFINISHED) this.error('unfinished capture');
    if (l === CAP_POSITION) return this.capInit[i] + 1;
    return this.src.substr(this.capInit[i], l);
  }

  /** All captures of a match (the whole match if the pattern has none; nothing for find's extra values when s < 0). */
  captures(s: number, e: number, wholeIfNone: boolean): LuaValue[] {
    const n = this.level === 0 && wholeIfNone ? 1 : this.level;
    const out: LuaValue[] = new Array(n);
    for (let i = 0; i < n; i++) out[i] = this.capture(i, s, e);
    return out;
  }
}
