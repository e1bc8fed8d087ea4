import { randomBytes } from 'node:crypto';
import { type Effect, NO_DB } from '../core/propagation.js';
import { AofBuffer } from '../persistence/aof-buffer.js';
import { ReplicationBacklog } from './backlog.js';

/** The replid2 of a history with no predecessor: forty zeros, as Redis prints it. */
export const NO_REPLID = '0'.repeat(40);

/** A fresh replication id: 40 random hex digits. */
export function newReplid(): string {
  return randomBytes(20).toString('hex');
}

/**
 * The replication stream as Redis counts it: one history (replid) of bytes,
 * `offset` being master_repl_offset, the number of bytes ever fed. Effects
 * become RESP commands here, with SELECT only where the database changes;
 * the bytes gather during a turn and are handed out (to the backlog and
 * every replica) once at its end, as Redis writes to replicas before it
 * sleeps. On a replica the stream is not generated but proxied: the exact
 * bytes applied from its master are fed raw, so that a chain shares one
 * history.
 */
export class ReplicationStream {
  replid = newReplid();
  /** The history this one continues (after a promotion), valid up to secondOffset. */
  replid2 = NO_REPLID;
  secondOffset = -1;
  offset = 0;
  backlog: ReplicationBacklog | null = null;
  /** The database the stream's commands apply to now; -1 forces a SELECT before the next command. */
  selectedDb = -1;
  /** Bytes fed before what `generated` and the run hold, in order, each one the stream's to keep. */
  private parts: Buffer[] = [];
  private partsBytes = 0;
  /** Commands made here (feedEffects, feedCommand) after `parts`, in a buffer used again. */
  private readonly generated = new AofBuffer();
  /**
   * Proxied bytes fed after `parts` and not made a part yet: run[runStart,
   * runEnd). A replica's commands come one after another from the same
   * chunk read from its master, so a read's worth of them extends one run,
   * handed out as it is rather than copied command by command.
   */
  private run: Buffer | null = null;
  private runStart = 0;
  private runEnd = 0;

  /** Bytes fed but not yet handed out. */
  get pendingBytes(): number {
    return this.partsBytes + this.generated.length + this.runEnd - this.runStart;
  }

  /** The run becomes a part: what is fed next goes after it. */
  private endRun(): void {
    const run = this.run;
    if (run === null) return;
    this.addPart(run.subarray(this.runStart, this.runEnd));
    this.run = null;
    this.runStart = this.runEnd = 0;
  }

  /** The commands made so far become a part (a copy: `generated` is used again). */
  private endGenerated(): void {
    if (this.generated.length === 0) return;
    this.addPart(Buffer.from(this.generated.view()));
    this.generated.clear();
  }

  private addPart(bytes: Buffer): void {
    this.parts.push(bytes);
    this.partsBytes += bytes.length;
  }

  /** Creates the backlog on the first replica (Redis's createReplicationBacklog). */
  ensureBacklog(size: number): ReplicationBacklog {
    if (this.backlog === null) this.backlog = new ReplicationBacklog(size, this.offset);
    return this.backlog;
  }

  /** Frees the backlog (repl-backlog-ttl with no replica left): partial resyncs are impossible from now on. */
  dropBacklog(): void {
    this.backlog = null;
  }

  /** Effects of one unit of execution, already wrapped in MULTI/EXEC when there are several. */
  feedEffects(batch: readonly Effect[]): void {
    this.endRun();
    const generated = this.generated;
    const before = generated.length;
    for (const e of batch) {
      if (e.db !== this.selectedDb && e.db !== NO_DB) {
        generated.appendCommand(['SELECT', String(e.db)]);
        this.selectedDb = e.db;
      }
      generated.appendCommand(e.argv);
    }
    this.offset += generated.length - before;
  }

  /** A command that belongs to no database (PING, REPLCONF GETACK *): never preceded by SELECT. */
  feedCommand(argv: readonly string[]): void {
    this.endRun();
    const before = this.generated.length;
    this.generated.appendCommand(argv);
    this.offset += this.generated.length - before;
  }

  /** Bytes as they came from this replica's own master (chaining); never written again, as they may be handed out as they are. */
  feedRaw(bytes: Buffer): void {
    this.endRun();
    this.endGenerated();
    this.addPart(bytes);
    this.offset += bytes.length;
  }

  /**
   * bytes[start, end), as feedRaw; `bytes` must never be written again
   * (a chunk read from the master), as it may be handed out as it is.
   */
  feedRawRange(bytes: Buffer, start: number, end: number): void {
    if (bytes !== this.run || start !== this.runEnd) {
      this.endRun();
      this.endGenerated();
      this.run = bytes;
      this.runStart = start;
    }
    this.runEnd = end;
    this.offset += end - start;
  }

  /**
   * Takes the bytes fed since the last call into the backlog and returns
   * them for the replicas: null when there are none, or when `forReplicas`
   * is false (no replica to send them to: they are not gathered in one
   * buffer then). The buffer returned is the replicas' to keep: it is never
   * written again.
   */
  take(forReplicas = true): Buffer | null {
    this.endRun();
    this.endGenerated();
    const parts = this.parts;
    if (parts.length === 0) return null;
    this.parts = [];
    this.partsBytes = 0;
    const backlog = this.backlog;
    if (backlog !== null) for (const p of parts) backlog.feed(p);
    if (!forReplicas) return null;
    return parts.length === 1 ? parts[0] : Buffer.concat(parts);
  }

  /**
   * A new history (REPLICAOF NO ONE, FAILOVER): the old id becomes replid2,
   * valid up to the current offset, so that replicas of the old history can
   * continue with a partial resync.
   */
  shiftReplid(): void {
    this.replid2 = this.replid;
    this.secondOffset = this.offset + 1;
    this.replid = newReplid();
  }

  /** Adopts a master's history (a full sync, or +CONTINUE with a new id). */
  adopt(replid: string, offset: number): void {
    this.replid = replid;
    this.offset = offset;
    this.replid2 = NO_REPLID;
    this.secondOffset = -1;
    this.parts = [];
    this.partsBytes = 0;
    this.generated.clear();
    this.run = null;
    this.runStart = this.runEnd = 0;
    this.selectedDb = -1;
    if (this.backlog !== null) this.backlog = new ReplicationBacklog(this.backlog.size, offset);
  }

  /** Whether PSYNC <replid> <offset> may continue from what this stream holds (Redis's masterTryPartialResynchronization). */
  canContinue(replid: string, offset: number): boolean {
    if (replid !== this.replid && !(replid === this.replid2 && offset <= this.secondOffset)) return false;
    const b = this.backlog;
    return b !== null && b.holds(offset);
  }
}
