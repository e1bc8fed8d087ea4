/** Bytes past this many are copied by one native call (a string's after a check that it is all bytes), fewer by a loop: the call into C++ costs more than a short copy. */
const COPIED_BY_LOOP = 32;
const NOT_BYTES = /[^\x00-\xff]/;
const latin1Write = Buffer.prototype.latin1Write;

/** Copies src[start, end) to dst at `at`; returns how many bytes. */
export function copyBytes(src: Buffer, start: number, end: number, dst: Buffer, at: number): number {
  const n = end - start;
  if (n > COPIED_BY_LOOP) src.copy(dst, at, start, end);
  else for (let i = 0; i < n; i++) dst[at + i] = src[start + i];
  return n;
}

/** Copies `s` into `b` at `at`; false, with part of it copied, when it has a char above 255. */
export function writeBytes(b: Buffer, at: number, s: string): boolean {
  const n = s.length;
  if (n > COPIED_BY_LOOP) {
    if (NOT_BYTES.test(s)) return false;
    latin1Write.call(b, s, at, n);
    return true;
  }
  for (let j = 0; j < n; j++) {
    const c = s.charCodeAt(j);
    if (c > 255) return false;
    b[at + j] = c;
  }
  return true;
}
