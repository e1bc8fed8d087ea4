/**
 * Redis's LRU clock: seconds, wrapping at 24 bits (what fits beside an
 * object's type and encoding). Idle times are read modulo the wrap, as
 * estimateObjectIdleTime does, so they stay right for 194 days.
 */
export const LRU_CLOCK_MAX = (1 << 24) - 1;
const RESOLUTION_MS = 1000;

export function lruClock(nowMs: number): number {
  return Math.floor(nowMs / RESOLUTION_MS) & LRU_CLOCK_MAX;
}

/** Milliseconds since a key stamped with `clock` was last accessed. */
export function idleMs(clock: number, nowMs: number): number {
  const now = lruClock(nowMs);
  const ticks = now >= clock ? now - clock : now + (LRU_CLOCK_MAX - clock);
  return ticks * RESOLUTION_MS;
}
