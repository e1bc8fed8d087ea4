/**
 * Where a background snapshot's bytes go: a file written in the thread
 * pool (FileQueue), or the sockets of replicas being synchronised
 * (diskless replication). The walk pauses while `pending` is high.
 */
export interface SnapshotSink {
  /** Bytes handed over and not yet written out. */
  readonly pending: number;
  /** Queues the first `length` bytes of `buf`, which the caller leaves alone from now on. */
  push(buf: Buffer, length: number): void;
  /** A buffer already written out, free to fill again (null when none is). */
  spare(): Buffer | null;
  /** Calls `done` once every byte pushed so far is written, or with the error that stopped the writes. */
  whenWritten(done: (err: NodeJS.ErrnoException | null) => void): void;
}
