/**
 * A value's RDB form can be written in pieces: a generator that pauses
 * (yields) every PIECE elements or so, so that a background save writes a
 * big collection over many slices of the event loop, and a one-shot writer
 * (SAVE, DUMP) runs the same generator to its end; both write the same bytes.
 */

/** Elements written between two pauses: some tens of microseconds of work. */
export const PIECE = 256;

/** Runs a piecewise writer to its end. */
export function drain(pieces: Iterator<void>): void {
  while (!pieces.next().done);
}
