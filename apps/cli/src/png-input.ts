import { PNG } from 'pngjs';
import { pngSize } from '@shardgrad/data';

/**
 * The widest or tallest picture predict decodes. A decoder allocates for the size the header
 * claims, so a 249 kB file of 16000×16000 took 2.3 GB; 4096 still takes a 12-megapixel photo.
 */
export const MAX_PNG_SIDE = 4096;

export interface PngImage {
  /** Values in [0, 1], laid out as the model's input (h × w, or h × w × 3). */
  x: Float32Array;
  /** True when the picture was dark on light and was turned light on dark. */
  inverted: boolean;
  /** True when it had to be scaled to the model's size. */
  resized: boolean;
}

/**
 * Turns a PNG into a model input the way MNIST-like data look: greyscale (transparent pixels count
 * as white paper), inverted when the background is light — the datasets are light strokes on black,
 * a digit drawn or photographed is dark ink on white — then padded to a square with the background
 * and scaled to the model's size by averaging the pixels each target pixel covers. A PNG already at
 * the model's size is not scaled, so a dataset image saved as PNG gives back exactly its pixels.
 */
export function imageFromPng(bytes: Uint8Array, inputShape: readonly number[]): PngImage {
  const [h, w, c = 1] = inputShape as [number, number, number?];
  if (inputShape.length < 2 || inputShape.length > 3 || (c !== 1 && c !== 3)) {
    throw new Error(`the model takes input of shape [${inputShape.join(', ')}], not an image`);
  }
  const png = decodePng(bytes);
  const channels = c === 3 ? 3 : 1;
  const src = toChannels(png, channels);
  const inverted = channels === 1 && borderMean(src, png.width, png.height) > 0.5;
  if (inverted) for (let i = 0; i < src.length; i++) src[i] = 1 - src[i]!;
  const resized = png.width !== w || png.height !== h;
  const x = resized ? resizeArea(padSquare(src, png.width, png.height, channels), Math.max(png.width, png.height), w, h, channels) : src;
  return { x, inverted, resized };
}

/** Checks the header before decoding: the size it claims, and a file too short to hold one. */
function decodePng(bytes: Uint8Array): PNG {
  const size = pngSize(bytes);
  if (typeof size === 'string') throw new Error(`not a readable PNG (${size})`);
  if (size.width > MAX_PNG_SIDE || size.height > MAX_PNG_SIDE) {
    throw new Error(`the PNG is ${size.width}×${size.height} pixels; predict takes pictures up to ${MAX_PNG_SIDE} pixels a side (scale it down first)`);
  }
  try {
    return PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  } catch (e) {
    // pngjs reports a file that ends early as read requests "waitng on finished stream".
    const message = (e as Error).message;
    throw new Error(/read requests/.test(message) ? 'not a readable PNG (it ends early: the file is cut short)' : `not a readable PNG (damaged: ${message})`);
  }
}

/** RGBA bytes → [0, 1] grey (or RGB), composited over white. */
function toChannels(png: PNG, channels: 1 | 3): Float32Array {
  const n = png.width * png.height;
  const out = new Float32Array(n * channels);
  for (let i = 0; i < n; i++) {
    const a = png.data[i * 4 + 3]! / 255;
    const px = [0, 1, 2].map((k) => (a * png.data[i * 4 + k]! + (1 - a) * 255) / 255);
    if (channels === 3) out.set(px, i * 3);
    else out[i] = 0.299 * px[0]! + 0.587 * px[1]! + 0.114 * px[2]!;
  }
  return out;
}

function borderMean(g: Float32Array, w: number, h: number): number {
  let sum = 0;
  let n = 0;
  for (let x = 0; x < w; x++) (sum += g[x]! + g[(h - 1) * w + x]!), (n += 2);
  for (let y = 1; y < h - 1; y++) (sum += g[y * w]! + g[y * w + w - 1]!), (n += 2);
  return sum / n;
}

/** Centres the picture in a square filled with its own background (the corner pixel's value). */
function padSquare(src: Float32Array, w: number, h: number, ch: number): Float32Array {
  const s = Math.max(w, h);
  if (s === w && s === h) return src;
  const out = new Float32Array(s * s * ch).fill(src[0]!);
  const ox = Math.floor((s - w) / 2);
  const oy = Math.floor((s - h) / 2);
  for (let y = 0; y < h; y++) out.set(src.subarray(y * w * ch, (y + 1) * w * ch), ((y + oy) * s + ox) * ch);
  return out;
}

/** Area averaging: each target pixel is the mean of the source area it covers (no aliasing on downscale). */
function resizeArea(src: Float32Array, s: number, w: number, h: number, ch: number): Float32Array {
  const out = new Float32Array(w * h * ch);
  for (let ty = 0; ty < h; ty++) {
    const y0 = (ty * s) / h;
    const y1 = ((ty + 1) * s) / h;
    for (let tx = 0; tx < w; tx++) {
      const x0 = (tx * s) / w;
      const x1 = ((tx + 1) * s) / w;
      for (let k = 0; k < ch; k++) {
        let sum = 0;
        let area = 0;
        for (let sy = Math.floor(y0); sy < Math.ceil(y1); sy++) {
          const wy = Math.min(y1, sy + 1) - Math.max(y0, sy);
          for (let sx = Math.floor(x0); sx < Math.ceil(x1); sx++) {
            const wx = Math.min(x1, sx + 1) - Math.max(x0, sx);
            sum += src[(sy * s + sx) * ch + k]! * wx * wy;
            area += wx * wy;
          }
        }
        out[(ty * w + tx) * ch + k] = sum / area;
      }
    }
  }
  return out;
}
