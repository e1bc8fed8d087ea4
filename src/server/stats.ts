import { performance } from 'node:perf_hooks';
import { InstantMetric, SAMPLE_PERIOD_MS } from './instant-metrics.js';

/** The event loop's busy time so far, in µs (Node measures it; Redis sums its cycles' durations). */
function loopActiveUsec(): number {
  return performance.eventLoopUtilization().active * 1000;
}

/** Commands served by every server of this process (whether the code it compiled is worth keeping: main/load-bundle.ts). */
let servedInProcess = 0;
export const commandsServed = (): number => servedInProcess;

/** Server-wide counters that INFO stats and errorstats report. */
export class ServerStats {
  commandsProcessed = 0;
  /** Reads from client sockets, and writes of replies to them (total_reads_processed, total_writes_processed). */
  readsProcessed = 0;
  writesProcessed = 0;
  /** Event-loop turns that served clients or ran the cron (eventloop_cycles). */
  eventloopCycles = 0;
  /** Time spent in active expiry, and slices it ended for lack of time (expire_cycle_cpu_milliseconds, expired_time_cap_reached_count). */
  expireCycleUsec = 0;
  expireTimeCapReached = 0;
  /** INFO debug: time writing the AOF before replies, time in the cron, the longest turn (µs), the most commands a turn ran. */
  aofUsec = 0;
  cronUsec = 0;
  cycleMaxUsec = 0;
  cmdPerCycleMax = 0;
  private commandsAtCycle = 0;
  /** The event loop's busy time when the counters were last reset. */
  private loopActiveAtReset = loopActiveUsec();
  private lastSampleMs = -Infinity;
  readonly instantOps = new InstantMetric(1000);
  readonly instantInput = new InstantMetric(1000);
  readonly instantOutput = new InstantMetric(1000);
  readonly instantCycles = new InstantMetric(1_000_000);
  readonly instantCycleUsec = new InstantMetric(1);
  connectionsReceived = 0;
  rejectedConnections = 0;
  totalErrorReplies = 0;
  /** Errors replied to the AOF's replay, the master or a replica (INFO unexpected_error_replies). */
  unexpectedErrorReplies = 0;
  clientQueryBufferLimitDisconnections = 0;
  clientOutputBufferLimitDisconnections = 0;
  netInputBytes = 0;
  netOutputBytes = 0;
  /** Error replies by their first word ("ERR", "WRONGTYPE"…), as INFO errorstats. */
  errors = new Map<string, number>();

  countError(message: string): void {
    this.totalErrorReplies++;
    const space = message.indexOf(' ');
    const code = space === -1 ? message : message.slice(0, space);
    // Redis caps distinct error codes at 128 to keep errorstats bounded.
    if (!this.errors.has(code) && this.errors.size >= 128) return;
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  /** A turn of the event loop ended: `startedAt` and `now` from performance.now(). */
  endCycle(startedAt: number, now: number): void {
    this.eventloopCycles++;
    const usec = (now - startedAt) * 1000;
    if (usec > this.cycleMaxUsec) this.cycleMaxUsec = usec;
    const commands = this.commandsProcessed - this.commandsAtCycle;
    if (commands > this.cmdPerCycleMax) this.cmdPerCycleMax = commands;
    servedInProcess += commands;
    this.commandsAtCycle = this.commandsProcessed;
  }

  /** eventloop_duration_sum: µs the event loop has been busy since start or CONFIG RESETSTAT. */
  get eventloopUsec(): number {
    return Math.floor(loopActiveUsec() - this.loopActiveAtReset);
  }

  /** The cron's part: a sample of each instantaneous figure every 100 ms, as Redis's cron takes them. */
  sampleInstant(nowMs: number): void {
    if (nowMs - this.lastSampleMs < SAMPLE_PERIOD_MS) return;
    this.lastSampleMs = nowMs;
    this.instantOps.sample(this.commandsProcessed, nowMs);
    this.instantInput.sample(this.netInputBytes, nowMs);
    this.instantOutput.sample(this.netOutputBytes, nowMs);
    this.instantCycles.sample(this.eventloopCycles, nowMs * 1000);
    this.instantCycleUsec.sample(this.eventloopUsec, this.eventloopCycles);
  }

  reset(): void {
    this.readsProcessed = 0;
    this.writesProcessed = 0;
    this.eventloopCycles = 0;
    this.expireCycleUsec = 0;
    this.expireTimeCapReached = 0;
    this.aofUsec = 0;
    this.cronUsec = 0;
    this.cycleMaxUsec = 0;
    this.cmdPerCycleMax = 0;
    this.commandsAtCycle = 0;
    this.loopActiveAtReset = loopActiveUsec();
    for (const m of [this.instantOps, this.instantInput, this.instantOutput, this.instantCycles, this.instantCycleUsec]) m.reset();
    this.commandsProcessed = 0;
    this.connectionsReceived = 0;
    this.rejectedConnections = 0;
    this.totalErrorReplies = 0;
    this.unexpectedErrorReplies = 0;
    this.clientQueryBufferLimitDisconnections = 0;
    this.clientOutputBufferLimitDisconnections = 0;
    this.netInputBytes = 0;
    this.netOutputBytes = 0;
    this.errors.clear();
  }
}
