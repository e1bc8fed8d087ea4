/** How many samples a rate is averaged over, and how often one is taken: Redis's STATS_METRIC_SAMPLES and its cron's 100 ms. */
const SAMPLES = 16;
export const SAMPLE_PERIOD_MS = 100;

/**
 * One of INFO's instantaneous_* figures, as Redis's trackInstantaneousMetric
 * keeps it: every sample is the change of a counter over the change of its
 * base (time, or another counter) times a factor, and the figure is the
 * mean of the last 16 samples (the missing ones counting as 0).
 */
export class InstantMetric {
  private readonly samples = new Float64Array(SAMPLES);
  private next = 0;
  private lastBase = -1;
  private lastValue = 0;

  constructor(private readonly factor: number) {}

  sample(value: number, base: number): void {
    if (this.lastBase >= 0) {
      const dBase = base - this.lastBase;
      this.samples[this.next] = dBase > 0 ? Math.trunc(((value - this.lastValue) * this.factor) / dBase) : 0;
      this.next = (this.next + 1) % SAMPLES;
    }
    this.lastBase = base;
    this.lastValue = value;
  }

  get value(): number {
    let sum = 0;
    for (const s of this.samples) sum += s;
    return sum / SAMPLES;
  }

  /** CONFIG RESETSTAT: the samples go; the next one starts from the counters as they are. */
  reset(): void {
    this.samples.fill(0);
    this.next = 0;
    this.lastBase = -1;
  }
}
