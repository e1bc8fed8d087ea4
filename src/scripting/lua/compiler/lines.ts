/**
 * Line numbers of source offsets, counted as luaparse counts them (\r\n,
 * \n\r, \r and \n each end one line). The parser runs without its
 * `locations` option, which makes three objects per node: most nodes never
 * need a line, and the few that do (sites) are looked up here.
 */
export class LineIndex {
  /** Where each line after the first starts, in order. */
  private readonly starts: number[] = [];

  constructor(source: string) {
    const eol = /\r\n|\n\r|\r|\n/g;
    while (eol.exec(source) !== null) this.starts.push(eol.lastIndex);
  }

  /** The line of the character at `offset` (1-based), or of the end of a token ending at `offset`. */
  lineAt(offset: number): number {
    const s = this.starts;
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid] <= offset) lo = mid + 1;
      else hi = mid;
    }
    return lo + 1;
  }
}
