import fs from 'node:fs';
import { strerror } from '../persistence/io.js';

/** oom-score-adj-values' process classes that exist here: a master and a replica (Sluice forks no background child). */
export const OOM_MASTER = 0;
export const OOM_REPLICA = 1;

/**
 * oom-score-adj (Redis's setOOMScoreAdj): the process's
 * /proc/self/oom_score_adj set to its class's value of
 * oom-score-adj-values, added to the value the process had before
 * (`yes`, `relative`) or as it is (`absolute`), clamped to ±1000. Turned
 * off, the value it had before is written back once; a process that
 * never turned it on is left alone. What fails (a system without the
 * file, or an unprivileged process lowering its value) is logged, and the
 * caller refuses the configuration that asked for it.
 */
export class OomScoreAdj {
  /** Whether the value was set here, and the one the process had before. */
  private adjusted = false;
  private base = 0;

  constructor(private readonly file = '/proc/self/oom_score_adj') {}

  /** Applies `mode` (no, yes, absolute) with `values` for class `cls`; false when it could not, the reason passed to `warn`. */
  apply(mode: string, values: readonly number[], cls: number, warn: (message: string) => void): boolean {
    let value: number;
    if (mode !== 'no') {
      if (!this.adjusted) {
        try {
          this.base = Number.parseInt(fs.readFileSync(this.file, 'latin1'), 10) || 0;
        } catch (e) {
          warn(`Unable to read oom_score_adj: ${strerror(e)}`);
          return false;
        }
        this.adjusted = true;
      }
      value = values[cls] + (mode === 'absolute' ? 0 : this.base);
      value = Math.max(-1000, Math.min(1000, value));
    } else if (this.adjusted) {
      this.adjusted = false;
      value = this.base;
    } else {
      return true;
    }
    try {
      fs.writeFileSync(this.file, `${value}\n`);
    } catch (e) {
      warn(`Unable to write oom_score_adj: ${strerror(e)}`);
      return false;
    }
    return true;
  }
}
