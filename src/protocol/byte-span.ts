/**
 * An argument still in the bytes it arrived in: `length` bytes of `buf` from
 * `start`. The request parser lends one for a single command (see
 * RequestParser.unreadArg): the buffer is the server's shared read buffer,
 * so whoever needs the bytes past that command copies them.
 */
export interface ByteSpan {
  buf: Buffer;
  start: number;
  length: number;
}
