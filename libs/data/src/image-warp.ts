/**
 * Geometric image transforms on one HxWxC channels-last Float32 image: the deterministic half of
 * augmentation. All of them are one affine warp with bilinear sampling and zero fill, so that
 * augment.ts can compose crop + flip + translate + zoom + rotate into a single resample (one blur,
 * not five) and so that each op can be tested on its own with exact parameters.
 */

/** [height, width, channels] (channels-last, as Dataset.inputShape), or [height, width] for one channel. */
export type ImageShape = readonly number[];

export interface ImageDims {
  h: number;
  w: number;
  c: number;
}

export function imageDims(shape: ImageShape): ImageDims {
  const [h, w, c = 1] = shape;
  const ok = (shape.length === 2 || shape.length === 3) && [h, w, c].every((d) => Number.isInteger(d) && d! > 0);
  if (!ok) throw new RangeError(`image shape must be [h, w] or [h, w, c] of positive integers, got [${shape.join(', ')}]`);
  return { h: h!, w: w!, c };
}

/**
 * Forward transform of one image, about the image centre:
 *   out = translate(dx, dy) ∘ rotate(angleDeg) ∘ zoom ∘ flip (src)
 * Positive angles turn the picture counter-clockwise as seen on screen (y grows downwards);
 * zoom > 1 magnifies.
 */
export interface Warp {
  flip: boolean;
  angleDeg: number;
  zoom: number;
  dx: number;
  dy: number;
}

export const IDENTITY_WARP: Readonly<Warp> = { flip: false, angleDeg: 0, zoom: 1, dx: 0, dy: 0 };

export function isIdentityWarp(t: Warp): boolean {
  return !t.flip && t.angleDeg === 0 && t.zoom === 1 && t.dx === 0 && t.dy === 0;
}

// Sample coordinates this close to an integer are snapped to it. cos(90°) is 6e-17, not 0; without
// snapping a 90° turn would smear 1e-16 of each pixel into its neighbour and stop being exact.
const SNAP = 1e-9;
const snap = (v: number): number => {
  const r = Math.round(v);
  return Math.abs(v - r) < SNAP ? r : v;
};

/**
 * Write warp(src image at srcOffset) into dst at dstOffset. Pixels that map outside the source
 * read as 0, the background of the curriculum datasets and the usual pad value for pad-and-crop.
 */
export function warpInto(
  src: Float32Array,
  srcOffset: number,
  dst: Float32Array,
  dstOffset: number,
  shape: ImageShape,
  t: Warp,
): void {
  // Flips and whole-pixel shifts (the curriculum's flip, crop and translate) sample every pixel at
  // a weight of exactly 1: a copy gives the same values as the bilinear loop, 10× sooner. That loop
  // was most of a GPU worker's CPU time per round (85 of ~250 ms at 4,096 flipped images).
  if (t.angleDeg === 0 && t.zoom === 1 && Number.isInteger(t.dx) && Number.isInteger(t.dy)) {
    shiftInto(src, srcOffset, dst, dstOffset, imageDims(shape), t.flip, t.dx, t.dy);
    return;
  }
  warpBilinearInto(src, srcOffset, dst, dstOffset, shape, t);
}

/** warpInto for a whole-pixel shift after an optional left-right flip: out(x, y) = src(x', y − dy), zero outside. */
function shiftInto(src: Float32Array, srcOffset: number, dst: Float32Array, dstOffset: number, { h, w, c }: ImageDims, flip: boolean, dx: number, dy: number): void {
  const row = w * c;
  for (let y = 0; y < h; y++) {
    const sy = y - dy;
    const out = dstOffset + y * row;
    if (sy < 0 || sy >= h) {
      dst.fill(0, out, out + row);
      continue;
    }
    const from = srcOffset + sy * row;
    if (!flip) {
      // Out x reads source x − dx: within [lo, hi) that is one copy, zeros on either side.
      const lo = Math.min(w, Math.max(0, dx));
      const hi = Math.max(lo, Math.min(w, w + dx));
      dst.fill(0, out, out + lo * c);
      dst.set(src.subarray(from + (lo - dx) * c, from + (hi - dx) * c), out + lo * c);
      dst.fill(0, out + hi * c, out + row);
      continue;
    }
    // Flipped: out x reads source (w − 1) − x + dx.
    for (let x = 0; x < w; x++) {
      const sx = w - 1 - x + dx;
      const o = out + x * c;
      if (sx < 0 || sx >= w) {
        for (let k = 0; k < c; k++) dst[o + k] = 0;
      } else {
        const i = from + sx * c;
        for (let k = 0; k < c; k++) dst[o + k] = src[i + k]!;
      }
    }
  }
}

/** The general warp: bilinear sampling of the inverse map. Exported for the tests that hold the copy to it. */
export function warpBilinearInto(
  src: Float32Array,
  srcOffset: number,
  dst: Float32Array,
  dstOffset: number,
  shape: ImageShape,
  t: Warp,
): void {
  const { h, w, c } = imageDims(shape);
  if (!(t.zoom > 0) || !Number.isFinite(t.zoom)) throw new RangeError(`warp zoom must be a positive number, got ${t.zoom}`);
  const cx = (w - 1) / 2;
  const cy = (h - 1) / 2;
  const th = (t.angleDeg * Math.PI) / 180;
  const cos = Math.cos(th) / t.zoom;
  const sin = Math.sin(th) / t.zoom;
  const fx = t.flip ? -1 : 1;
  const row = w * c;
  // Inverse map, output (x, y) → source (px, py): undo translate, rotate by -angle, unzoom, unflip.
  for (let y = 0; y < h; y++) {
    const qy = y - cy - t.dy;
    for (let x = 0; x < w; x++) {
      const qx = x - cx - t.dx;
      const px = snap(fx * (qx * cos - qy * sin) + cx);
      const py = snap(qx * sin + qy * cos + cy);
      const x0 = Math.floor(px);
      const y0 = Math.floor(py);
      const ax = px - x0;
      const ay = py - y0;
      const w00 = (1 - ax) * (1 - ay);
      const w01 = ax * (1 - ay);
      const w10 = (1 - ax) * ay;
      const w11 = ax * ay;
      const in0 = y0 >= 0 && y0 < h;
      const in1 = y0 + 1 >= 0 && y0 + 1 < h && w10 + w11 > 0;
      const l0 = x0 >= 0 && x0 < w;
      const l1 = x0 + 1 >= 0 && x0 + 1 < w && w01 + w11 > 0;
      const base = srcOffset + y0 * row + x0 * c;
      const out = dstOffset + y * row + x * c;
      for (let k = 0; k < c; k++) {
        let v = 0;
        if (in0 && l0) v += w00 * src[base + k]!;
        if (in0 && l1) v += w01 * src[base + c + k]!;
        if (in1 && l0) v += w10 * src[base + row + k]!;
        if (in1 && l1) v += w11 * src[base + row + c + k]!;
        dst[out + k] = v;
      }
    }
  }
}

/** Apply one warp to a single image, returning a new array. */
export function warpImage(src: Float32Array, shape: ImageShape, t: Partial<Warp>): Float32Array {
  const { h, w, c } = imageDims(shape);
  if (src.length !== h * w * c) throw new RangeError(`image has ${src.length} values, shape [${shape.join(', ')}] needs ${h * w * c}`);
  const dst = new Float32Array(src.length);
  warpInto(src, 0, dst, 0, shape, { ...IDENTITY_WARP, ...t });
  return dst;
}

/** Shift content right by dx and down by dy pixels; integer shifts copy pixels exactly. */
export const translateImage = (src: Float32Array, shape: ImageShape, dx: number, dy: number): Float32Array =>
  warpImage(src, shape, { dx, dy });

/** Mirror left-right. */
export const flipImage = (src: Float32Array, shape: ImageShape): Float32Array => warpImage(src, shape, { flip: true });

/** Turn counter-clockwise (on screen) by angleDeg about the centre. */
export const rotateImage = (src: Float32Array, shape: ImageShape, angleDeg: number): Float32Array =>
  warpImage(src, shape, { angleDeg });

/** Magnify (factor > 1) or shrink (< 1) about the centre. */
export const scaleImage = (src: Float32Array, shape: ImageShape, factor: number): Float32Array =>
  warpImage(src, shape, { zoom: factor });

/**
 * Pad-and-crop: zero-pad `pad` pixels on every side, then take the HxW window whose top-left corner
 * is (left, top) in padded coordinates, each in [0, 2*pad]. Equal to a shift by (pad-left, pad-top).
 */
export function padCropImage(src: Float32Array, shape: ImageShape, pad: number, left: number, top: number): Float32Array {
  for (const [name, v] of [['left', left], ['top', top]] as const) {
    if (!Number.isInteger(v) || v < 0 || v > 2 * pad) throw new RangeError(`padCropImage: ${name} must be an integer in [0, ${2 * pad}], got ${v}`);
  }
  return warpImage(src, shape, { dx: pad - left, dy: pad - top });
}
