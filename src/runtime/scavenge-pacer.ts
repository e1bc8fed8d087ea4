import v8 from 'node:v8';
import { givenToNode } from './node-flags.js';
import { v8Gc } from './v8-gc.js';

/** While pacing, a scavenge runs once this much has been allocated since the last one. */
const PACED_ALLOCATION = 3 * 1024 * 1024;
/**
 * A scavenge that keeps this share of the new space or more found a load
 * that keeps what arrives, or objects caught in flight (replies waiting
 * for their socket, say); under less, a load that keeps nothing.
 */
const HIGH_SURVIVAL = 0.1;
/**
 * Which of the two it was, the next scavenge tells: what a load keeps is
 * still alive then and is promoted, at least this share of what the one
 * before kept, while what was in flight has mostly died.
 */
const KEPT_SHARE = 0.5;
/**
 * A scavenge of V8's that promoted this much copied what the one before
 * had kept and found still alive: a load that keeps what it writes.
 */
const PROMOTION_THAT_STARTS_PACING = 1024 * 1024;
/** Paced scavenges in a row that find the load not keeping what it writes (see scavenge) end the pacing. */
const MISSES_THAT_END_PACING = 2;
/** How often, in ms of the server's turns, the pacer looks at the heap. */
const POLL_MS = 1;
/** A gap between turns this long (ms) ends a burst of work: the next one gets a probe. */
const IDLE_GAP_MS = 50;

export interface ScavengePacer {
  /**
   * Called as the server's turns start (Server.setTurnHook), with
   * performance.now(); answers when it wants to be called next.
   */
  poll(now: number): number;
  /** Whether scavenges are being paced now. */
  readonly pacing: boolean;
  /** Scavenges the pacer has run, probes included. */
  readonly scavenges: number;
}

/** What the young and the old generation hold, in bytes. */
interface Used {
  young: number;
  old: number;
}

function used(into: Used): Used {
  for (const s of v8.getHeapSpaceStatistics()) {
    if (s.space_name === 'new_space') into.young = s.space_used_size;
    else if (s.space_name === 'old_space') into.old = s.space_used_size;
  }
  return into;
}

/**
 * Scavenges early while what arrives survives. A scavenge copies what is
 * alive in the new space, and the one after copies it again into the old
 * generation, so its pause grows with what the load keeps between two of
 * them. V8 waits for a full semi-space (16 MiB, young-generation.ts):
 * with a million small hashes, lists, sets and sorted sets arriving,
 * about 2 MB of each 13 MB survived and its scavenges took 5.7-8.9 ms.
 * The pacer runs one itself (V8's gc(), v8-gc.ts) after every
 * PACED_ALLOCATION allocated while the load keeps what it writes, which
 * copies the same objects in shorter pauses (2.1-2.7 ms for that load,
 * and less time in scavenges in all; docs/benchmarks.md, 2026-11-26
 * evening). It learns that from a probe, one scavenge at PACED_ALLOCATION
 * into each burst of work that keeps HIGH_SURVIVAL of the new space, or
 * from a scavenge of V8's that promoted PROMOTION_THAT_STARTS_PACING; it
 * goes on while each of its scavenges keeps HIGH_SURVIVAL and promotes
 * KEPT_SHARE of what the one before kept. Under loads that keep nothing a
 * probe is all they pay. Objects that are only in flight (replies waiting
 * for a slow socket) survive one scavenge but not the next: scavenging
 * early would promote those that live a little longer than its interval,
 * garbage for mark-compacts to find (LRANGE_600 at -P 16 took 5,841
 * collections and a 10.9 ms scavenge when pacing went on survival alone),
 * so they end the pacing within a few of its scavenges. It runs from the
 * server's turns (a look at the heap at most every POLL_MS, half a
 * microsecond), never on a timer, so an idle server is never woken for
 * it. Only for a process that is nothing but the server (sluice-server);
 * a semi-space size given to node itself stands, unpaced.
 */
export function scavengePacer(): ScavengePacer | null {
  if (givenToNode('--max-semi-space-size') || givenToNode('--min-semi-space-size')) return null;
  const gc = v8Gc();
  const now = used({ young: 0, old: 0 });
  /** The heap at the last poll, and the young generation's use right after the last scavenge seen. */
  const last = { ...now };
  let base = now.young;
  let lastPoll = -Infinity;
  let pacing = false;
  let probeDue = true;
  /** What the pacer's last scavenge kept in the new space (0 when it was not pacing), and the old generation's use right after it. */
  let kept = 0;
  let oldAfter = 0;
  /** Paced scavenges in a row that did not find the load keeping what it writes. */
  let misses = 0;
  let scavenges = 0;

  /**
   * Runs a scavenge of the pacer's; answers whether it found the load
   * keeping what it writes. What it promoted is told by the old
   * generation's growth, unless that shrank since the last one (a
   * mark-compact, or sweeping after one, frees old space as it goes):
   * then only the survival counts.
   */
  const scavenge = (): boolean => {
    const before = now.young;
    const oldBefore = now.old;
    gc({ type: 'minor' });
    scavenges++;
    used(now);
    const keepsMuch = now.young >= before * HIGH_SURVIVAL;
    const judged = kept !== 0 && oldBefore >= oldAfter && now.old >= oldBefore;
    const promotedKept = !judged || now.old - oldBefore >= kept * KEPT_SHARE;
    oldAfter = now.old;
    return keepsMuch && promotedKept;
  };

  return {
    poll(time: number): number {
      if (time - lastPoll >= IDLE_GAP_MS) probeDue = true;
      lastPoll = time;
      used(now);
      if (now.young < last.young) {
        // V8 scavenged since the last poll: what is in use now is what it left, and the little allocated since.
        base = now.young;
        if (!pacing && now.old - last.old >= PROMOTION_THAT_STARTS_PACING) {
          pacing = true;
          kept = 0;
          misses = 0;
        }
      }
      if (now.young - base >= PACED_ALLOCATION && (pacing || probeDue)) {
        probeDue = false;
        const keeping = scavenge();
        // A probe decides at once; pacing ends after MISSES_THAT_END_PACING misses in a row.
        misses = keeping ? 0 : misses + 1;
        if (!pacing) pacing = keeping;
        else if (misses >= MISSES_THAT_END_PACING) pacing = false;
        kept = pacing ? now.young : 0;
        base = now.young;
      }
      last.young = now.young;
      last.old = now.old;
      return time + POLL_MS;
    },
    get pacing() {
      return pacing;
    },
    get scavenges() {
      return scavenges;
    },
  };
}
