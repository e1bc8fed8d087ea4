/**
 * One effect of a write, in the deterministic form a replica or the AOF
 * replays: the database it applies to and its arguments as byte strings.
 * Transactions and multi-effect commands arrive wrapped in MULTI … EXEC.
 */
export interface Effect {
  db: number;
  argv: string[];
  /** For replicas alone, never the AOF (PUBLISH: Redis's PROPAGATE_REPL). */
  replicasOnly?: boolean;
  /** For the AOF alone, never the replicas (a script's write after redis.set_repl(redis.REPL_AOF)). */
  aofOnly?: boolean;
}

/** Where effects go: Redis's PROPAGATE_AOF and PROPAGATE_REPL, the values of redis.set_repl's REPL_AOF and REPL_SLAVE. */
export const TO_AOF = 1;
export const TO_REPLICAS = 2;
export const TO_ALL = TO_AOF | TO_REPLICAS;

/** The effects of a batch that belong in the AOF: all but those for replicas alone (MULTI and EXEC stay, as Redis writes them). */
export function aofEffects(batch: readonly Effect[]): readonly Effect[] {
  for (const e of batch) if (e.replicasOnly === true) return batch.filter((f) => f.replicasOnly !== true);
  return batch;
}

/** The effects of a batch that go to replicas: all but those for the AOF alone (MULTI and EXEC stay, as Redis sends them). */
export function replicaEffects(batch: readonly Effect[]): readonly Effect[] {
  for (const e of batch) if (e.aofOnly === true) return batch.filter((f) => f.aofOnly !== true);
  return batch;
}

/** The command a deletion the server decides on propagates as: UNLINK under lazyfree-lazy-server-del, else DEL (Redis's propagateDeletion). */
export function deletionCommand(config: { bool(name: string): boolean }): 'UNLINK' | 'DEL' {
  return config.bool('lazyfree-lazy-server-del') ? 'UNLINK' : 'DEL';
}

export type EffectListener = (effects: readonly Effect[]) => void;

const MULTI: string[] = ['MULTI'];
const EXEC: string[] = ['EXEC'];

/**
 * The database of an effect that belongs to none: the MULTI and EXEC that
 * wrap a batch. As Redis 7.2 propagates them, no SELECT goes before them:
 * the first command inside that needs one is preceded by it.
 */
export const NO_DB = -1;

/**
 * The propagation stream (DESIGN principle 5). Commands record effects while
 * they run; when the outermost call ends the batch is published, wrapped in
 * MULTI/EXEC when it holds more than one effect. As in Redis 7, a single
 * effect (a lone command, or a transaction that wrote once) is not wrapped:
 * one command is atomic already.
 */
export class PropagationStream {
  private readonly listeners: EffectListener[] = [];
  /** How many of the listeners take the effects of commands a master's stream applies. */
  private masterListeners = 0;
  private pending: Effect[] = [];
  /** Nesting of open batches (a command, a transaction, a script). */
  private depth = 0;

  /** True when anyone listens: commands skip building effects otherwise. */
  get active(): boolean {
    return this.listeners.length > 0;
  }

  /**
   * True when anyone listens for the effects of commands applied from a
   * master's stream (the AOF): a replica's own replicas get the master's
   * bytes instead, so the master's client need not build effects for them.
   */
  get activeForMaster(): boolean {
    return this.masterListeners > 0;
  }

  /** `fromMaster`: whether the listener takes the effects of the commands of a master's stream. */
  subscribe(listener: EffectListener, fromMaster = true): () => void {
    this.listeners.push(listener);
    if (fromMaster) this.masterListeners++;
    return () => {
      const i = this.listeners.indexOf(listener);
      if (i < 0) return;
      this.listeners.splice(i, 1);
      if (fromMaster) this.masterListeners--;
    };
  }

  /** Whether the open batch's effects go unwrapped (see begin). */
  private unwrapped = false;

  /**
   * Opens a batch, or a level within one. `unwrapped` for the outermost
   * level of a command that may expire keys it does not name (SCAN,
   * RANDOMKEY): its effects propagate each alone, as Redis 7.2 leaves them
   * unwrapped.
   */
  begin(unwrapped = false): void {
    if (this.depth++ === 0) this.unwrapped = unwrapped;
  }

  /** Where the effects recorded now go (TO_ALL unless a script's redis.set_repl narrows it; 0: nowhere). */
  targets = TO_ALL;

  /** Effects recorded so far: a count that did not move during a command means nothing took its argv. */
  recorded = 0;

  record(db: number, argv: string[], replicasOnly = false): void {
    if (this.listeners.length === 0) return;
    const to = replicasOnly ? this.targets & TO_REPLICAS : this.targets;
    if (to === 0) return;
    this.recorded++;
    this.pending.push(to === TO_ALL ? { db, argv } : to === TO_REPLICAS ? { db, argv, replicasOnly: true } : { db, argv, aofOnly: true });
    if (this.depth === 0) this.flush();
  }

  /** Drops what the open batch recorded: a script stopped halfway by SHUTDOWN NOSAVE never reaches the AOF. */
  discardPending(): void {
    this.pending = [];
  }

  end(): void {
    if (--this.depth === 0 && this.pending.length !== 0) this.flush();
  }

  private flush(): void {
    const effects = this.pending;
    if (effects.length === 0) return;
    this.pending = [];
    let batch = effects;
    if (effects.length > 1 && !this.unwrapped) {
      batch = [{ db: NO_DB, argv: MULTI }, ...effects, { db: NO_DB, argv: EXEC }];
    }
    for (const l of this.listeners) l(batch);
  }
}
