import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { wrapWasmKernel } from './replace-kernel.ts';

type Numeric = Float32Array | Int32Array | Uint8Array;
type KernelArgs = Parameters<tf.KernelFunc>[0];

/**
 * Repeats each `block`-long run of `src` `r` times into `dst` (from `dst[0]`): one axis of a tile.
 * Doubling copies within `dst`, so log2(r) calls per run instead of r.
 */
function repeatBlocks(src: Numeric, block: number, r: number, dst: Numeric): void {
  const runs = src.length / block;
  for (let o = 0; o < runs; o++) {
    const base = o * block * r;
    dst.set(src.subarray(o * block, (o + 1) * block), base);
    for (let filled = block; filled < block * r; filled *= 2) {
      dst.copyWithin(base + filled, base, base + Math.min(filled, block * r - filled));
    }
  }
}

/**
 * tfjs 4.22's wasm Tile computes every output index from scratch: 98 ms to tile [1, 1, 1, 16] to
 * [64, 28, 28, 16], which is what `broadcastTo` does. Tiling is block copies: from the innermost
 * axis out, each axis's block (the axis and everything inside it) is repeated `reps` times, so
 * every step is a run of memory copies; the last step writes into the output. Strings keep the
 * original kernel.
 */
export function installTile(): boolean {
  return wrapWasmKernel(tf.Tile, (originalFunc) => (args: KernelArgs) => {
    const { x } = args.inputs as unknown as { x: tf.TensorInfo };
    if (x.dtype === 'string' || x.dtype === 'complex64') return originalFunc(args);
    const { reps } = args.attrs as unknown as tf.TileAttrs;
    if (reps.length !== x.shape.length) return originalFunc(args);
    const backend = args.backend as BackendWasm;
    const out = backend.makeOutput(x.shape.map((d, i) => d * reps[i]!), x.dtype);
    // makeOutput may grow wasm memory, which detaches views: take them after allocating.
    const dst = backend.typedArrayFromHeap(out) as Numeric;
    let data = backend.typedArrayFromHeap(x) as Numeric;
    const axes = reps.map((r, axis) => ({ r, axis })).filter(({ r }) => r !== 1).reverse();
    if (axes.length === 0 || data.length === 0) {
      dst.set(data);
      return out;
    }
    axes.forEach(({ r, axis }, i) => {
      const block = x.shape.slice(axis).reduce((p, d, j) => p * d * (j === 0 ? 1 : reps[axis + j]!), 1);
      const target = i === axes.length - 1 ? dst : new (data.constructor as new (n: number) => Numeric)(data.length * r);
      repeatBlocks(data, block, r, target);
      data = target;
    });
    return out;
  });
}
