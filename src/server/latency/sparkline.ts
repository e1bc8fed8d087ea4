/**
 * Redis's ASCII sparkline (sparkline.c) in the one form LATENCY GRAPH
 * draws: linear scale, the area under the curve filled. Each column is a
 * sample; `rows` rows of three levels each (`_`, `o`, `#`, with `|` below
 * the top), then a blank row and the samples' labels written downwards.
 * Wider sequences are drawn in blocks of `columns`, a blank line apart.
 */

const LEVELS = '_o#';

export interface SparkSample {
  value: number;
  /** Written downwards under the column; empty for none. */
  label: string;
}

export function renderSparkline(samples: SparkSample[], columns: number, rows: number): string {
  if (samples.length === 0) return '';
  let min = samples[0].value;
  let max = min;
  for (const s of samples) {
    if (s.value < min) min = s.value;
    if (s.value > max) max = s.value;
  }
  const span = max - min === 0 ? 1 : max - min;
  const steps = LEVELS.length * rows;
  // Redis truncates the scaled value to an integer before dividing by the span, and the quotient again.
  const levels = samples.map((s) => Math.min(steps - 1, Math.max(0, Math.trunc(Math.trunc((s.value - min) * steps) / span))));
  const blocks: string[] = [];
  for (let from = 0; from < samples.length; from += columns) {
    const to = Math.min(samples.length, from + columns);
    blocks.push(renderBlock(samples, levels, from, to, rows));
  }
  return blocks.join('\n');
}

function renderBlock(samples: SparkSample[], levels: number[], from: number, to: number, rows: number): string {
  let out = '';
  for (let row = 0; row < rows; row++) {
    const floor = (rows - row - 1) * LEVELS.length;
    let line = '';
    for (let j = from; j < to; j++) {
      const idx = levels[j] - floor;
      line += idx < 0 ? ' ' : idx < LEVELS.length ? LEVELS[idx] : '|';
    }
    out += line + '\n';
  }
  // Redis leaves a blank row before the labels when the whole sequence has any, even if this block has none.
  if (!samples.some((s) => s.label !== '')) return out;
  out += ' '.repeat(to - from) + '\n';
  for (let k = 0; ; k++) {
    let line = '';
    let any = false;
    for (let j = from; j < to; j++) {
      const label = samples[j].label;
      if (k < label.length) {
        line += label[k];
        any = true;
      } else {
        line += ' ';
      }
    }
    if (!any) return out;
    out += line + '\n';
  }
}
