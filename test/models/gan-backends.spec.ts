import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '@shardgrad/backends/node';
import { loadDataset } from '@shardgrad/data/node';
import { gan, readSync } from '@shardgrad/models';
import { readAll, writeAll } from '@shardgrad/trainer';

/**
 * The GAN step runs kernels no supervised model here combines: transposed convolutions (wasm's
 * Conv2DBackpropInput, replaced by our fast path, as a forward op), their gradients (Conv2D for the
 * input, our Conv2DBackpropFilter for the filter), strided 5×5 'same' convolutions, leaky relu and
 * tanh. The whole paired step on wasm must give cpu's gradients.
 */
describe('gan step on wasm', () => {
  it('gives the cpu backend’s gradients and losses', async () => {
    const ds = await loadDataset('mnist');
    const config = { width: 8, latent: 8 };
    const indices = [3, 1, 4, 1_000, 5, 9];
    const run = async (backend: 'cpu' | 'wasm', weights?: ReturnType<typeof readAll>) => {
      await initNodeBackend(backend);
      const model = gan.build({ inputShape: ds.inputShape, numClasses: 10, seed: 2, config });
      if (weights) writeAll(model, weights);
      const r = readSync(gan.customStep!.compute({ model, dataset: ds, config, indices, seed: 77 }));
      const grads = r.grads.map((g) => g.dataSync().slice());
      r.grads.forEach((g) => g.dispose());
      const out = { grads, loss: r.loss, metrics: r.metrics, weights: readAll(model) };
      model.dispose();
      return out;
    };
    const onWasm = await run('wasm');
    const onCpu = await run('cpu', onWasm.weights);
    await initNodeBackend('wasm');
    expect(onWasm.grads.length).toBe(onCpu.grads.length);
    onWasm.grads.forEach((g, i) => {
      const want = onCpu.grads[i]!;
      const scale = Math.max(...Array.from(want, Math.abs));
      const worst = Math.max(...Array.from(g, (v, j) => Math.abs(v - want[j]!)));
      expect(worst / scale, `gradient ${i}`).toBeLessThan(1e-4);
    });
    expect(onWasm.loss).toBeCloseTo(onCpu.loss, 5);
    expect(onWasm.metrics.gLoss).toBeCloseTo(onCpu.metrics.gLoss!, 5);
    expect(tf.getBackend()).toBe('wasm');
  });
});
