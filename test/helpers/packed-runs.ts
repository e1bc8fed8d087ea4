import { packedRuns } from '../../src/queues/list/deque.js';
import { gc } from './gc.js';

/**
 * The blocks lists' packed chunks hold once collections stop giving any
 * back: those of deques earlier tests dropped (a flushed database, a list
 * never discarded) are found dead and released.
 */
export async function settledBlocks(): Promise<number> {
  for (let last = -1; packedRuns.slabs.blocksInUse !== last; ) {
    last = packedRuns.slabs.blocksInUse;
    gc();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  return packedRuns.slabs.blocksInUse;
}
