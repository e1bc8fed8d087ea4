import type { SnapshotSink } from '../persistence/snapshot-sink.js';
import type { Replica } from './replica.js';

/** How often a walk waiting for slow replicas looks again (ms). */
const POLL_MS = 2;

/**
 * A diskless snapshot's destination: every byte goes to each replica of the
 * batch still connected. The walk pauses while the slowest socket holds
 * more than the walk's own limit (BackgroundSave reads `pending`); a
 * replica that goes is dropped, and the last one going ends the snapshot.
 */
export class ReplicaFanout implements SnapshotSink {
  /** Called once when no replica of the batch is left. */
  onEmpty: () => void = () => {};
  private replicas: Replica[];
  private emptied = false;

  constructor(
    replicas: readonly Replica[],
    private readonly counted: (bytes: number) => void,
  ) {
    this.replicas = replicas.slice();
  }

  /** The replicas still connected. */
  get live(): Replica[] {
    this.replicas = this.replicas.filter((r) => !r.peer.closed);
    return this.replicas;
  }

  get pending(): number {
    let most = 0;
    for (const r of this.live) most = Math.max(most, r.peer.queued);
    this.checkEmpty();
    return most;
  }

  push(buf: Buffer, length: number): void {
    const bytes = length === buf.length ? buf : buf.subarray(0, length);
    for (const r of this.live) {
      r.peer.write(bytes);
      this.counted(length);
    }
    this.checkEmpty();
  }

  spare(): Buffer | null {
    return null;
  }

  whenWritten(done: (err: NodeJS.ErrnoException | null) => void): void {
    const look = (): void => {
      if (this.emptied) return;
      if (this.pending === 0) done(null);
      else setTimeout(look, POLL_MS).unref();
    };
    look();
  }

  private checkEmpty(): void {
    if (this.emptied || this.replicas.length !== 0) return;
    this.emptied = true;
    // Not from inside the walk's own call: it ends the walk.
    setImmediate(() => this.onEmpty());
  }
}
