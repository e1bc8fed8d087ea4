/**
 * A command as a client sends it: a RESP array of bulk strings, its
 * arguments byte strings (one latin1 char per byte) or bytes. Used where
 * Sluice is the client: MIGRATE's target, a replica's master.
 */
export function commandBytes(parts: (string | Buffer)[]): Buffer {
  const out: Buffer[] = [Buffer.from(`*${parts.length}\r\n`, 'latin1')];
  for (const p of parts) {
    const b = typeof p === 'string' ? Buffer.from(p, 'latin1') : p;
    out.push(Buffer.from(`$${b.length}\r\n`, 'latin1'), b, Buffer.from('\r\n', 'latin1'));
  }
  return Buffer.concat(out);
}
