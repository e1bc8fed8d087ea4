import { Canvas, randomBelow } from './canvas.js';

interface Skyscraper {
  left: number;
  width: number;
  height: number;
  windows: boolean;
  shade: number;
}

/**
 * One building standing on the canvas's bottom row. Its roof is two pixels
 * narrower on each side; windows, two pixels wide and one tall (a terminal
 * cell is taller than wide), take one of the two grays the building is not.
 */
function drawSkyscraper(canvas: Canvas, b: Skyscraper): void {
  const bottom = canvas.height - 1;
  const top = bottom - b.height + 1;
  for (let y = bottom; y >= top; y--) {
    for (let x = b.left; x < b.left + b.width; x++) {
      if (y === top && (x <= b.left + 1 || x >= b.left + b.width - 2)) continue;
      let shade = b.shade;
      if (b.windows && x > b.left + 1 && x < b.left + b.width - 2 && y > top + 1 && y < bottom - 1) {
        const relX = x - (b.left + 1);
        const relY = y - (top + 1);
        if ((Math.trunc(relX / 2) % 2) !== 0 && relY % 2 !== 0) {
          do shade = 1 + randomBelow(2);
          while (shade === b.shade);
          // The window's second pixel takes its first one's gray.
          if (relX % 2 !== 0) shade = canvas.get(x - 1, y);
        }
      }
      canvas.set(x, y, shade);
    }
  }
}

/**
 * A city skyline after the parallax backgrounds of 8-bit games: two rows
 * of windowless buildings in the grays (the lighter behind), then black
 * buildings with lit windows in front, on a white sky.
 */
export function drawSkyline(columns: number, rows: number): Canvas {
  const canvas = new Canvas(columns, rows, 3);
  const h = canvas.height;
  for (let shade = 2; shade >= 1; shade--) {
    for (let offset = -10; offset < canvas.width; ) {
      offset += randomBelow(8);
      const width = 10 + randomBelow(9);
      const height = shade === 2 ? Math.trunc(h / 2) + Math.trunc(randomBelow(h) / 2) : Math.trunc(h / 2) + Math.trunc(randomBelow(h) / 3);
      drawSkyscraper(canvas, { left: offset, width, height, windows: false, shade });
      offset += shade === 2 ? Math.trunc(width / 2) : width + 1;
    }
  }
  for (let offset = -10; offset < canvas.width; ) {
    offset += randomBelow(8);
    let width = 5 + randomBelow(14);
    if (width % 4 !== 0) width += width % 3;
    const height = Math.trunc(h / 3) + Math.trunc(randomBelow(h) / 2);
    drawSkyscraper(canvas, { left: offset, width, height, windows: true, shade: 0 });
    offset += width + 5;
  }
  return canvas;
}

/** Each shade's escape: foreground and background both set, so that terminals agree on the gray. */
const SHADES = ['0;30;40m', '0;90;100m', '0;37;47m', '0;97;107m'].map((code) => `\x1b[${code} \x1b[0m`);

/** The canvas as one colored space per pixel; rows end with a newline but the last. */
export function renderShades(canvas: Canvas): string {
  const lines: string[] = [];
  for (let y = 0; y < canvas.height; y++) {
    let line = '';
    for (let x = 0; x < canvas.width; x++) line += SHADES[canvas.get(x, y)];
    lines.push(line);
  }
  return lines.join('\n');
}
