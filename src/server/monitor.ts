import type { Client } from './client.js';
import { unixMicros } from './clock.js';
import { redactArgv } from './redact.js';

/**
 * One MONITOR line, as Redis's replicationFeedMonitors writes it:
 * `+<seconds>.<microseconds> [<db> <addr>] "arg" "arg"…\r\n`, each argument
 * quoted as sdscatrepr quotes it, secrets redacted. The db is the client's
 * after the command ran (SELECT 5 shows as db 5).
 */
export function formatMonitorLine(c: Client, argv: string[]): string {
  const us = unixMicros();
  const secs = Math.floor(us / 1e6);
  const micros = String(us - secs * 1e6).padStart(6, '0');
  const shown = redactArgv(argv);
  let line = `+${secs}.${micros} [${c.db.index} ${c.addr}]`;
  for (const a of shown) line += ' ' + quoteRepr(a);
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
