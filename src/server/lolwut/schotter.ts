import { Canvas, randomBelow } from './canvas.js';

const RAND_MAX = 0x7fffffff;
const f = Math.fround;

/** A random float in [0, 1] as C's (float)rand() / (float)RAND_MAX gives it. */
const unit = (): number => f(f(randomBelow(RAND_MAX + 1)) / f(RAND_MAX));

/**
 * Georg Nees's Schotter (1968): rows of squares that turn and drift more
 * the lower they are. The first two rows stay straight, so a drawing of at
 * most two rows is the same every time. Sizes are single precision floats,
 * as Redis computes them.
 */
export function drawSchotter(columns: number, perRow: number, perColumn: number): Canvas {
  const width = columns * 2;
  const padding = width > 4 ? 2 : 0;
  const side = f(f(width - padding * 2) / perRow);
  const height = Math.trunc(f(f(side * perColumn) + padding * 2));
  const canvas = new Canvas(width, height);
  for (let y = 0; y < perColumn; y++) {
    for (let x = 0; x < perRow; x++) {
      let sx = Math.trunc(f(f(f(x * side) + f(side / 2)) + padding));
      let sy = Math.trunc(f(f(f(y * side) + f(side / 2)) + padding));
      let angle = 0;
      if (y > 1) {
        const drift = (): number => f(f(unit() / perColumn) * y);
        let r1 = drift();
        let r2 = drift();
        let r3 = drift();
        if (randomBelow(2)) r1 = -r1;
        if (randomBelow(2)) r2 = -r2;
        if (randomBelow(2)) r3 = -r3;
        angle = r1;
        sx = Math.trunc(f(sx + f(f(r2 * side) / 3)));
        sy = Math.trunc(f(sy + f(f(r3 * side) / 3)));
      }
      canvas.square(sx, sy, side, angle, 1);
    }
  }
  return canvas;
}

/**
 * The canvas as Braille characters, each 2 pixels wide and 4 tall, in
 * UTF-8 as a byte string; rows end with a newline but the last.
 */
export function renderBraille(canvas: Canvas): string {
  const rowBytes = (canvas.width >>> 1) * 3 + (canvas.width & 1 ? 3 : 0);
  const rows = Math.ceil(canvas.height / 4);
  const out = Buffer.allocUnsafe(rows * (rowBytes + 1));
  let at = 0;
  for (let y = 0; y < canvas.height; y += 4) {
    for (let x = 0; x < canvas.width; x += 2) {
      const dots =
        canvas.get(x, y) |
        (canvas.get(x, y + 1) << 1) |
        (canvas.get(x, y + 2) << 2) |
        (canvas.get(x + 1, y) << 3) |
        (canvas.get(x + 1, y + 1) << 4) |
        (canvas.get(x + 1, y + 2) << 5) |
        (canvas.get(x, y + 3) << 6) |
        (canvas.get(x + 1, y + 3) << 7);
      const code = 0x2800 + dots;
      out[at++] = 0xe0 | (code >>> 12);
      out[at++] = 0x80 | ((code >>> 6) & 0x3f);
      out[at++] = 0x80 | (code & 0x3f);
    }
    // Redis compares y with the last row, not the last band of four: a newline ends every band but one whose
    // first row is the canvas's last.
    if (y !== canvas.height - 1) out[at++] = 10;
  }
  return out.latin1Slice(0, at);
}
