import * as tf from '@tensorflow/tfjs';
import { asWasmBackend, inputsOf } from './wasm-kernel-utils.ts';

/**
 * tfjs 4.22's wasm MaxPoolGrad took 33 ms per call for the small CNN's pools at batch 64. This one
 * walks the windows once in JS over the wasm heap: each window's gradient goes to its first
 * maximum in row-major order (the cpu kernel's rule, so ties — common after relu — agree).
 */
export function maxPoolGradWasm(args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap }): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { dy, input } = inputsOf(tf.MaxPoolGrad, args.inputs, 'dy', 'input');
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
  // makeOutput may grow wasm memory, which detaches views: allocate first, then take every view.
  const out = backend.makeOutput(input.shape, 'float32');
  const acc = backend.typedArrayFromHeap(out) as Float32Array;
  acc.fill(0);
  const xs = backend.typedArrayFromHeap(input) as Float32Array;
  const g = backend.typedArrayFromHeap(dy) as Float32Array;
  for (let b = 0; b < nb; b++) {
    const xb = b * H * W * C;
    for (let r = 0; r < OH; r++) {
      const r0 = r * sh - top;
      for (let q = 0; q < OW; q++) {
        const c0 = q * sw - left;
        const gOff = ((b * OH + r) * OW + q) * C;
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
    }
  }
  return out;
}
