import type { Client } from './client.js';

/** One MONITOR line: `+<time> [<db> <addr>] "arg" …`, arguments quoted as Redis's sdscatrepr. */
export function formatMonitorLine(c: Client, argv: string[]): string {
  const now = Date.now();
  const secs = Math.floor(now / 1000);
  const micros = String((now % 1000) * 1000).padStart(6, '0');
  let line = `+${secs}.${micros} [${c.db.index} ${c.addr}]`;
  for (const a of argv) line += ' ' + quoteRepr(a);
  return line + '\r\n';
}

/** Redis's sdscatrepr: a double-quoted string with C escapes and \xHH for other unprintables. */
export function quoteRepr(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    switch (c) {
      case 0x5c: out += '\\\\'; break;
      case 0x22: out += '\\"'; break;
      case 0x0a: out += '\\n'; break;
      case 0x0d: out += '\\r'; break;
      case 0x09: out += '\\t'; break;
      case 0x07: out += '\\a'; break;
      case 0x08: out += '\\b'; break;
      default:
        out += c >= 0x20 && c < 0x7f ? s[i] : '\\x' + c.toString(16).padStart(2, '0');
    }
  }
  return out + '"';
}
