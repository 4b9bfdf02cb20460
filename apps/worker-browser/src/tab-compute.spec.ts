import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { decodeTensors, decodeTensorsWithEncodings, encodeTensors, schemaHash } from '@shardgrad/codec';
import { encodeDatasetWire } from '@shardgrad/data';
import { loadMnist } from '@shardgrad/data/node';
import { mnistMlp } from '@shardgrad/models';
import type { RunInfo } from '@shardgrad/protocol';
import { ShardComputer, allSpecs, readAll } from '@shardgrad/trainer';
import { GRADIENT_TOLERANCE, flatten, relativeError } from './gradient-match.ts';
import type { CalibrationProgress } from './compute-api.ts';
import { TabCompute } from './tab-compute.ts';

// The Web Worker's engine, outside the browser: cpu and wasm run under Node (the GPU backends are
// covered by the chromium end-to-end tests).
await tf.setBackend('cpu');
const ds = loadMnist();
const SEED = 3;
const model = mnistMlp.build({ inputShape: ds.inputShape, numClasses: ds.numClasses, seed: SEED, config: {} });
const run: RunInfo = {
  runId: 'r1',
  model: 'mnist-mlp',
  modelConfig: {},
  dataset: 'mnist',
  datasetOptions: {},
  schemaHash: schemaHash(allSpecs(model)),
  batch: 32,
  seed: SEED,
  maxPayloadBytes: 1 << 24,
};
const wire = encodeDatasetWire(ds);
const indexBytes = (idx: number[]) => new Uint8Array(Uint32Array.from(idx).buffer);

describe('TabCompute (the compute Web Worker engine)', () => {
  it('calibrates cpu and wasm, keeps one that matches cpu, and computes what ShardComputer computes', async () => {
    const tab = new TabCompute();
    expect((await tab.init({ run, dataset: wire })).trainSamples).toBe(ds.train.n);
    const progress: CalibrationProgress[] = [];
    const report = await tab.calibrate({ candidates: ['wasm', 'cpu'] }, (p) => progress.push(structuredClone(p)));
    // The page learns each backend as its test starts, and each result as it comes: cpu (the reference) first.
    expect(progress.map((p) => [p.testing, p.done.map((r) => r.backend), p.total])).toEqual([
      ['cpu', [], 2],
      ['wasm', ['cpu'], 2],
      [undefined, ['cpu', 'wasm'], 2],
    ]);
    expect(progress.at(-1)!.done).toEqual(expect.arrayContaining(report.results));
    expect(report.shardSize).toBe(32);
    expect(report.results.map((r) => r.backend)).toEqual(['wasm', 'cpu']);
    for (const r of report.results) {
      expect(r.available, r.error).toBe(true);
      expect(r.matches).toBe(true);
      expect(r.relativeError).toBeLessThanOrEqual(GRADIENT_TOLERANCE);
      expect(r.samplesPerSecond).toBeGreaterThan(0);
    }
    expect(['wasm', 'cpu']).toContain(report.chosen);
    expect(await tab.backend()).toBe(report.chosen);

    // Trained-looking weights, then a shard: the same numbers as the shared ShardComputer on cpu.
    const weights = readAll(model).map((t) => ({ ...t, data: t.data.map((v, i) => v + 0.01 * Math.sin(i)) }));
    const idx = [5, 17, 4000, 8499, 42];
    const before = tf.memory().numTensors;
    // A round's first task brings the weights with the shard; the next of the same round only the shard.
    const reply = await tab.compute({ weights: encodeTensors(weights), indices: indexBytes(idx) });
    await tab.compute({ indices: indexBytes(idx) });
    expect(tf.memory().numTensors).toBe(before);
    expect(reply.count).toBe(5);
    expect(reply.backend).toBe(report.chosen);
    expect(reply.fallback).toBeUndefined();

    await tf.setBackend('cpu');
    const ref = new ShardComputer(mnistMlp, ds, mnistMlp.build({ inputShape: ds.inputShape, numClasses: 10, seed: SEED, config: {} }));
    ref.setWeights(weights);
    const expected = ref.compute(idx);
    const got = decodeTensors(reply.grads);
    expect(got.map((t) => t.shape)).toEqual(expected.grads.map((t) => t.shape));
    expect(relativeError(flatten(got), flatten(expected.grads))).toBeLessThan(1e-5);
    expect(reply.loss).toBeCloseTo(expected.loss, 5);
    expect(reply.metrics.accuracy).toBeCloseTo(expected.metrics.accuracy!, 6);

    // ?compress=fp16: the gradients travel as halves (with error feedback) and decode close to float32.
    await tf.setBackend(report.chosen);
    const half = await tab.compute({ indices: indexBytes(idx), compress: 'fp16' });
    expect(half.encoding).toBe('fp16');
    const decoded = decodeTensorsWithEncodings(half.grads);
    expect(decoded.encodings).toEqual(expected.grads.map(() => 'fp16'));
    expect(half.grads.byteLength).toBeLessThan(reply.grads.byteLength * 0.51);
    expect(relativeError(flatten(decoded.tensors), flatten(expected.grads))).toBeLessThan(1e-3);
  });

  it('refuses work it cannot do, with the reason', async () => {
    const tab = new TabCompute();
    await expect(tab.calibrate({ candidates: ['cpu'] })).rejects.toThrow(/init\(\) must come first/);
    await expect(tab.init({ run: { ...run, dataset: 'fashion-mnist' }, dataset: wire })).rejects.toThrow(/downloaded dataset "mnist", the run trains on "fashion-mnist"/);
    await expect(tab.init({ run: { ...run, model: 'no-such-model' }, dataset: wire })).rejects.toThrow(/unknown model "no-such-model"/);
    await expect(tab.init({ run, dataset: new Uint8Array([1, 2, 3]) })).rejects.toThrow(/dataset wire/);

    await tab.init({ run: { ...run, schemaHash: 'something-else' }, dataset: wire });
    await expect(tab.calibrate({ candidates: ['cpu'] })).rejects.toThrow(/schema .* reload the page/);

    await tab.init({ run, dataset: wire });
    await expect(tab.compute({ indices: indexBytes([1]) })).rejects.toThrow(/calibrate\(\) must come first/);
    await tab.calibrate({ candidates: ['cpu'] });
    await expect(tab.compute({ indices: indexBytes([1, ds.train.n]) })).rejects.toThrow(RangeError);
    await expect(tab.compute({ indices: new Uint8Array(5) })).rejects.toThrow(/multiple of 4/);
    await expect(tab.compute({ weights: new Uint8Array([0xc1]), indices: indexBytes([1]) })).rejects.toThrow(/codec/);
    await expect(tab.compute({ weights: encodeTensors([{ shape: [1], dtype: 'float32', data: new Float32Array(1) }]), indices: indexBytes([1]) })).rejects.toThrow(/expected \d+ weight tensors/);
    // Nothing to lose on cpu.
    expect(await tab.loseDevice()).toBeUndefined();
  });
});
