import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '@shardgrad/backends/node';
import { winogradFilter } from '../libs/backends/src/kernels/winograd.wasm.ts';
await initNodeBackend('wasm');
const B = 64;
function time(name: string, f: () => void, n = 200) {
  for (let i = 0; i < 20; i++) f();
  const t0 = performance.now(); for (let i = 0; i < n; i++) f(); console.log(name.padEnd(30), ((performance.now() - t0) / n).toFixed(3), 'ms');
}
const w = new Float32Array(3 * 3 * 16 * 32).map(() => Math.random());
time('filter transform fwd', () => winogradFilter(w, 16, 32, false));
time('filter transform dx', () => winogradFilter(w, 16, 32, true));
const x = tf.randomNormal([B, 13, 13, 16]) as tf.Tensor4D;
const f = tf.randomNormal([3, 3, 16, 32]) as tf.Tensor4D;
const dy = tf.randomNormal([B, 11, 11, 32]) as tf.Tensor4D;
time('pad x 13->14', () => tf.pad(x, [[0, 0], [0, 1], [0, 1], [0, 0]]).dispose());
time('pad dy 11->16', () => tf.pad(dy, [[0, 0], [2, 3], [2, 3], [0, 0]]).dispose());
time('conv fwd', () => tf.conv2d(x, f, 1, 'valid').dispose());
time('conv dx', () => tf.conv2dTranspose(dy, f, [B, 13, 13, 16], 1, 'valid').dispose());
const { useWinograd } = await import('../libs/backends/src/kernels/winograd.wasm.ts');
useWinograd(false);
time('direct conv fwd', () => tf.conv2d(x, f, 1, 'valid').dispose());
time('direct conv dx', () => tf.conv2dTranspose(dy, f, [B, 13, 13, 16], 1, 'valid').dispose());
useWinograd(true);
time('conv fwd', () => tf.conv2d(x, f, 1, 'valid').dispose());
time('conv dx', () => tf.conv2dTranspose(dy, f, [B, 13, 13, 16], 1, 'valid').dispose());
const xs = tf.randomNormal([B, 14, 14, 16]) as tf.Tensor4D;
const dys = tf.randomNormal([B, 14, 14, 32]) as tf.Tensor4D;
for (const on of [false, true, false, true]) {
  useWinograd(on);
  time(`same fwd ${on}`, () => tf.conv2d(xs, f, 1, 'same').dispose());
  time(`same dx ${on}`, () => tf.conv2dTranspose(dys, f, [B, 14, 14, 16], 1, 'same').dispose());
}
