/** A save point of the `save` parameter: save after `seconds` if at least `changes` writes were made. */
export interface SavePoint {
  seconds: number;
  changes: number;
}

/**
 * The first save point that is due (Redis's serverCron test: at least
 * `changes` changes since the last save, and more than `seconds` since
 * it), or null. `points` is the normalised `save` parameter.
 */
export function nextSavePoint(points: string, changes: number, secondsSince: number): SavePoint | null {
  if (points === '') return null;
  const w = points.split(' ');
  for (let j = 0; j + 1 < w.length; j += 2) {
    const seconds = Number(w[j]);
    const needed = Number(w[j + 1]);
    if (changes >= needed && secondsSince > seconds) return { seconds, changes: needed };
  }
  return null;
}
