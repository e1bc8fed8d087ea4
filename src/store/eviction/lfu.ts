/**
 * Redis's LFU counter (evict.c): 8 bits of logarithmic access count and 16
 * bits of minutes since the last decrement, packed as `minutes << 8 | counter`.
 * A hit raises the counter with probability 1 / ((counter - 5) * factor + 1),
 * so it takes about a million hits to reach 255 at the default factor of 10;
 * every `lfu-decay-time` minutes without access take one off.
 */
export const LFU_INIT_VAL = 5;
const COUNTER_MAX = 255;
const MINUTES_MASK = 65535;

export function lfuMinutes(nowMs: number): number {
  return Math.floor(nowMs / 60000) & MINUTES_MASK;
}

export function lfuPack(minutes: number, counter: number): number {
  return (minutes << 8) | counter;
}

/** Minutes since `ldt`, reading the 16-bit minute clock modulo its wrap. */
function elapsedMinutes(ldt: number, nowMs: number): number {
  const now = lfuMinutes(nowMs);
  return now >= ldt ? now - ldt : MINUTES_MASK - ldt + now;
}

/** The counter of a packed stamp after the decay due by now (OBJECT FREQ reads this). */
export function lfuDecayed(packed: number, nowMs: number, decayTime: number): number {
  const counter = packed & 0xff;
  if (decayTime === 0) return counter;
  const periods = Math.floor(elapsedMinutes(packed >>> 8, nowMs) / decayTime);
  return periods > counter ? 0 : counter - periods;
}

export function lfuLogIncr(counter: number, factor: number, random: () => number = Math.random): number {
  if (counter === COUNTER_MAX) return counter;
  const base = Math.max(0, counter - LFU_INIT_VAL);
  return random() < 1 / (base * factor + 1) ? counter + 1 : counter;
}
