import type { RgbaImage } from './types.ts';

/** Small raster helpers for the models' pictures; encoding to PNG is the app's job. */
export type Rgb = readonly [number, number, number];

export function blankImage(width: number, height: number, background: Rgb = [255, 255, 255]): RgbaImage {
  const data = new Uint8ClampedArray(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([background[0], background[1], background[2], 255], i * 4);
  return { width, height, data };
}

export function setPixel(img: RgbaImage, x: number, y: number, c: Rgb): void {
  if (x < 0 || y < 0 || x >= img.width || y >= img.height) return;
  img.data.set([c[0], c[1], c[2], 255], (y * img.width + x) * 4);
}

/** A filled disc with an optional ring, for scatter plots. */
export function dot(img: RgbaImage, cx: number, cy: number, r: number, fill: Rgb, ring?: Rgb): void {
  for (let y = Math.floor(cy - r - 1); y <= Math.ceil(cy + r + 1); y++) {
    for (let x = Math.floor(cx - r - 1); x <= Math.ceil(cx + r + 1); x++) {
      const d = Math.hypot(x - cx, y - cy);
      if (d <= r) setPixel(img, x, y, ring && d > r - 1 ? ring : fill);
    }
  }
}

/** Draws a grayscale image (values in [0, 1]; MNIST strokes are 1, so white on black) scaled by `scale`. */
export function drawGray(img: RgbaImage, values: ArrayLike<number>, w: number, h: number, left: number, top: number, scale: number): void {
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = Math.round(Math.min(1, Math.max(0, values[y * w + x]!)) * 255);
      for (let dy = 0; dy < scale; dy++) for (let dx = 0; dx < scale; dx++) setPixel(img, left + x * scale + dx, top + y * scale + dy, [v, v, v]);
    }
  }
}

export function mix(a: Rgb, b: Rgb, t: number): Rgb {
  const u = Math.min(1, Math.max(0, t));
  return [a[0] + (b[0] - a[0]) * u, a[1] + (b[1] - a[1]) * u, a[2] + (b[2] - a[2]) * u];
}

/** Ten distinct colours for digit classes (the Tableau 10 palette). */
export const CATEGORY_COLORS: Rgb[] = [
  [78, 121, 167], [242, 142, 43], [225, 87, 89], [118, 183, 178], [89, 161, 79],
  [237, 201, 72], [176, 122, 161], [255, 157, 167], [156, 117, 95], [186, 176, 172],
];
