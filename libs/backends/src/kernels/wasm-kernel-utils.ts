import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { KernelScope } from './kernel-scope.ts';

/** A KernelScope on the wasm backend: what our wasm composite kernels build on. */
export class WasmScope extends KernelScope {
  constructor(override readonly backend: BackendWasm) {
    super('wasm', backend);
  }
}

/** Asserts the engine handed us the wasm backend; a kernel can be run on another by mistake in tests. */
export function asWasmBackend(backend: unknown): BackendWasm {
  const b = backend as Partial<BackendWasm> | null;
  if (b == null || b.dataIdMap == null || typeof b.makeOutput !== 'function') {
    throw new Error('shardgrad: wasm kernel called with a backend that is not BackendWasm');
  }
  return b as BackendWasm;
}

/**
 * A tensor's data in the wasm heap as bytes, whatever its dtype (a byte buffer held as int32 words).
 * Take it after the kernel's last allocation: growing the memory detaches older views.
 */
export function heapBytes(backend: BackendWasm, t: tf.TensorInfo): Uint8Array {
  const words = backend.typedArrayFromHeap(t);
  return new Uint8Array(words.buffer, words.byteOffset, words.byteLength);
}

/** Pad (positive) or crop (negative) amounts around the two spatial axes of an NHWC tensor. */
export interface SpatialPads {
  top: number;
  bottom: number;
  left: number;
  right: number;
}

/**
 * Crops the negative sides with Slice and returns the non-negative rest as a conv padding, so the
 * padding costs nothing: XNNPACK applies explicit padding inside the convolution.
 */
export function cropThenPad(
  scope: WasmScope,
  x: tf.TensorInfo,
  pads: SpatialPads,
): { input: tf.TensorInfo; pad: 'valid' | tf.backend_util.ExplicitPadding } {
  const [n, h, w, c] = x.shape;
  const cropTop = Math.max(0, -pads.top);
  const cropBottom = Math.max(0, -pads.bottom);
  const cropLeft = Math.max(0, -pads.left);
  const cropRight = Math.max(0, -pads.right);
  let input = x;
  if (cropTop + cropBottom + cropLeft + cropRight > 0) {
    input = scope.run(
      tf.Slice,
      { x },
      {
        begin: [0, cropTop, cropLeft, 0],
        size: [n, h - cropTop - cropBottom, w - cropLeft - cropRight, c],
      },
    );
  }
  const top = Math.max(0, pads.top);
  const bottom = Math.max(0, pads.bottom);
  const left = Math.max(0, pads.left);
  const right = Math.max(0, pads.right);
  if (top + bottom + left + right === 0) return { input, pad: 'valid' };
  return { input, pad: [[0, 0], [top, bottom], [left, right], [0, 0]] };
}

/** Kernel inputs by name, checked present (tfjs types every input as possibly undefined). */
export function inputsOf<K extends string>(
  kernelName: string,
  inputs: tf.NamedTensorInfoMap,
  ...names: K[]
): Record<K, tf.TensorInfo> {
  const out = {} as Record<K, tf.TensorInfo>;
  for (const name of names) {
    const t = inputs[name];
    if (t == null) throw new Error(`${kernelName}: missing input '${name}'`);
    out[name] = t;
  }
  return out;
}

/**
 * Zero-stuffs dy by the stride (stride − 1 zeros after every row and column) for a transposed
 * convolution: Pad on a [N, OH, 1, OW, 1, C] view, then reshape. Trailing zeros are harmless:
 * inputGradPads counts them as padding.
 */
export function stuffByStride(scope: WasmScope, dy: tf.TensorInfo, strideH: number, strideW: number): tf.TensorInfo {
  if (strideH === 1 && strideW === 1) return dy;
  const [n, oh, ow, c] = dy.shape as [number, number, number, number];
  const spread = scope.run(
    tf.PadV2,
    { x: scope.reshape(dy, [n, oh, 1, ow, 1, c]) },
    { paddings: [[0, 0], [0, 0], [0, strideH - 1], [0, 0], [0, strideW - 1], [0, 0]], constantValue: 0 },
  );
  return scope.reshape(spread, [n, oh * strideH, ow * strideW, c]);
}
