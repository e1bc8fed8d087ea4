import { constants } from 'node:buffer';

/** Sizes Redis hard-codes in networking.c / server.h. */
export const INLINE_MAX_SIZE = 64 * 1024;
/** A bulk at least this long gets its own buffer instead of chunk concatenation. */
export const BIG_ARG_THRESHOLD = 32 * 1024;
/** First allocation for such a bulk; it grows as data arrives (nextBigArgSize), up to the declared length and its room (bigArgRoom). */
export const BIG_ARG_INITIAL_SIZE = 1024 * 1024;
/**
 * How many times larger each next buffer of a big bulk is. Every buffer
 * outgrown is copied once and then freed, and freeing touched memory is
 * what a mark-compact pays for it (`--trace-gc-nvp`,
 * finish.sweep_array_buffers): doubling from 1 MiB leaves about as many
 * outgrown bytes as the value itself, growing eightfold about a seventh.
 */
export const BIG_ARG_GROWTH = 8;

/**
 * The size of the next buffer for a big bulk whose buffer of `current`
 * bytes is too small for `atLeast`: BIG_ARG_GROWTH times larger, or all of
 * `cap` (bigArgCap) once that would be half of it or more, so that no
 * buffer is outgrown just short of the end. A header alone cannot make the
 * parser reserve 512 MB: what it reserves stays within 16 times what has
 * arrived, as this is only asked once `current` bytes have.
 */
export function nextBigArgSize(current: number, atLeast: number, cap: number): number {
  const next = Math.max(atLeast, current * BIG_ARG_GROWTH);
  return next * 2 >= cap ? cap : next;
}

/**
 * Room left past a big bulk in its buffer: an eighth of it, at most 1 MiB
 * (what Redis's sds keeps past a value of over 1 MiB once it grows). SET
 * keeps the buffer as the value, so its first APPENDs write there instead
 * of copying the value (about 55-200 ms for 64 MB on a 2-core VM, mostly
 * page faults, where Redis's realloc remaps). A buffer that large is
 * freshly mapped memory, whose room takes no pages until written.
 */
export function bigArgRoom(len: number): number {
  return Math.min(len >>> 3, 1024 * 1024);
}
/** Before AUTH, Redis refuses requests larger than these. */
export const UNAUTH_MAX_MULTIBULK = 10;
export const UNAUTH_MAX_BULK = 16384;

/**
 * The longest bulk the parser accepts whatever `proto-max-bulk-len` says:
 * an argument is a string, and V8 cannot make a longer one (2^29 - 24
 * chars on 64-bit, 24 below the default `proto-max-bulk-len`). A longer
 * bulk is refused at its header as an over-long one.
 */
export const MAX_ARG_LENGTH = constants.MAX_STRING_LENGTH;

/**
 * What each argument of an unfinished request is charged against
 * `client-query-buffer-limit` on top of its bytes. Measured on Node 20
 * (64-bit V8, 2M arguments made as the parser makes them): an argument of
 * 2 bytes or more costs its bytes plus 33.8 to 34.8 bytes of heap (a 16-byte
 * string header, padding to 8 bytes, and an 8-byte array slot with the
 * array's growth slack); 0 and 1 byte strings are shared and cost 11.7,
 * the slot alone. Without a charge, a multibulk of empty bulks holds
 * almost no bytes while its argv grows until V8 aborts.
 */
export const ARG_OVERHEAD = 40;

/**
 * What a command's argv costs against `client-query-buffer-limit` while it
 * is held, as the parser charges an unfinished request: its bytes plus
 * ARG_OVERHEAD per argument. Commands queued by MULTI are held the same way.
 */
export function argvCharge(argv: readonly string[]): number {
  let n = argv.length * ARG_OVERHEAD;
  for (let i = 0; i < argv.length; i++) n += argv[i].length;
  return n;
}

/**
 * The most arguments a multibulk may declare (Redis: INT_MAX). A JS array
 * grown by push aborts the process past about 112.8 million elements (its
 * next capacity, 169,220,804, is over V8's FixedArray limit of about
 * 2^27), and `client-query-buffer-limit` goes up to LONG_MAX, so
 * ARG_OVERHEAD alone cannot keep argv below that. Under the default 1gb
 * limit the charge closes the connection after 2^30 / ARG_OVERHEAD (26.8
 * million) arguments, before this cap applies; it decides only for limits
 * above MAX_MULTIBULK * ARG_OVERHEAD (2.5 GiB).
 */
export const MAX_MULTIBULK = 2 ** 26;

/** The configurable limits (`proto-max-bulk-len`, `client-query-buffer-limit`). */
export interface ParserLimits {
  maxBulkLen: number;
  queryBufferLimit: number;
}
