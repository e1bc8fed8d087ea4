/** A client blocked in WAITAOF: the offset of its last write, and whether it asked for the local AOF. */
interface AofWait {
  woff: number;
  /** The replication offset of its last write, which replicas' FACK must reach. */
  replWoff: number;
  numlocal: number;
  numreplicas: number;
  /** The client's blocked state when it began to wait: a different one means this wait ended some other way. */
  state: unknown;
}

/** How a wait ends: the local count (0 or 1), or WAITAOF's error once appendonly is off. */
export type AofWaitEnd = { local: number; replicas: number } | { error: string };

export const WAITAOF_AOF_OFF = 'ERR WAITAOF cannot be used when numlocal is set but appendonly is disabled.';

/**
 * Clients blocked in WAITAOF until the AOF is on disk past their last write
 * and as many replicas have acknowledged theirs (Redis's clients_waiting_acks).
 * Checked each time an fsync moves the durable offset on, a replica
 * acknowledges, or appendonly changes.
 */
export class AofWaits<C extends { blocked: unknown }> {
  private readonly waiting = new Map<C, AofWait>();

  constructor(
    private readonly wake: (c: C, end: AofWaitEnd) => void,
    /** How many replicas' AOFs are fsynced past a replication offset. */
    private readonly replicasAt: (replWoff: number) => number = () => 0,
  ) {}

  get size(): number {
    return this.waiting.size;
  }

  /** After the client was blocked: its wait is served once the durable offset reaches `woff`. */
  add(c: C, woff: number, replWoff: number, numlocal: number, numreplicas: number): void {
    this.waiting.set(c, { woff, replWoff, numlocal, numreplicas, state: c.blocked });
  }

  /** The wait ended otherwise (its timeout, CLIENT UNBLOCK). */
  remove(c: C): void {
    this.waiting.delete(c);
  }

  /**
   * Serves the waits the durable offset `fsynced` covers; with appendonly
   * off, those that asked for the local copy get the error. Waits that
   * ended without a word here (the client went away) are dropped.
   */
  check(fsynced: number, aofEnabled: boolean): void {
    if (this.waiting.size === 0) return;
    for (const [c, w] of this.waiting) {
      if (c.blocked !== w.state) {
        this.waiting.delete(c);
        continue;
      }
      if (w.numlocal > 0 && !aofEnabled) {
        this.waiting.delete(c);
        this.wake(c, { error: WAITAOF_AOF_OFF });
        continue;
      }
      const local = fsynced >= w.woff ? 1 : 0;
      if (local < w.numlocal) continue;
      const replicas = w.numreplicas > 0 ? this.replicasAt(w.replWoff) : 0;
      if (replicas < w.numreplicas) continue;
      this.waiting.delete(c);
      this.wake(c, { local, replicas });
    }
  }
}
