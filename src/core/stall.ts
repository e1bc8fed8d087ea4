const STALL = new Int32Array(new SharedArrayBuffer(4));

/** Blocks the thread for `micros` microseconds, as Redis's usleep in its testing aids (DEBUG SLEEP, AOF-FLUSH-SLEEP). */
export function stall(micros: number): void {
  if (micros > 0) Atomics.wait(STALL, 0, 0, micros / 1000);
}

/**
 * Redis's debugDelay, behind key-load-delay: a positive delay is slept
 * whole; a negative -N sleeps one microsecond about once in N calls, a
 * delay shorter than any sleep spread over many keys.
 */
export function debugDelay(micros: number): void {
  stall(micros >= 0 ? micros : Math.random() * -micros < 1 ? 1 : 0);
}
