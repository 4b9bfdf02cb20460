import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { WasmScope } from './wasm-kernel-utils.ts';
import { gradientKernelsFor, heapOffset } from './simd/gradient-kernels.ts';

/**
 * Tiles per block in conv2d_winograd_3x3: the block's transformed input and products (16·TB·(CI + CO)
 * floats, 96 KB for the small CNN's second layer) stay in L2 between the kernel's three phases.
 */
const TILES_PER_BLOCK = 32;

/**
 * Below this many input channels the transforms cost more than the 2.25× fewer multiply-adds save
 * (a first layer's single channel).
 */
const MIN_IN_CHANNELS = 8;

let enabled = true;

/** For benchmarks and tests: false sends every conv to the direct kernels again, to alternate the two in one process. */
export function useWinograd(on: boolean): void {
  enabled = on;
}

/**
 * Whether a 3×3, stride 1, undilated conv from `inChannels` to `outChannels` can go through
 * conv2d_winograd_3x3 (its blocking needs CI % 4 and CO % 8).
 */
export function winogradApplies(filterHeight: number, filterWidth: number, strides: number[], dilations: number[], inChannels: number, outChannels: number): boolean {
  return enabled && filterHeight === 3 && filterWidth === 3 && strides.every((s) => s === 1) && dilations.every((d) => d === 1)
    && inChannels % 4 === 0 && inChannels >= MIN_IN_CHANNELS && outChannels % 8 === 0;
}

/**
 * The kernel's scratch: a block's transformed input (V) and products or transformed dy (M), each of
 * the 16 points' rows followed by a cache line of padding, then one edge tile's gathered patch.
 */
function scratchFloats(ci: number, co: number): { vFloats: number; mFloats: number; floats: number } {
  const [vFloats, mFloats] = [16 * (TILES_PER_BLOCK * ci + 16), 16 * (TILES_PER_BLOCK * co + 16)];
  return { vFloats, mFloats, floats: vFloats + mFloats + 16 * ci };
}

/** G of F(2×2, 3×3): U = G·g·Gᵀ turns a 3×3 filter into the 4×4 transformed tile. */
const G = [[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]] as const;

/**
 * U [16, CI, CO] from a filter [3, 3, ci, co]. `asInputGradient` reads it as the input gradient's
 * filter: flipped in space, its channels swapped (U [16, co, ci]), since dx is the valid conv of a
 * padded dy with that filter. In JavaScript: 84 multiply-adds per channel pair, tens of microseconds
 * a step, against the hundreds the transform saves.
 */
export function winogradFilter(w: Float32Array, ci: number, co: number, asInputGradient: boolean): Float32Array {
  const [inC, outC] = asInputGradient ? [co, ci] : [ci, co];
  const u = new Float32Array(16 * inC * outC);
  const g = new Float64Array(9);
  const gg = new Float64Array(12);
  for (let a = 0; a < ci; a++) {
    for (let b = 0; b < co; b++) {
      for (let i = 0; i < 3; i++) {
        for (let j = 0; j < 3; j++) {
          g[i * 3 + j] = asInputGradient ? w[((2 - i) * 3 + (2 - j)) * ci * co + a * co + b]! : w[(i * 3 + j) * ci * co + a * co + b]!;
        }
      }
      for (let r = 0; r < 4; r++) {
        for (let j = 0; j < 3; j++) gg[r * 3 + j] = G[r][0] * g[j]! + G[r][1] * g[3 + j]! + G[r][2] * g[6 + j]!;
      }
      const [p, q] = asInputGradient ? [b, a] : [a, b];
      for (let r = 0; r < 4; r++) {
        for (let c = 0; c < 4; c++) {
          u[((r * 4 + c) * inC + p) * outC + q] = gg[r * 3]! * G[c][0] + gg[r * 3 + 1]! * G[c][1] + gg[r * 3 + 2]! * G[c][2];
        }
      }
    }
  }
  return u;
}

/**
 * out [N, OH, OW, CO] = act(valid 3×3 conv of x padded by `pads` above and left, and by zeros as far as
 * the output needs below and right (+ bias)), by conv2d_winograd_3x3 with the filter [3, 3, ci, co]
 * transformed here (winogradFilter; `asInputGradient` as there). The kernel reads x in place and
 * treats what lies outside it as zeros.
 */
export function winogradConv3x3(
  backend: BackendWasm,
  x: tf.TensorInfo,
  filter: tf.TensorInfo,
  asInputGradient: boolean,
  pads: { top: number; left: number },
  out: { height: number; width: number; channels: number },
  bias: tf.TensorInfo | undefined,
  act: number,
): tf.TensorInfo {
  const simd = gradientKernelsFor(backend)!;
  const [, , filterIn, filterOut] = filter.shape as [number, number, number, number];
  // Read before the allocations below: growing the heap would detach the view.
  const u = winogradFilter(backend.typedArrayFromHeap(filter) as Float32Array, filterIn, filterOut, asInputGradient);
  const [n, h, w, ci] = x.shape as [number, number, number, number];
  const [th, tw] = [Math.ceil(out.height / 2), Math.ceil(out.width / 2)];
  const scope = new WasmScope(backend);
  try {
    const uTensor = backend.makeOutput([u.length], 'float32');
    scope.track(uTensor);
    const { vFloats, mFloats, floats } = scratchFloats(ci, out.channels);
    const scratch = backend.makeOutput([floats], 'float32');
    scope.track(scratch);
    const result = backend.makeOutput([n, out.height, out.width, out.channels], 'float32');
    // After the last allocation: growing the heap would detach the view.
    (backend.typedArrayFromHeap(uTensor) as Float32Array).set(u);
    const v = heapOffset(backend, scratch);
    if (n * th * tw > 0) {
      simd.conv2d_winograd_3x3(
        heapOffset(backend, x), heapOffset(backend, uTensor), bias ? heapOffset(backend, bias) : 0, heapOffset(backend, result),
        v, v + vFloats * 4, v + (vFloats + mFloats) * 4,
        n, h, w, ci, out.height, out.width, out.channels, pads.top, pads.left, TILES_PER_BLOCK, act,
      );
    }
    return result;
  } finally {
    scope.dispose();
  }
}

/**
 * The filter gradient [3, 3, CI, CO] of the conv of x (padded by `pads` above and left) to dy, by
 * conv2d_winograd_3x3_filter_grad (dU, the transformed filter's gradient), then dg = Gᵀ·dU·G here.
 */
export function winogradFilterGrad3x3(backend: BackendWasm, x: tf.TensorInfo, dy: tf.TensorInfo, pads: { top: number; left: number }): tf.TensorInfo {
  const simd = gradientKernelsFor(backend)!;
  const [n, h, w, ci] = x.shape as [number, number, number, number];
  const [, oh, ow, co] = dy.shape as [number, number, number, number];
  const scope = new WasmScope(backend);
  try {
    const du = backend.makeOutput([16 * ci * co], 'float32');
    scope.track(du);
    const { vFloats, mFloats, floats } = scratchFloats(ci, co);
    const scratch = backend.makeOutput([floats], 'float32');
    scope.track(scratch);
    const result = backend.makeOutput([3, 3, ci, co], 'float32');
    const v = heapOffset(backend, scratch);
    simd.conv2d_winograd_3x3_filter_grad(
      heapOffset(backend, x), heapOffset(backend, dy), heapOffset(backend, du), v, v + vFloats * 4, v + (vFloats + mFloats) * 4,
      n, h, w, ci, oh, ow, co, pads.top, pads.left, TILES_PER_BLOCK,
    );
    winogradFilterGradient(backend.typedArrayFromHeap(du) as Float32Array, backend.typedArrayFromHeap(result) as Float32Array, ci * co);
    return result;
  } finally {
    scope.dispose();
  }
}

/** dg [3, 3, pairs] = Gᵀ·dU·G from dU [16, pairs]: the adjoint of winogradFilter's U = G·g·Gᵀ. */
export function winogradFilterGradient(du: Float32Array, dg: Float32Array, pairs: number): void {
  const t = new Float64Array(12);
  for (let p = 0; p < pairs; p++) {
    // t = Gᵀ·dU: [3, 4]
    for (let i = 0; i < 3; i++) {
      for (let c = 0; c < 4; c++) {
        t[i * 4 + c] = G[0][i] * du[c * pairs + p]! + G[1][i] * du[(4 + c) * pairs + p]! + G[2][i] * du[(8 + c) * pairs + p]! + G[3][i] * du[(12 + c) * pairs + p]!;
      }
    }
    for (let i = 0; i < 3; i++) {
      for (let j = 0; j < 3; j++) {
        dg[(i * 3 + j) * pairs + p] = t[i * 4]! * G[0][j] + t[i * 4 + 1]! * G[1][j] + t[i * 4 + 2]! * G[2][j] + t[i * 4 + 3]! * G[3][j];
      }
    }
  }
}
