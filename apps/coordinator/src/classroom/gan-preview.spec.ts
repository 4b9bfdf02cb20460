import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs';
import { initNodeBackend } from '@shardgrad/backends/node';
import { loadDataset } from '@shardgrad/data/node';
import { gan } from '@shardgrad/models';
import type { CoordinatorConfig } from '../coordinator.ts';
// The hub imports the GAN's preview for its side effect; so does this test.
import './dashboard-hub.ts';
import { previewFor } from './previews.ts';

describe('the GAN’s dashboard preview', () => {
  it('is its own sample grid: 8 × 8 generated digits, the same noise at every refresh', async () => {
    await initNodeBackend('wasm');
    const dataset = await loadDataset('mnist');
    const model = gan.build({ inputShape: dataset.inputShape, numClasses: 10, seed: 3, config: {} });
    const cfg = { def: gan, dataset, state: { model } } as unknown as CoordinatorConfig;
    const make = previewFor(cfg)!;
    const p = make(cfg, 7)!;
    expect(p).toMatchObject({ kind: 'samples', step: 7, width: 8 * 30 + 2, height: 8 * 30 + 2 });
    expect(p.rgba.byteLength).toBe(p.width * p.height * 4);
    // Fixed noise: the same weights draw the same picture, so the class sees the same digits change.
    expect(Buffer.from(make(cfg, 8)!.rgba).equals(Buffer.from(p.rgba))).toBe(true);
    // An untrained generator draws flat grey (tanh of about 0); larger weights draw shapes, and the
    // picture follows the weights of the moment.
    const levels = (q: typeof p) => new Set(Array.from(q.rgba.filter((_, i) => i % 4 === 0))).size;
    expect(levels(p)).toBeLessThanOrEqual(3);
    model.trainableWeights.forEach((w) => w.write(tf.mul(w.read(), 40)));
    expect(levels(make(cfg, 9)!)).toBeGreaterThan(10);
    model.dispose();
  });
});
