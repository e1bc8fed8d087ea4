import { randomBytes } from 'node:crypto';
import type { Effect } from '../core/propagation.js';
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
  private readonly pending = new AofBuffer();

  /** Bytes fed but not yet handed out. */
  get pendingBytes(): number {
    return this.pending.length;
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
    const before = this.pending.length;
    for (const e of batch) {
      if (e.db !== this.selectedDb) {
        this.pending.appendCommand(['SELECT', String(e.db)]);
        this.selectedDb = e.db;
      }
      this.pending.appendCommand(e.argv);
    }
    this.offset += this.pending.length - before;
  }

  /** A command that belongs to no database (PING, REPLCONF GETACK *): never preceded by SELECT. */
  feedCommand(argv: readonly string[]): void {
    const before = this.pending.length;
    this.pending.appendCommand(argv);
    this.offset += this.pending.length - before;
  }

  /** Bytes as they came from this replica's own master (chaining). */
  feedRaw(bytes: Buffer): void {
    this.pending.appendBytes(bytes);
    this.offset += bytes.length;
  }

  /**
   * Takes the bytes fed since the last call into the backlog and returns
   * them for the replicas (null when there are none). The buffer returned
   * is the replicas' to keep: it is never written again.
   */
  take(): Buffer | null {
    if (this.pending.length === 0) return null;
    const bytes = this.pending.view();
    const out = Buffer.from(bytes);
    this.pending.clear();
    this.backlog?.feed(out);
    return out;
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
    this.pending.clear();
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
