import * as tf from '@tensorflow/tfjs';
import type { Split } from '@shardgrad/data';

/** Bounds memory on large splits. */
const BATCH = 500;

/** The model's outputs for every row of a split, flat and row-major (n x outputs), in inference mode. */
export function predictSplit(model: tf.LayersModel, inputShape: number[], split: Split): Float32Array {
  const xs = inputShape.reduce((a, b) => a * b, 1);
  const parts: Float32Array[] = [];
  for (let start = 0; start < split.n; start += BATCH) {
    const n = Math.min(BATCH, split.n - start);
    parts.push(
      tf.tidy(() => {
        const out = model.predict(tf.tensor(split.x.subarray(start * xs, (start + n) * xs), [n, ...inputShape])) as tf.Tensor;
        return out.dataSync() as Float32Array;
      }),
    );
  }
  const all = new Float32Array(parts.reduce((s, p) => s + p.length, 0));
  let off = 0;
  for (const p of parts) {
    all.set(p, off);
    off += p.length;
  }
  return all;
}
