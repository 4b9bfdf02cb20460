import * as tf from '@tensorflow/tfjs';
import { asWasmBackend, inputsOf } from './wasm-kernel-utils.ts';

/**
 * tfjs 4.22's wasm backend has no UnsortedSegmentSum (tfjs#8082), the gradient of gather and so of
 * every Embedding layer. This is a scatter-add read straight off the wasm heap.
 *
 * It accumulates in float64, row by row, and rounds once: exactly what the cpu kernel does (a
 * masked float64 Sum over rows), so the two agree bit for bit. Ids outside [0, numSegments) are
 * dropped, as in TensorFlow.
 */
export function unsortedSegmentSumWasm(args: {
  inputs: tf.NamedTensorInfoMap;
  backend: unknown;
  attrs?: tf.NamedAttrMap;
}): tf.TensorInfo {
  const backend = asWasmBackend(args.backend);
  const { x, segmentIds } = inputsOf(tf.UnsortedSegmentSum, args.inputs, 'x', 'segmentIds');
  const { numSegments } = args.attrs as unknown as tf.UnsortedSegmentSumAttrs;
  const idsRank = segmentIds.shape.length;
  if (!tf.util.arraysEqual(x.shape.slice(0, idsRank), segmentIds.shape)) {
    throw new Error(`UnsortedSegmentSum: segmentIds shape ${segmentIds.shape} must prefix x shape ${x.shape}`);
  }
  const rows = tf.util.sizeFromShape(segmentIds.shape);
  const innerShape = x.shape.slice(idsRank);
  const inner = tf.util.sizeFromShape(innerShape);

  const acc = new Float64Array(numSegments * inner);
  const xs = backend.typedArrayFromHeap(x);
  const ids = backend.typedArrayFromHeap(segmentIds);
  for (let r = 0; r < rows; r++) {
    const id = ids[r];
    if (id < 0 || id >= numSegments) continue;
    const src = r * inner;
    const dst = id * inner;
    for (let j = 0; j < inner; j++) acc[dst + j] += xs[src + j];
  }

  // makeOutput may grow wasm memory, which detaches every view taken above: take the view after.
  const out = backend.makeOutput([numSegments, ...innerShape], x.dtype);
  backend.typedArrayFromHeap(out).set(acc);
  return out;
}

export const unsortedSegmentSumWasmConfig: tf.KernelConfig = {
  kernelName: tf.UnsortedSegmentSum,
  backendName: 'wasm',
  kernelFunc: unsortedSegmentSumWasm as tf.KernelFunc,
};
