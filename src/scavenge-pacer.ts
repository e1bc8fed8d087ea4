import v8 from 'node:v8';
import { givenToNode } from './node-flags.js';
import { type Gc, v8Gc } from './v8-gc.js';

/** While pacing, a scavenge runs once this much has been allocated since the last one. */
export const PACED_ALLOCATION = 3 * 1024 * 1024;
/**
 * A scavenge (V8's or a probe) that kept this share of the new space found
 * a load that keeps what it writes; one that kept less, a load that keeps
 * little.
 */
export const HIGH_SURVIVAL = 0.1;
/**
 * What a scavenge of V8's that leaves this much in the new space kept
 * tells the same: V8's next one would copy it again and promote it along
 * with as much of what arrives meanwhile.
 */
export const SURVIVORS_THAT_START_PACING = 1024 * 1024;
/** Paced scavenges in a row that keep less than HIGH_SURVIVAL end the pacing. */
const LOW_SURVIVAL_STREAK = 2;
/** How often, in ms of the server's turns, the pacer looks at the new space. */
const POLL_MS = 1;
/** A gap between turns this long (ms) ends a burst of work: the next one gets a probe. */
const IDLE_GAP_MS = 50;

export interface ScavengePacer {
  /**
   * Called as the server's turns start (Server.turnHook), with
   * performance.now(); answers when it wants to be called next.
   */
  poll(now: number): number;
  /** Whether scavenges are being paced now. */
  readonly pacing: boolean;
  /** Scavenges the pacer has run, probes included. */
  readonly scavenges: number;
}

function newSpaceUsed(): number {
  for (const s of v8.getHeapSpaceStatistics()) if (s.space_name === 'new_space') return s.space_used_size;
  return 0;
}

/**
 * Scavenges early while what arrives survives. A scavenge copies what is
 * alive in the new space, and the one after copies it again into the old
 * generation, so its pause grows with what the load keeps between two of
 * them. V8 waits for a full semi-space (16 MiB, young-generation.ts):
 * with a million small hashes, lists, sets and sorted sets arriving,
 * about 2 MB of each 13 MB survived and its scavenges took 5.7-8.9 ms.
 * The pacer runs one itself (V8's gc(), v8-gc.ts) after every
 * PACED_ALLOCATION allocated while they keep HIGH_SURVIVAL or more of it,
 * which copies the same objects in shorter pauses (at most 3.1-4.2 ms for
 * that load, and about as much time in scavenges in all;
 * docs/benchmarks.md, 2026-11-26 evening). It learns that a load keeps
 * what it writes from a probe, one scavenge at PACED_ALLOCATION into each
 * burst of work, or from a scavenge of V8's that left
 * SURVIVORS_THAT_START_PACING behind; it stops after paced scavenges that
 * find little alive, as under the loads that keep nothing, where each
 * scavenge would cost its fixed work for nothing, and a probe is all they
 * pay. It runs from the server's turns (a look at the new space at most
 * every POLL_MS, half a microsecond), never on a timer, so an idle server
 * is never woken for it. Only for a process that is nothing but the
 * server (sluice-server); a semi-space size given to node itself stands,
 * unpaced.
 */
export function scavengePacer(gc: Gc = v8Gc()): ScavengePacer | null {
  if (givenToNode('--max-semi-space-size') || givenToNode('--min-semi-space-size')) return null;
  /** The new space in use right after the last scavenge seen, and at the last poll. */
  let base = newSpaceUsed();
  let last = base;
  let lastPoll = -Infinity;
  let pacing = false;
  let probeDue = true;
  let lowSurvival = 0;
  let scavenges = 0;

  const scavenge = (used: number): boolean => {
    gc({ type: 'minor' });
    scavenges++;
    base = last = newSpaceUsed();
    return base >= used * HIGH_SURVIVAL;
  };

  return {
    poll(now: number): number {
      if (now - lastPoll >= IDLE_GAP_MS) probeDue = true;
      lastPoll = now;
      const used = newSpaceUsed();
      if (used < last) {
        // V8 scavenged since the last poll: what is in use now is what it left, and the little allocated since.
        base = used;
        if (used >= SURVIVORS_THAT_START_PACING && !pacing) {
          pacing = true;
          lowSurvival = 0;
        }
      }
      last = used;
      if (used - base < PACED_ALLOCATION || !(pacing || probeDue)) return now + POLL_MS;
      if (pacing) {
        lowSurvival = scavenge(used) ? 0 : lowSurvival + 1;
        if (lowSurvival >= LOW_SURVIVAL_STREAK) pacing = false;
      } else {
        probeDue = false;
        pacing = scavenge(used);
        lowSurvival = 0;
      }
      return now + POLL_MS;
    },
    get pacing() {
      return pacing;
    },
    get scavenges() {
      return scavenges;
    },
  };
}
