import { digitCount, writeHeader } from './reply.js';

/**
 * Commands as a client sends them: RESP arrays of bulk strings, their
 * arguments byte strings (one latin1 char per byte) or bytes, written one
 * after another into a buffer of exactly their size and of its own (not a
 * slice of Node's shared pool, which a worker message would copy whole).
 * Used where Sluice is the client: MIGRATE's target, a replica's master.
 */
export function commandsBytes(commands: readonly (readonly (string | Uint8Array)[])[]): Buffer {
  let size = 0;
  for (const parts of commands) size += commandLength(parts);
  const out = Buffer.allocUnsafeSlow(size);
  let at = 0;
  for (const parts of commands) {
    at = writeHeader(out, at, 0x2a, parts.length);
    for (const p of parts) {
      at = writeHeader(out, at, 0x24, p.length);
      if (typeof p === 'string') at += out.latin1Write(p, at);
      else {
        out.set(p, at);
        at += p.length;
      }
      out[at++] = 13;
      out[at++] = 10;
    }
  }
  return out;
}

/** One command (see commandsBytes). */
export function commandBytes(parts: readonly (string | Uint8Array)[]): Buffer {
  return commandsBytes([parts]);
}

/** The bytes of a command as commandsBytes writes it, given its arguments' byte lengths. */
export function commandLength(parts: readonly { readonly length: number }[]): number {
  let n = 3 + digitCount(parts.length);
  for (let i = 0; i < parts.length; i++) n += 5 + digitCount(parts[i].length) + parts[i].length;
  return n;
}
