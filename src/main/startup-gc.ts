import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * One full collection at the end of start-up, so that used_memory_startup
 * is the heap the server keeps rather than that plus the garbage of
 * starting up: used_memory reads the heap until a maxmemory is set, and
 * Redis's tests (and users) set a limit just above what it reads. V8
 * gives a context created while --expose-gc is set its `gc`; the flag is
 * cleared again at once, so the server's own context never has one.
 */
export function collectStartupGarbage(): void {
  v8.setFlagsFromString('--expose-gc');
  let gc: () => void;
  try {
    gc = runInNewContext('gc') as () => void;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
  gc();
}
