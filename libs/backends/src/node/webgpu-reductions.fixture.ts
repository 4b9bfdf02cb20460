// Run by webgpu.spec.ts in its own process (backends are process-global). Prints one JSON line: for
// Sum and Mean over leading axes, the worst relative error against cpu and how many went through
// our chunked columns, and the buffers and tensors left behind.
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '../node.ts';
import { printFixtureResult } from './fixture-output.ts';
import { gpuBytes, seededValues, worstRelativeError } from '../testing.ts';
import { webgpuColumnSumCalls } from '../kernels/sum-leading-axes.webgpu.ts';

const CASES: Array<[string, number[], number[], boolean]> = [
  ['a batch norm moment: [64, 28, 28, 16] over n, h, w', [64, 28, 28, 16], [0, 1, 2], false],
  ['a bias gradient kept as [1, 1, 1, 32]', [50, 14, 14, 32], [0, 1, 2], true],
  ['rows not a multiple of the chunk, one column', [70001, 1], [0], false],
  ['axes given out of order and negative', [40, 60, 3], [1, -3], false],
];

function reduce(op: 'sum' | 'mean', [, shape, axes, keepDims]: (typeof CASES)[number], i: number): tf.Tensor {
  return tf.tidy(() => {
    const x = tf.tensor(seededValues(tf.util.sizeFromShape(shape), 40 + i), shape);
    return op === 'sum' ? tf.sum(x, axes, keepDims) : tf.mean(x, axes, keepDims);
  });
}

async function main(): Promise<object> {
  await initNodeBackend('cpu');
  const cpu = (['sum', 'mean'] as const).flatMap((op) => CASES.map((c, i) => {
    const t = reduce(op, c, i);
    const v = { values: t.dataSync().slice() as Float32Array, shape: t.shape };
    t.dispose();
    return v;
  }));
  await initNodeBackend('webgpu');
  const bytesBefore = gpuBytes();
  const before = webgpuColumnSumCalls();
  const got: Array<{ values: Float32Array; shape: number[] }> = [];
  for (const op of ['sum', 'mean'] as const) {
    for (const [i, c] of CASES.entries()) {
      const t = reduce(op, c, i);
      got.push({ values: (await t.data()) as Float32Array, shape: t.shape });
      t.dispose();
    }
  }
  const names = (['sum', 'mean'] as const).flatMap((op) => CASES.map(([name]) => `${op}: ${name}`));
  const cases = names.map((name, i) => ({
    name,
    error: worstRelativeError([got[i]!.values], [cpu[i]!.values]),
    shapeMatches: JSON.stringify(got[i]!.shape) === JSON.stringify(cpu[i]!.shape),
  }));
  return { backend: tf.getBackend(), calls: webgpuColumnSumCalls() - before, cases, leakedBytes: gpuBytes() - bytesBefore, tensors: tf.memory().numTensors };
}

printFixtureResult(main);
