import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '@shardgrad/backends/node';
import { smallCnn } from '@shardgrad/backends/testing-models';
import { sparseCategoricalCrossentropy } from '@shardgrad/models';
import { computeGradients } from '@shardgrad/trainer';
await initNodeBackend('wasm');
const model = smallCnn();
const B = 64;
const x = tf.randomNormal([B, 28, 28, 1]);
const y = tf.randomUniform([B, 1], 0, 10, 'int32').toFloat();
const def = { loss: sparseCategoricalCrossentropy, metrics: {} };
for (let i = 0; i < 30; i++) computeGradients(model, def, x, y);
const t0 = performance.now(); const N = 200;
for (let i = 0; i < N; i++) computeGradients(model, def, x, y);
console.log('step ms', ((performance.now() - t0) / N).toFixed(3));
// per-kernel wall: wrap each kernel by timing through engine's profiler
const agg = new Map<string, { ms: number; n: number }>();
for (let r = 0; r < 20; r++) {
  const p = await tf.profile(() => { computeGradients(model, def, x, y); });
  for (const k of p.kernels) { const a = agg.get(k.name) ?? { ms: 0, n: 0 }; a.ms += k.kernelTimeMs as number; a.n++; agg.set(k.name, a); }
}
const rows = [...agg].sort((a, b) => b[1].ms - a[1].ms);
let tot = 0; for (const [, a] of rows) tot += a.ms;
console.log('kernel total/step', (tot / 20).toFixed(3));
for (const [n, a] of rows.slice(0, 25)) console.log(n.padEnd(36), (a.ms / 20).toFixed(3), (a.n / 20).toFixed(0));
