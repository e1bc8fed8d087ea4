/**
 * The pixel grid LOLWUT draws on: four shades (0 to 3), two bits a pixel,
 * so that the largest Schotter the limits allow (2,000 by about 400,000
 * pixels) takes 200 MB rather than a byte a pixel. Writes outside the grid
 * are dropped and reads there give 0, as the drawings expect.
 */
export class Canvas {
  private readonly bits: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background = 0,
  ) {
    const fill = background * 0x55;
    this.bits = new Uint8Array(Math.ceil((width * height) / 4)).fill(fill);
  }

  set(x: number, y: number, shade: number): void {
    if (x < 0 || x >= this.width || y < 0 || y >= this.height) return;
    const at = x + y * this.width;
    const shift = (at & 3) * 2;
    const i = at >>> 2;
    this.bits[i] = (this.bits[i] & ~(3 << shift)) | (shade << shift);
  }

  get(x: number, y: number): number {
    if (x < 0 || x >= this.width || y < 0 || y >= this.height) return 0;
    const at = x + y * this.width;
    return (this.bits[at >>> 2] >>> ((at & 3) * 2)) & 3;
  }

  /** Bresenham's line from (x1, y1) to (x2, y2), both ends included. */
  line(x1: number, y1: number, x2: number, y2: number, shade: number): void {
    const dx = Math.abs(x2 - x1);
    const dy = Math.abs(y2 - y1);
    const sx = x1 < x2 ? 1 : -1;
    const sy = y1 < y2 ? 1 : -1;
    let err = dx - dy;
    for (;;) {
      this.set(x1, y1, shade);
      if (x1 === x2 && y1 === y2) return;
      const e2 = err * 2;
      if (e2 > -dy) {
        err -= dy;
        x1 += sx;
      }
      if (e2 < dx) {
        err += dx;
        y1 += sy;
      }
    }
  }

  /**
   * A square of side `size` centred on (x, y), turned by `angle` radians:
   * its corners are points of the circle around it. The arithmetic is
   * single precision where Redis's is, so that an unturned square lands on
   * the same pixels as Redis draws it.
   */
  square(x: number, y: number, size: number, angle: number, shade: number): void {
    const radius = Math.round(Math.fround(size / 1.4142135623));
    const px: number[] = [];
    const py: number[] = [];
    let k = Math.fround(Math.PI / 4 + angle);
    for (let j = 0; j < 4; j++) {
      px.push(Math.round(Math.sin(k) * radius + x));
      py.push(Math.round(Math.cos(k) * radius + y));
      k = Math.fround(k + Math.PI / 2);
    }
    for (let j = 0; j < 4; j++) this.line(px[j], py[j], px[(j + 1) % 4], py[(j + 1) % 4], shade);
  }
}

/** C's rand() % n, for the drawings' chance. */
export function randomBelow(n: number): number {
  return Math.floor(Math.random() * n);
}
