type Rgb = readonly [number, number, number];

/** Class colours, readable on a projector and for the common colour-vision deficiencies (Okabe–Ito). */
export const PALETTE: readonly Rgb[] = [
  [0, 114, 178],
  [230, 159, 0],
  [0, 158, 115],
  [204, 121, 167],
  [86, 180, 233],
  [213, 94, 0],
  [240, 228, 66],
  [120, 120, 120],
  [0, 0, 0],
  [150, 80, 200],
];

/** A small RGBA pixel buffer for preview pictures: rectangles and images, clipped to the canvas. */
export class ImageCanvas {
  readonly rgba: Uint8Array;

  constructor(
    readonly width: number,
    readonly height: number,
    background: Rgb = [24, 26, 32],
  ) {
    this.rgba = new Uint8Array(width * height * 4);
    this.fill(0, 0, width, height, background);
  }

  fill(x: number, y: number, w: number, h: number, [r, g, b]: Rgb): void {
    for (let yy = Math.max(0, y); yy < Math.min(this.height, y + h); yy++) {
      for (let xx = Math.max(0, x); xx < Math.min(this.width, x + w); xx++) this.set(xx, yy, r, g, b);
    }
  }

  /** Draws an [h, w] or [h, w, c] image of values in [0, 1] (values outside are clamped). */
  image(x: number, y: number, shape: readonly number[], values: ArrayLike<number>): void {
    const [h, w, c = 1] = shape as [number, number, number?];
    const v = (i: number) => Math.round(Math.min(1, Math.max(0, Number(values[i]) || 0)) * 255);
    for (let yy = 0; yy < h; yy++) {
      for (let xx = 0; xx < w; xx++) {
        const i = (yy * w + xx) * c;
        if (x + xx < 0 || y + yy < 0 || x + xx >= this.width || y + yy >= this.height) continue;
        if (c >= 3) this.set(x + xx, y + yy, v(i), v(i + 1), v(i + 2));
        else this.set(x + xx, y + yy, v(i), v(i), v(i));
      }
    }
  }

  private set(x: number, y: number, r: number, g: number, b: number): void {
    const o = (y * this.width + x) * 4;
    this.rgba[o] = r;
    this.rgba[o + 1] = g;
    this.rgba[o + 2] = b;
    this.rgba[o + 3] = 255;
  }
}
