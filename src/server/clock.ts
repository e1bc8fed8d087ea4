/**
 * Wall-clock time in microseconds, as Redis's gettimeofday gives TIME and
 * MONITOR. Date.now() has only milliseconds, so the sub-millisecond part
 * comes from the monotonic clock, re-anchored to the wall clock whenever the
 * two disagree about the current millisecond (NTP steps, suspend).
 */
let offset = Date.now() - performance.now();

export function unixMicros(): number {
  const wall = Date.now();
  const mono = performance.now();
  let t = offset + mono;
  if (t < wall || t >= wall + 1) {
    offset = wall - mono;
    t = wall;
  }
  return Math.floor(t * 1000);
}
