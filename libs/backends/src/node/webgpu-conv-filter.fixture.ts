// Run by webgpu.spec.ts in its own process (backends are process-global). Prints one JSON line:
// for each conv geometry, the filter gradient's worst relative error against cpu by each method: the
// chunked partial sums (the default), the patch product (whole, and cut into per-image products as
// past the device's dispatch cap) and tfjs-backend-webgpu's own kernel; and how many times ours ran.
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../node.ts';
import { printFixtureResult } from './fixture-output.ts';
import { gpuBytes, seededValues, worstRelativeError } from '../testing.ts';
import { limitWebgpuFilterGradRows, setWebgpuFilterGradMethod, webgpuFilterGradCalls } from '../kernels/conv2d-backprop-filter.webgpu.ts';

type Pad = 'valid' | 'same' | number;
const CASES: Array<[string, number[], number[], number | [number, number], Pad]> = [
  ['the CNN first layer, same', [4, 28, 28, 1], [3, 3, 1, 16], 1, 'same'],
  ['the CNN second layer, same', [4, 14, 14, 16], [3, 3, 16, 32], 1, 'same'],
  ['valid 5x5', [2, 12, 11, 3], [5, 5, 3, 8], 1, 'valid'],
  ['stride 2 same', [2, 9, 9, 3], [3, 3, 3, 16], 2, 'same'],
  ['strides [2, 3] valid', [2, 12, 14, 2], [5, 5, 2, 4], [2, 3], 'valid'],
  ['explicit pad 2', [1, 7, 8, 5], [3, 3, 5, 12], 1, 2],
  ['1x1 stride 2', [3, 8, 8, 6], [1, 1, 6, 32], 2, 'valid'],
];

function filterGrad([, xs, fs, strides, pad]: (typeof CASES)[number], i: number): tf.Tensor {
  return tf.tidy(() => {
    const x = tf.tensor4d(seededValues(tf.util.sizeFromShape(xs), 10 + i), xs as [number, number, number, number]);
    const f = tf.tensor4d(seededValues(tf.util.sizeFromShape(fs), 20 + i), fs as [number, number, number, number]);
    return tf.grad((w: tf.Tensor) => tf.conv2d(x, w as tf.Tensor4D, strides, pad).square().sum())(f);
  });
}

async function main(): Promise<object> {
  await initNodeBackend('cpu');
  const cpu = CASES.map((c, i) => {
    const t = filterGrad(c, i);
    const v = t.dataSync().slice() as Float32Array;
    t.dispose();
    return v;
  });
  await initNodeBackend('webgpu');
  const bytesBefore = gpuBytes();
  const read = async (t: tf.Tensor) => {
    const v = (await t.data()) as Float32Array;
    t.dispose();
    return v;
  };
  const before = webgpuFilterGradCalls();
  const chunks: Float32Array[] = [];
  for (const [i, c] of CASES.entries()) chunks.push(await read(filterGrad(c, i)));
  setWebgpuFilterGradMethod('patches');
  const patches: Float32Array[] = [];
  for (const [i, c] of CASES.entries()) patches.push(await read(filterGrad(c, i)));
  const after = webgpuFilterGradCalls();
  const calls = { chunks: after.chunks - before.chunks, patches: after.patches - before.patches };
  // Every intermediate buffer of both methods was handed back.
  const leakedBytes = gpuBytes() - bytesBefore;
  // A cap below one image's rows still makes one product per image: every case is cut.
  limitWebgpuFilterGradRows(1);
  const cut: Float32Array[] = [];
  for (const [i, c] of CASES.entries()) cut.push(await read(filterGrad(c, i)));
  const cutLeakedBytes = gpuBytes() - bytesBefore;
  limitWebgpuFilterGradRows(undefined);
  setWebgpuFilterGradMethod('tfjs');
  const native: Float32Array[] = [];
  for (const [i, c] of CASES.entries()) native.push(await read(filterGrad(c, i)));
  setWebgpuFilterGradMethod('chunks');
  const cases = CASES.map(([name], i) => ({
    name,
    chunks: worstRelativeError([chunks[i]!], [cpu[i]!]),
    patches: worstRelativeError([patches[i]!], [cpu[i]!]),
    cut: worstRelativeError([cut[i]!], [cpu[i]!]),
    native: worstRelativeError([native[i]!], [cpu[i]!]),
  }));
  return { backend: tf.getBackend(), calls, cases, leakedBytes, cutLeakedBytes, tensors: tf.memory().numTensors };
}

printFixtureResult(main);
