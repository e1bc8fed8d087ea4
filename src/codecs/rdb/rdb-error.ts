/** A malformed or truncated RDB payload: what was wrong and at which byte offset it was found. */
export class RdbError extends Error {
  constructor(
    readonly reason: string,
    readonly offset: number,
  ) {
    super(`${reason} at offset ${offset}`);
  }
}

/** A collection with no elements, which Redis refuses to restore and skips when loading a file. */
export class EmptyKeyError extends RdbError {}
