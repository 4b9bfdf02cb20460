// npx tsx libs/backends/bench/kernels.bench.ts [batch=32]
// ms per Conv2DBackpropFilter call for the small CNN's layers, and samples/s of a whole CNN
// gradient step, on wasm (with our kernels) vs cpu. One process, one core: Node has no wasm threads.
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerWasmKernels } from '../src/index.ts';
import { seededTensor } from '../src/testing.ts';
import { classifierGradients, smallCnn, smallCnnConvShapes } from '../src/testing-models.ts';

const BACKENDS = ['wasm', 'cpu'];
const BUDGET_MS = 2000; // per measurement: enough repeats to be stable, bounded for slow cpu

const batch = Number(process.argv[2] ?? 32);

/** Mean ms per call of `fn` after one warm-up, repeating until the budget is spent. */
function msPerCall(fn: () => void): number {
  fn();
  let calls = 0;
  const start = performance.now();
  do {
    fn();
    calls++;
  } while (performance.now() - start < BUDGET_MS);
  return (performance.now() - start) / calls;
}

async function main(): Promise<void> {
  registerWasmKernels();
  const rows: Record<string, Record<string, string>> = {};
  for (const backend of BACKENDS) {
    await tf.setBackend(backend);
    await tf.ready();
    for (const layer of smallCnnConvShapes(batch)) {
      const x = seededTensor(layer.x, 1);
      const dy = seededTensor(layer.dy, 2);
      const ms = msPerCall(() => {
        const dW = tf.engine().runKernel(tf.Conv2DBackpropFilter, { x, dy },
          { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: layer.filter }) as tf.Tensor;
        dW.dataSync();
        dW.dispose();
      });
      tf.dispose([x, dy]);
      (rows[`Conv2DBackpropFilter ${layer.name} (ms/call)`] ??= {})[backend] = ms.toFixed(2);
    }
    const model = smallCnn();
    const x = seededTensor([batch, 28, 28, 1], 3).add(0.5);
    const labels = Array.from({ length: batch }, (_, i) => i % 10);
    const ms = msPerCall(() => {
      const grads = tf.tidy(() => classifierGradients(model, x, labels, 10));
      grads.forEach((g) => g.dataSync());
      tf.dispose(grads);
    });
    x.dispose();
    model.dispose();
    (rows[`small CNN gradient step, batch ${batch} (samples/s)`] ??= {})[backend] = (batch / (ms / 1000)).toFixed(0);
  }
  console.table(rows);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
