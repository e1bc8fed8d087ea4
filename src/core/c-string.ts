/**
 * The part of a string C code sees: Redis searches patterns with strchr and
 * strstr, and formats arguments into messages with %s, all of which stop at
 * a NUL byte.
 */
export function cString(s: string): string {
  const nul = s.indexOf('\0');
  return nul === -1 ? s : s.slice(0, nul);
}
