/**
 * luaparse drops parentheses from its tree, but in Lua they matter: `(f())`
 * and `(...)` give exactly one value where f() and ... would give all of
 * theirs. So the compiler asks the source: a call or `...` in a position
 * that takes all values is parenthesised when more '(' precede it (past
 * blanks and comments) than the syntax around it accounts for, which is
 * one for the first argument of a call written with parentheses, else none.
 */
export class ParenFinder {
  /** Comment ranges, sorted by start. */
  private readonly comments: [number, number][];

  constructor(
    private readonly src: string,
    comments: { range?: [number, number] }[],
  ) {
    this.comments = comments.filter((c) => c.range !== undefined).map((c) => c.range!);
  }

  /** Whether the expression starting at `start` is wrapped in more than `expected` opening parentheses. */
  wrapped(start: number, expected: number): boolean {
    return this.opening(start, expected + 1) > expected;
  }

  /** How many '(' come straight before `start` (past blanks and comments), counted up to `max`. */
  opening(start: number, max: number): number {
    let k = 0;
    for (let p = this.previous(start); k < max && p >= 0 && this.src.charCodeAt(p) === 40; p = this.previous(p)) k++;
    return k;
  }

  /** Index of the last significant character before `pos` (skipping blanks and comments), or -1. */
  private previous(pos: number): number {
    let p = pos - 1;
    while (p >= 0) {
      const c = this.src.charCodeAt(p);
      if (c === 32 || (c >= 9 && c <= 13)) {
        p--;
        continue;
      }
      const comment = this.commentAt(p);
      if (comment === null) return p;
      p = comment[0] - 1;
    }
    return -1;
  }

  private commentAt(p: number): [number, number] | null {
    const cs = this.comments;
    let lo = 0;
    let hi = cs.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (cs[mid][1] <= p) lo = mid + 1;
      else if (cs[mid][0] > p) hi = mid - 1;
      else return cs[mid];
    }
    return null;
  }
}
