import type { Client } from './client.js';

export interface SlowlogEntry {
  id: number;
  /** Unix time in seconds. */
  time: number;
  usec: number;
  argv: string[];
  addr: string;
  name: string;
}

/** Redis keeps at most 32 arguments of 128 bytes each in an entry. */
const MAX_ARGC = 32;
const MAX_ARG_LEN = 128;

/** The slow log: commands that took longer than slowlog-log-slower-than µs, newest first. */
export class Slowlog {
  entries: SlowlogEntry[] = [];
  private nextId = 0;
  /** slowlog-log-slower-than (µs; negative disables) and slowlog-max-len, kept current by the server. */
  threshold = 10000;
  maxLen = 128;

  consider(c: Client, argv: string[], usec: number): void {
    const threshold = this.threshold;
    if (threshold < 0 || usec < threshold) return;
    const max = this.maxLen;
    if (max === 0) return;
    this.entries.unshift({
      id: this.nextId++,
      time: Math.floor(Date.now() / 1000),
      usec,
      argv: trimArgv(argv),
      addr: c.addr,
      name: c.name,
    });
    if (this.entries.length > max) this.entries.length = max;
  }

  reset(): void {
    this.entries = [];
  }
}

function trimArgv(argv: string[]): string[] {
  const n = Math.min(argv.length, MAX_ARGC);
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    if (n < argv.length && i === n - 1) {
      out.push(`... (${argv.length - n + 1} more arguments)`);
      break;
    }
    const a = argv[i];
    out.push(a.length > MAX_ARG_LEN ? `${a.slice(0, MAX_ARG_LEN)}... (${a.length - MAX_ARG_LEN} more bytes)` : a);
  }
  return out;
}
