import { PNG } from 'pngjs';
import type { RgbaImage } from '@shardgrad/models';

/** The one place the CLI turns pixels into an image file. */
export function encodePng(img: RgbaImage): Buffer {
  if (!(img.width > 0 && img.height > 0) || img.data.length !== img.width * img.height * 4) {
    throw new Error(`png: ${img.width}x${img.height} RGBA needs ${img.width * img.height * 4} bytes, got ${img.data.length}`);
  }
  const png = new PNG({ width: img.width, height: img.height });
  png.data = Buffer.from(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  return PNG.sync.write(png);
}

export function decodePng(bytes: Buffer): RgbaImage {
  const png = PNG.sync.read(bytes);
  return { width: png.width, height: png.height, data: new Uint8ClampedArray(png.data) };
}
