import type { Ctx } from '../../core/context.js';
import { CommandError, SYNTAX } from '../../core/errors.js';
import { optionWord } from '../../core/options.js';
import { BYTES_FROM, MutableString } from '../../keyspace/mutable-string.js';
import type { BytesValue } from '../../keyspace/value.js';
import { readBytes } from '../string/string-access.js';

type Op = 'and' | 'or' | 'xor' | 'not';

function bytesOf(v: BytesValue): Uint8Array {
  return typeof v === 'string' ? Buffer.from(v, 'latin1') : v.view();
}

/** 32-bit words over the same bytes, when both start on a word boundary. */
function words(p: Uint8Array, n: number): Uint32Array | null {
  return (p.byteOffset & 3) === 0 ? new Uint32Array(p.buffer, p.byteOffset, n >>> 2) : null;
}

/** Folds `src` into `out` over the source's length (bytes past it are zeros: AND clears them, OR and XOR keep them). */
function fold(op: Op, out: Buffer, src: Uint8Array): void {
  const n = src.length;
  let i = 0;
  const wo = words(out, n);
  const ws = words(src, n);
  if (wo !== null && ws !== null) {
    const k = wo.length;
    if (op === 'and') for (let j = 0; j < k; j++) wo[j] &= ws[j];
    else if (op === 'or') for (let j = 0; j < k; j++) wo[j] |= ws[j];
    else for (let j = 0; j < k; j++) wo[j] ^= ws[j];
    i = k * 4;
  }
  if (op === 'and') for (; i < n; i++) out[i] &= src[i];
  else if (op === 'or') for (; i < n; i++) out[i] |= src[i];
  else for (; i < n; i++) out[i] ^= src[i];
  if (op === 'and') out.fill(0, n);
}

/**
 * BITOP op destkey key [key ...]: missing keys read as empty strings,
 * shorter ones as padded with zeros; the result is as long as the longest
 * source, and an empty result deletes the destination.
 */
export function bitop(c: Ctx, argv: string[]): void {
  const name = optionWord(argv[1]);
  if (name !== 'and' && name !== 'or' && name !== 'xor' && name !== 'not') throw new CommandError(SYNTAX);
  const op: Op = name;
  if (op === 'not' && argv.length !== 4) throw new CommandError('ERR BITOP NOT must be called with a single source key.');
  const sources: (Uint8Array | null)[] = [];
  let maxLen = 0;
  for (let i = 3; i < argv.length; i++) {
    const v = readBytes(c, argv[i]);
    const bytes = v === undefined ? null : bytesOf(v);
    sources.push(bytes);
    if (bytes !== null && bytes.length > maxLen) maxLen = bytes.length;
  }
  const dest = argv[2];
  if (maxLen === 0) {
    if (c.db.delete(dest)) c.keyspace.notify(c.db, 'g', 'del', dest);
    c.reply.integer(0);
    return;
  }
  // A buffer of its own, so that its words are aligned.
  const out = Buffer.alloc(maxLen);
  const first = sources[0];
  if (first !== null) out.set(first);
  if (op === 'not') {
    const w = words(out, maxLen)!;
    for (let j = 0; j < w.length; j++) w[j] = ~w[j];
    for (let i = w.length * 4; i < maxLen; i++) out[i] = ~out[i];
  } else {
    if (op === 'and' && first === null) out.fill(0);
    for (let s = 1; s < sources.length; s++) {
      const src = sources[s];
      if (src !== null) fold(op, out, src);
      else if (op === 'and') out.fill(0);
    }
  }
  c.db.setKey(dest, maxLen >= BYTES_FROM ? MutableString.fromBytes(out) : new MutableString(out.latin1Slice(0, maxLen)));
  c.keyspace.notify(c.db, '$', 'set', dest);
  c.reply.integer(maxLen);
}
