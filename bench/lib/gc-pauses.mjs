// Garbage-collection pauses of the Sluice servers a section started. Each
// Sluice runs with V8's --trace-gc, whose lines go to the server's log; when
// the server stops, its log is read here. A section's report then states
// the longest pause any of its Sluice servers took, and of what kind.
import { existsSync, readFileSync } from 'node:fs';

/** The node flag that makes V8 log every collection with its pause. */
export const TRACE_GC_FLAG = '--trace-gc';

// "[pid:0x…]   103 ms: Scavenge 12.1 (14.6) -> 11.0 (15.6) MB, 0.85 / 0.00 ms": the time since the
// process started, then the main thread's pause.
const LINE = /\s([0-9]+) ms: (Scavenge|Mark-Compact \(reduce\)|Mark-Compact|Minor Mark-Compact|Mark-sweep)[^,]*, ([0-9.]+) \/ [0-9.]+ ms/;
// A mark-compact's line also tells the incremental marking steps that ran on the main thread before it,
// "(+ 31.9 ms in 26 steps since start of marking, biggest step 28.3 ms, …)": each step stops the server too.
const STEPS = /\(\+ ([0-9.]+) ms in [0-9]+ steps? since start of marking, biggest step ([0-9.]+) ms/;

let collected = { count: 0, longestMs: 0, kind: null };

/**
 * The collections logged in a stopped server's log file: { count,
 * longestMs, kind, totalMs }, leaving out those of its start-up (before
 * `readyAfterMs`, when it began to accept connections), which happen before
 * any load, and those asked for. A mark-compact's incremental marking
 * steps count as pauses of their own (kind 'incremental marking step'),
 * and their time is in totalMs.
 */
export function gcPausesIn(logPath, readyAfterMs) {
  const found = { count: 0, longestMs: 0, kind: null, totalMs: 0 };
  if (!existsSync(logPath)) return found;
  for (const line of readFileSync(logPath, 'utf8').split('\n')) {
    const m = LINE.exec(line);
    // "testing": a collection a measurement asked for (MEMORY PURGE under --expose-gc), not one the load caused.
    if (m === null || Number(m[1]) < readyAfterMs || line.includes(' testing;')) continue;
    const ms = Number(m[3]);
    found.count++;
    found.totalMs += ms;
    if (ms > found.longestMs) {
      found.longestMs = ms;
      found.kind = m[2];
    }
    const steps = STEPS.exec(line);
    if (steps === null) continue;
    found.totalMs += Number(steps[1]);
    const step = Number(steps[2]);
    if (step > found.longestMs) {
      found.longestMs = step;
      found.kind = 'incremental marking step';
    }
  }
  return found;
}

/** Adds a stopped Sluice server's collections (gcPausesIn) to the section's. */
export function readGcLog(logPath, readyAfterMs) {
  const { count, longestMs, kind } = gcPausesIn(logPath, readyAfterMs);
  collected.count += count;
  if (longestMs > collected.longestMs) collected = { ...collected, longestMs, kind };
}

/** What was collected since the last call, and starts over. */
export function takeGcPauses() {
  const out = collected;
  collected = { count: 0, longestMs: 0, kind: null };
  return out;
}

/** One sentence for a section's report. */
export function describeGcPauses({ count, longestMs, kind }) {
  if (count === 0) return 'Sluice logged no garbage collection during this section.';
  return `Longest garbage-collection pause of Sluice during this section: ${longestMs.toFixed(2)} ms (${kind}), of ${count} collections (V8's --trace-gc; target ≤ 5 ms).`;
}
