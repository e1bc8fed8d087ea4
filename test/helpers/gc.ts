import v8 from 'node:v8';
import vm from 'node:vm';

v8.setFlagsFromString('--expose-gc');
/** A full collection, for tests that read what the heap or the finalizers hold once garbage is gone. */
export const gc = vm.runInNewContext('gc') as () => void;

/**
 * How much of V8's heap what `build` returns keeps in use, with garbage
 * collected before and after it ran; the result is handed back, kept
 * alive through the measurement, for the caller's checks.
 */
export function heapKeptBy<T>(build: () => T): { bytes: number; kept: T } {
  gc();
  const before = v8.getHeapStatistics().used_heap_size;
  const kept = build();
  gc();
  return { bytes: v8.getHeapStatistics().used_heap_size - before, kept };
}
