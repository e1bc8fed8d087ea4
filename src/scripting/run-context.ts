import type { Ctx } from '../core/context.js';
import type { ScriptFlags } from './shebang.js';

/** redis.set_repl's flags: where a script's writes propagate. */
export const REPL_AOF = 1;
export const REPL_REPLICA = 2;
export const REPL_ALL = REPL_AOF | REPL_REPLICA;

/** One script or function running (Redis's scriptRunCtx). */
export class RunContext {
  /** Writes are refused (EVAL_RO, FCALL_RO, or a script declared no-writes). */
  readonly readOnly: boolean;
  /** Commands that may grow memory run even over maxmemory. */
  readonly allowOom: boolean;
  /** allow-cross-slot-keys, or no shebang: in cluster mode, the keys it calls commands with may hash to several (local) slots. */
  readonly allowCrossSlot: boolean;
  /** The script has called a write command: it can no longer be killed, nor refused a write for memory. */
  writeDirty = false;
  /** Past busy-reply-threshold: others are told it is busy, and it may be killed. */
  timedOut = false;
  killed = false;
  /** Stopped by SHUTDOWN NOSAVE, written or not: its effects are dropped, as Redis exits before propagating them. */
  aborted = false;
  /** When (performance.now()) other clients were last served while this script is busy. */
  lastServed = 0;
  repl = REPL_ALL;

  constructor(
    readonly caller: Ctx,
    /** The script's SHA for EVAL, the function's name for FCALL: how errors and logs name it. */
    readonly name: string,
    readonly evalMode: boolean,
    flags: ScriptFlags,
    ro: boolean,
    /** Over maxmemory when the script started. */
    readonly overMemory: boolean,
    /** When it started (performance.now()'s clock). */
    readonly startedAt: number,
  ) {
    this.readOnly = ro || (!flags.compat && flags.noWrites);
    this.allowOom = !flags.compat && flags.allowOom;
    this.allowCrossSlot = flags.compat || flags.allowCrossSlot;
  }
}
