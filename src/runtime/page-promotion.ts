import v8 from 'node:v8';
import { givenToNode } from './node-flags.js';

/**
 * The share of a young-generation page that must still be live for a
 * mark-compact to move the whole page into the old generation rather than
 * copy its survivors out one by one: 0, so that every page with anything
 * live on it is moved, where V8's default is 70%. Copying the young
 * generation's survivors was most of the longest mark-compacts under the
 * loads that keep part of what they write: a BullMQ load's were 6.0-10.1 ms
 * at 70% (`--trace-gc-nvp`: evacuate.copy 3.1 ms of 8.7) and 5.5-5.6 ms at
 * 0; the structures section's 6.7-11.5 ms against 4.8-6.7; 30% did half as
 * well as 0 (docs/benchmarks.md, 2026-11-26). What it costs is the dead
 * objects on a moved page, which stay there as free space of the old
 * generation until its sweeper reuses them: a few MB more of heap after
 * those loads. Scavenges do not move pages, so they are unchanged.
 */
const THRESHOLD_PERCENT = 0;

/**
 * Has V8 move whole young pages at mark-compacts (THRESHOLD_PERCENT),
 * unless node itself was given a threshold. Returns whether it set it.
 * Only for a process that is nothing but the server: the flag is global
 * to the isolate.
 */
export function promoteWholePages(): boolean {
  if (givenToNode('--page-promotion-threshold')) return false;
  v8.setFlagsFromString(`--page-promotion-threshold=${THRESHOLD_PERCENT}`);
  return true;
}
