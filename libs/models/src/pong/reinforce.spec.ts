import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { buildPongPolicy, pong } from './pong.ts';
import { playEpisodes } from './play-episodes.ts';
import { readSync } from '../step-reads.ts';
import { normaliseWith, returnStatistics } from './return-statistics.ts';

const OPTIONS = { points: 1, maxFrames: 2000, repeat: 4, serve: 'random' } as const;

describe('running return statistics', () => {
  it('moved per shard and averaged by timesteps, equal one update on the whole round (the coordinator’s mean)', () => {
    const a = Float32Array.from([-1, -0.9, -0.8]);
    const b = Float32Array.from([1, 0.5, 0.2, 0.1, -0.3]);
    const stateAfter = (returns: Float32Array[]) =>
      returns.map((r) => {
        const m = buildPongPolicy({ seed: 1 });
        returnStatistics(m).update(r, 0.1);
        return { ...returnStatistics(m).read(), n: r.length };
      });
    const [sa, sb] = stateAfter([a, b]);
    const [whole] = stateAfter([Float32Array.from([...a, ...b])]);
    const mean = (sa!.mean * sa!.n + sb!.mean * sb!.n) / (sa!.n + sb!.n);
    const meanSquare = (sa!.meanSquare * sa!.n + sb!.meanSquare * sb!.n) / (sa!.n + sb!.n);
    expect(mean).toBeCloseTo(whole!.mean, 6);
    expect(meanSquare).toBeCloseTo(whole!.meanSquare, 6);
  });

  it('are non-trainable state, so they travel with the weights after the trainable ones', () => {
    const m = buildPongPolicy({ seed: 1 });
    expect(m.nonTrainableWeights.map((w) => w.shape)).toEqual([[2]]);
    expect(returnStatistics(m).read()).toEqual({ mean: 0, meanSquare: 1 });
  });

  it('centre and scale the returns', () => {
    const n = normaliseWith(Float32Array.from([-1, 0, 1]), { mean: -0.5, meanSquare: 0.5 });
    expect(Array.from(n)).toEqual([-1, 1, 3]);
  });

  it('survive saving and loading the model (the layer is registered for deserialisation)', async () => {
    const m = buildPongPolicy({ seed: 2 });
    returnStatistics(m).update(Float32Array.from([-1, -1]), 0.5);
    let saved: tf.io.ModelArtifacts | undefined;
    await m.save(tf.io.withSaveHandler(async (art) => ((saved = art), { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } })));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    expect(returnStatistics(loaded).read()).toEqual({ mean: -0.5, meanSquare: 1 });
  });
});

describe('episodes with action repeat', () => {
  it('take one decision every `repeat` frames and replay the same in any company', () => {
    const alone = readSync(playEpisodes(null, 5, [3], OPTIONS))[0]!;
    const together = readSync(playEpisodes(null, 5, [1, 3], OPTIONS))[1]!;
    expect(together.length).toBe(alone.length);
    expect(Array.from(together.actions)).toEqual(Array.from(alone.actions));
    expect(together.return).toBe(alone.return);
    const single = readSync(playEpisodes(null, 5, [3], { ...OPTIONS, repeat: 1 }))[0]!;
    // A served ball needs about 18 frames to reach the paddle: far fewer decisions with a repeat of 4.
    expect(alone.length).toBeLessThan(single.length);
    expect(Math.abs(alone.return)).toBe(1);
  });
});

describe('the REINFORCE step', () => {
  it('leaves no tensors behind but the gradients it returns', () => {
    const model = buildPongPolicy({ seed: 4 });
    const dataset = { test: { n: 0 } } as never;
    const step = () => {
      const r = readSync(pong.customStep!.compute({ model, dataset, config: {}, indices: [0, 1, 2], seed: 9 }));
      expect(r.grads).toHaveLength(model.trainableWeights.length);
      expect(r.count).toBeGreaterThanOrEqual(15); // ≥ 5 decisions per served ball
      r.grads.forEach((g) => g.dispose());
    };
    step();
    const before = tf.memory().numTensors;
    step();
    step();
    expect(tf.memory().numTensors).toBe(before);
  });
});
