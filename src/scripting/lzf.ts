/**
 * liblzf's decompressor, for the strings Redis compresses in RDB payloads
 * (rdbcompression, strings over 20 bytes). Returns null where liblzf would
 * fail: a reference before the start, or output other than `outLength`
 * bytes.
 */
export function lzfDecompress(input: Uint8Array, outLength: number): Buffer | null {
  const out = Buffer.alloc(outLength);
  let ip = 0;
  let op = 0;
  while (ip < input.length) {
    let ctrl = input[ip++];
    if (ctrl < 32) {
      ctrl++;
      if (op + ctrl > outLength || ip + ctrl > input.length) return null;
      out.set(input.subarray(ip, ip + ctrl), op);
      ip += ctrl;
      op += ctrl;
      continue;
    }
    let len = ctrl >> 5;
    let ref = op - ((ctrl & 0x1f) << 8) - 1;
    if (len === 7) {
      if (ip >= input.length) return null;
      len += input[ip++];
    }
    if (ip >= input.length) return null;
    ref -= input[ip++];
    len += 2;
    if (op + len > outLength || ref < 0) return null;
    // Byte by byte: a reference may overlap what it produces (a run).
    for (let i = 0; i < len; i++) out[op++] = out[ref++];
  }
  return op === outLength ? out : null;
}
