/**
 * Redis's glob matching (stringmatchlen): `*`, `?`, `[abc]`, `[^abc]`,
 * `[a-z]`, and `\` escapes, optionally case-insensitive (ASCII only, as C's
 * tolower in the C locale). Works on byte strings (one latin1 char per
 * byte). KEYS, SCAN, CONFIG GET and pattern subscriptions all match through
 * this one function, so its corner cases are Redis's, not a regex engine's.
 */
export function globMatch(pattern: string, subject: string, nocase = false): boolean {
  // Redis only strips trailing stars after consuming a byte, so an empty
  // subject is matched by the empty pattern alone ("*" does not match "").
  if (subject.length === 0) return pattern.length === 0;
  return matchFrom(pattern, 0, subject, 0, nocase, 0) === MATCH;
}

let frames = 0;

/**
 * How many matching frames (one per star position tried) globMatch has run
 * in this process: lets tests bound the work a pathological pattern costs
 * without timing anything.
 */
export function globFrames(): number {
  return frames;
}

const MATCH = 1;
const NO_MATCH = 0;
/** No later position of a star can match either: stop trying. */
const GIVE_UP = 2;
const MAX_NESTING = 1000;

function lower(c: number): number {
  return c >= 65 && c <= 90 ? c + 32 : c;
}

/** Range bounds compare as C's signed char on x86, so bytes ≥ 0x80 sort below 0x00. */
function signed(c: number): number {
  return c >= 128 ? c - 256 : c;
}

function matchFrom(p: string, pi: number, s: string, si: number, nocase: boolean, depth: number): number {
  frames++;
  if (depth > MAX_NESTING) return GIVE_UP;
  const plen = p.length;
  const slen = s.length;
  while (pi < plen && si < slen) {
    const pc = p.charCodeAt(pi);
    switch (pc) {
      case 42: { // '*'
        while (pi + 1 < plen && p.charCodeAt(pi + 1) === 42) pi++;
        if (pi + 1 === plen) return MATCH;
        for (let k = si; k < slen; k++) {
          const r = matchFrom(p, pi + 1, s, k, nocase, depth + 1);
          if (r !== NO_MATCH) return r;
        }
        return GIVE_UP;
      }
      case 63: // '?'
        si++;
        break;
      case 91: { // '['
        pi++;
        const not = pi < plen && p.charCodeAt(pi) === 94;
        if (not) pi++;
        let matched = false;
        const raw = s.charCodeAt(si);
        const sc = nocase ? lower(raw) : raw;
        while (true) {
          if (pi >= plen) {
            pi--;
            break;
          }
          const c = p.charCodeAt(pi);
          if (c === 92 && pi + 1 < plen) { // '\'
            pi++;
            // Redis compares an escaped class member exactly, even with nocase.
            if (p.charCodeAt(pi) === raw) matched = true;
          } else if (c === 93) { // ']'
            break;
          } else if (pi + 2 < plen && p.charCodeAt(pi + 1) === 45) { // range a-z
            let start = signed(p.charCodeAt(pi));
            let end = signed(p.charCodeAt(pi + 2));
            let x = signed(raw);
            if (start > end) [start, end] = [end, start];
            if (nocase) {
              start = lower(start);
              end = lower(end);
              x = lower(x);
            }
            pi += 2;
            if (x >= start && x <= end) matched = true;
          } else if ((nocase ? lower(c) : c) === sc) {
            matched = true;
          }
          pi++;
        }
        if (not) matched = !matched;
        if (!matched) return NO_MATCH;
        si++;
        break;
      }
      default: {
        if (pc === 92 && pi + 1 < plen) pi++; // '\' escapes the next pattern char
        const a = p.charCodeAt(pi);
        const b = s.charCodeAt(si);
        if (nocase ? lower(a) !== lower(b) : a !== b) return NO_MATCH;
        si++;
        break;
      }
    }
    pi++;
  }
  if (si === slen) {
    while (pi < plen && p.charCodeAt(pi) === 42) pi++;
  }
  return pi === plen && si === slen ? MATCH : NO_MATCH;
}
