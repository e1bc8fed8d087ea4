import type { ListValue } from '../../queues/list.js';
import { nodeEnds } from '../../queues/listpack-size.js';

/**
 * Where a quicklist's nodes would end for this list had it been pushed
 * from the tail under list-max-listpack-size `fill`. Sluice does not keep
 * node boundaries, so a list built otherwise gets the boundaries of the
 * same elements pushed in order; any split loads the same list.
 */
export function quicklistNodes(list: ListValue, fill: number): number[] {
  return nodeEnds((take) => list.each(take), fill);
}
