import * as tf from '@tensorflow/tfjs';
import { asWasmBackend, heapBytes, inputsOf } from './wasm-kernel-utils.ts';
import { gradientKernelsFor, heapOffset } from './simd/gradient-kernels.ts';
import { poolWindowsInside } from './conv-geometry.ts';
import { isReluOutput, markReluGated, poolWinnersOf } from './relu-provenance.ts';

/**
 * tfjs 4.22's wasm MaxPoolGrad took 33 ms per call for the small CNN's pools at batch 64. This one
 * walks the windows once in JS over the wasm heap: each window's gradient goes to its first
 * maximum in row-major order (the cpu kernel's rule, so ties — common after relu — agree).
 * Windows that lie inside the input (all of them for 'valid' pools) take a loop without bounds
 * checks: 10 → 7 ms for the small CNN's first pool at batch 64, in a step. Where our SIMD module
 * is loaded (Node, see simd/), unpadded pools over channels in fours run there, 4 channels at once,
 * and a pool over our conv's relu output folds that relu's gradient in (relu-provenance.ts).
 */
export function maxPoolGradWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { dy, input, output } = inputsOf(tf.MaxPoolGrad, args.inputs, 'dy', 'input', 'output');
  const attrs = args.attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(
    input.shape as [number, number, number, number],
    attrs.filterSize,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
  );
  const { batchSize: nb, inHeight: H, inWidth: W, inChannels: C, outHeight: OH, outWidth: OW } = info;
  const { strideHeight: sh, strideWidth: sw, filterHeight: fh, filterWidth: fw } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const winners = poolWinnersOf(output.dataId);
  if (winners && fh === 2 && fw === 2 && sh === 2 && sw === 2 && winners.length === nb * OH * OW * C) {
    return gradFromWinners(backend, dy, input.shape, winners, nb, H, W, C, OH, OW);
  }
  // makeOutput may grow wasm memory, which detaches views: allocate first, then take every view.
  const out = backend.makeOutput(input.shape, 'float32');
  const acc = backend.typedArrayFromHeap(out) as Float32Array;
  const simd = poolWindowsInside(info) && C % 4 === 0 ? gradientKernelsFor(backend) : null;
  // The SIMD kernel writes every cell of every window, so windows that tile the input need no zeros.
  const tiled = sh === fh && sw === fw && OH * sh === H && OW * sw === W;
  if (simd == null || !tiled) acc.fill(0);
  if (simd != null) {
    const relu = isReluOutput(input.dataId);
    simd.max_pool_grad(heapOffset(backend, input), heapOffset(backend, dy), heapOffset(backend, out), nb, H, W, C, OH, OW, fh, fw, sh, sw, relu ? 1 : 0);
    if (relu) markReluGated(out.dataId);
    return out;
  }
  const xs = backend.typedArrayFromHeap(input) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  // Window offsets (relative to its top-left corner) in row-major order: the first maximum wins.
  const offsets = new Int32Array(fh * fw);
  for (let i = 0; i < fh; i++) for (let j = 0; j < fw; j++) offsets[i * fw + j] = (i * W + j) * C;
  for (let b = 0; b < nb; b++) {
    const xb = b * H * W * C;
    for (let r = 0; r < OH; r++) {
      const r0 = r * sh - top;
      const rowsInside = r0 >= 0 && r0 + fh <= H;
      for (let q = 0; q < OW; q++) {
        const c0 = q * sw - left;
        const gOff = ((b * OH + r) * OW + q) * C;
        if (rowsInside && c0 >= 0 && c0 + fw <= W) {
          routeInside(xs, g, acc, xb + (r0 * W + c0) * C, gOff, C, offsets);
        } else {
          routeClipped(xs, g, acc, xb, r0, c0, gOff, info);
        }
      }
    }
  }
  return out;
}

/** One window inside the input, every channel: a gradient to each channel's first maximum. */
function routeInside(xs: Float32Array, g: Float32Array, acc: Float32Array, base: number, gOff: number, C: number, offsets: Int32Array): void {
  const n = offsets.length;
  for (let ch = 0; ch < C; ch++) {
    let at = base + ch;
    let best = xs[at]!;
    for (let k = 1; k < n; k++) {
      const idx = base + offsets[k]! + ch;
      const v = xs[idx]!;
      if (v > best) {
        best = v;
        at = idx;
      }
    }
    acc[at]! += g[gOff + ch]!;
  }
}

/** A window that hangs over the input's edge (padding): only its inside cells compete. */
function routeClipped(
  xs: Float32Array,
  g: Float32Array,
  acc: Float32Array,
  xb: number,
  r0: number,
  c0: number,
  gOff: number,
  info: tf.backend_util.Conv2DInfo,
): void {
  const { inHeight: H, inWidth: W, inChannels: C, filterHeight: fh, filterWidth: fw } = info;
  for (let ch = 0; ch < C; ch++) {
    let best = -Infinity;
    let at = -1;
    for (let i = 0; i < fh; i++) {
      const y = r0 + i;
      if (y < 0 || y >= H) continue;
      for (let j = 0; j < fw; j++) {
        const x = c0 + j;
        if (x < 0 || x >= W) continue;
        const idx = xb + (y * W + x) * C + ch;
        const v = xs[idx]!;
        if (v > best || at < 0) {
          best = v;
          at = idx;
        }
      }
    }
    if (at >= 0) acc[at]! += g[gOff + ch]!;
  }
}

/** The gradient of a pool that kept its winners (max-pool.wasm.ts): dy to each winning cell, relu included. */
function gradFromWinners(
  backend: ReturnType<typeof asWasmBackend>, dy: tf.TensorInfo, shape: number[], winners: Uint8Array,
  nb: number, H: number, W: number, C: number, OH: number, OW: number,
): tf.TensorInfo {
  const simd = gradientKernelsFor(backend)!;
  const out = backend.makeOutput(shape, 'float32');
  const scratch = backend.makeOutput([winners.length / 4], 'int32');
  try {
    // Views only after both allocations (a grown memory detaches the older ones).
    if (OH * 2 !== H || OW * 2 !== W) (backend.typedArrayFromHeap(out) as Float32Array).fill(0);
    heapBytes(backend, scratch).set(winners);
    simd.max_pool_grad_2x2_argmax(heapOffset(backend, dy), heapOffset(backend, scratch), heapOffset(backend, out), nb, H, W, C, OH, OW);
  } finally {
    backend.disposeData(scratch.dataId);
  }
  markReluGated(out.dataId);
  return out;
}
