/** Sizes Redis hard-codes in networking.c / server.h. */
export const INLINE_MAX_SIZE = 64 * 1024;
/** A bulk at least this long gets its own buffer instead of chunk concatenation. */
export const BIG_ARG_THRESHOLD = 32 * 1024;
/** First allocation for such a bulk; it doubles as data arrives, up to the declared length. */
export const BIG_ARG_INITIAL_SIZE = 1024 * 1024;
/** Before AUTH, Redis refuses requests larger than these. */
export const UNAUTH_MAX_MULTIBULK = 10;
export const UNAUTH_MAX_BULK = 16384;

/** The configurable limits (`proto-max-bulk-len`, `client-query-buffer-limit`). */
export interface ParserLimits {
  maxBulkLen: number;
  queryBufferLimit: number;
}
