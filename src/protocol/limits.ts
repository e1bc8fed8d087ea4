import { constants } from 'node:buffer';

/** Sizes Redis hard-codes in networking.c / server.h. */
export const INLINE_MAX_SIZE = 64 * 1024;
/** A bulk at least this long gets its own buffer instead of chunk concatenation. */
export const BIG_ARG_THRESHOLD = 32 * 1024;
/** First allocation for such a bulk; it doubles as data arrives, up to the declared length. */
export const BIG_ARG_INITIAL_SIZE = 1024 * 1024;
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

/** The configurable limits (`proto-max-bulk-len`, `client-query-buffer-limit`). */
export interface ParserLimits {
  maxBulkLen: number;
  queryBufferLimit: number;
}
