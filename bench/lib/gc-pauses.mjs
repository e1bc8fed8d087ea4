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

let collected = { count: 0, longestMs: 0, kind: null, phase: null, phases: new Map() };
/** What the section was doing from when, in order: [{ at (ms since the epoch), label }]. */
let phases = [];

/**
 * The section is starting `label` (the driver marks every message a
 * section logs, and a section may mark finer steps itself): a pause is
 * reported with the phase it fell in.
 */
export function markPhase(label) {
  phases.push({ at: Date.now(), label });
}

/** The label of the phase under way at `at` (ms since the epoch). */
function phaseAt(at) {
  let label = 'start-up of the section';
  for (const p of phases) {
    if (p.at > at) break;
    label = p.label;
  }
  return label;
}

/**
 * The collections logged in a stopped server's log file: { count,
 * longestMs, kind, totalMs }, leaving out those of its start-up (before
 * `readyAfterMs`, when it began to accept connections), which happen before
 * any load, and those asked for. A mark-compact's incremental marking
 * steps count as pauses of their own (kind 'incremental marking step'),
 * and their time is in totalMs. Given when the server was spawned
 * (`spawnedAt`, ms since the epoch), each pause is also placed in the
 * phase (markPhase) it fell in, `phases` holding each phase's longest
 * pause and its kind: V8 counts its times from when the isolate was
 * made, a few tens of milliseconds after the spawn.
 */
export function gcPausesIn(logPath, readyAfterMs, spawnedAt = null) {
  const found = { count: 0, longestMs: 0, kind: null, totalMs: 0, phase: null, phases: new Map() };
  if (!existsSync(logPath)) return found;
  for (const line of readFileSync(logPath, 'utf8').split('\n')) {
    const m = LINE.exec(line);
    // "testing": a collection a measurement asked for (MEMORY PURGE under --expose-gc), not one the load caused.
    if (m === null || Number(m[1]) < readyAfterMs || line.includes(' testing;')) continue;
    const ms = Number(m[3]);
    const phase = spawnedAt === null ? null : phaseAt(spawnedAt + Number(m[1]));
    found.count++;
    found.totalMs += ms;
    notePause(found, ms, m[2], phase);
    const steps = STEPS.exec(line);
    if (steps === null) continue;
    found.totalMs += Number(steps[1]);
    notePause(found, Number(steps[2]), 'incremental marking step', phase);
  }
  return found;
}

/** Keeps a pause if it is the longest so far, overall and of its phase. */
function notePause(found, ms, kind, phase) {
  if (ms > found.longestMs) Object.assign(found, { longestMs: ms, kind, phase });
  if (phase === null) return;
  const p = found.phases.get(phase);
  if (p === undefined || ms > p.longestMs) found.phases.set(phase, { longestMs: ms, kind });
}

/** Adds a stopped Sluice server's collections (gcPausesIn) to the section's. */
export function readGcLog(logPath, readyAfterMs, spawnedAt) {
  const found = gcPausesIn(logPath, readyAfterMs, spawnedAt);
  collected.count += found.count;
  if (found.longestMs > collected.longestMs) Object.assign(collected, { longestMs: found.longestMs, kind: found.kind, phase: found.phase });
  for (const [phase, p] of found.phases) {
    const had = collected.phases.get(phase);
    if (had === undefined || p.longestMs > had.longestMs) collected.phases.set(phase, p);
  }
}

/** What was collected since the last call, and starts over. */
export function takeGcPauses() {
  const out = collected;
  collected = { count: 0, longestMs: 0, kind: null, phase: null, phases: new Map() };
  phases = [];
  return out;
}

/** The target every section's pauses are held to. */
const TARGET_MS = 5;

/**
 * A section's report on its pauses: the longest and the phase it fell
 * in, then every phase whose longest pause was over the target.
 */
export function describeGcPauses({ count, longestMs, kind, phase, phases: byPhase }) {
  if (count === 0) return 'Sluice logged no garbage collection during this section.';
  const where = phase === null ? '' : `, during "${phase}"`;
  const lines = [`Longest garbage-collection pause of Sluice during this section: ${longestMs.toFixed(2)} ms (${kind}${where}), of ${count} collections (V8's --trace-gc; target ≤ ${TARGET_MS} ms).`];
  const over = [...byPhase].filter(([, p]) => p.longestMs > TARGET_MS);
  if (over.length > 1) {
    lines.push('', `Phases with a pause over ${TARGET_MS} ms:`, '');
    for (const [label, p] of over) lines.push(`- ${label}: ${p.longestMs.toFixed(2)} ms (${p.kind})`);
  }
  return lines.join('\n');
}
