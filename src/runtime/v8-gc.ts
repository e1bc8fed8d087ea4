import v8 from 'node:v8';
import { runInNewContext } from 'node:vm';

/** V8's gc(): a full collection, or with type 'minor' a scavenge. */
export type Gc = (options?: { type: 'minor' | 'major' }) => void;

/**
 * V8's gc(): V8 gives a context created while --expose-gc is set its
 * `gc`; the flag is cleared again at once, so the server's own context
 * never has one.
 */
export function v8Gc(): Gc {
  v8.setFlagsFromString('--expose-gc');
  try {
    return runInNewContext('gc') as Gc;
  } finally {
    v8.setFlagsFromString('--no-expose-gc');
  }
}
