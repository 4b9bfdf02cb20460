import { describe, expect, it } from 'vitest';
import type { OptimizerName } from '@shardgrad/models';
import { createOptimizer } from '../optimizer.ts';
import { loadUpdateKernels } from '../load-update-kernels.node.ts';
import type { ArrayOptimizer } from './optimizer.ts';

const NAMES: OptimizerName[] = ['sgd', 'momentum', 'rmsprop', 'adam'];

/** Two tensors, one with a tail the SIMD kernel handles apart. */
const params = () => [Float32Array.from([0.5, -0.25, 1, 2, -1]), Float32Array.from([0.1, 0.2])];
const grads = (v: number) => [new Float32Array(5).fill(v), new Float32Array(2).fill(v)];
const snapshot = (o: ArrayOptimizer, p: Float32Array[]) => JSON.stringify({ state: o.getState(), p: p.map((t) => Array.from(t)) });

async function optimizers(lr = 0.01): Promise<[string, ArrayOptimizer][]> {
  const kernel = await loadUpdateKernels();
  const all: [string, ArrayOptimizer][] = NAMES.map((n) => [n, createOptimizer({ name: n, learningRate: lr })]);
  if (kernel) all.push(['simd adam', createOptimizer({ name: 'adam', learningRate: lr }, { adam: kernel })]);
  return all;
}

describe('a step that would leave NaN or ∞ behind is not taken', () => {
  it('refuses a gradient whose square float32 cannot hold (Adam: ∞ second moment, frozen for good), changing nothing', async () => {
    for (const [name, opt] of await optimizers()) {
      const p = params();
      expect(opt.apply(p, grads(0.1)), name).toBe(true);
      const before = snapshot(opt, p);
      for (const bad of [1e20, 3e38, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(opt.apply(p, grads(bad)), `${name} ${bad}`).toBe(false);
        expect(opt.refusal, name).toMatch(/gradient 0 holds/);
        expect(snapshot(opt, p), `${name} ${bad}`).toBe(before);
      }
      // Training goes on from where it was.
      expect(opt.apply(p, grads(0.1)), name).toBe(true);
      expect(opt.refusal).toBeUndefined();
      expect(opt.step, name).toBe(2);
      expect(p.every((t) => t.every(Number.isFinite)), name).toBe(true);
    }
  });

  it('undoes a step whose weights overflow, slots and step count included', async () => {
    // A finite gradient, but lr · g beyond float32: SGD and momentum weights would become -∞.
    for (const [name, opt] of (await optimizers(1e30)).filter(([n]) => n === 'sgd' || n === 'momentum')) {
      const p = params();
      expect(opt.apply(p, grads(1e-3)), name).toBe(true);
      const before = snapshot(opt, p);
      expect(opt.apply(p, grads(1e10)), name).toBe(false);
      expect(opt.refusal, name).toMatch(/weight tensor 0 non-finite/);
      expect(snapshot(opt, p), name).toBe(before);
    }
  });
});

describe("Adam's step needs no look afterwards", () => {
  it('keeps every weight and slot finite for gradients up to the bound, at the largest learning rate it vouches for', async () => {
    const { MAX_GRADIENT_SUM_OF_SQUARES } = await import('./optimizer.ts');
    for (const [name, opt] of (await optimizers(1e6)).filter(([n]) => n.endsWith('adam'))) {
      const p = params();
      // Each step the largest gradient allowed, then tiny ones: the ratio m/√v is at its worst after a switch.
      const top = Math.sqrt(MAX_GRADIENT_SUM_OF_SQUARES / 7) * 0.999;
      for (let step = 0; step < 300; step++) {
        const v = step % 50 < 3 ? (step % 2 ? -top : top) : (step % 2 ? 1e-30 : -1e-30);
        expect(opt.apply(p, grads(v)), `${name} step ${step}`).toBe(true);
      }
      const state = opt.getState();
      expect(p.every((t) => t.every(Number.isFinite)), name).toBe(true);
      expect(Object.values(state.slots).every((ts) => ts.every((t) => t.every(Number.isFinite))), name).toBe(true);
    }
  });
});

describe('gradientsBounded', () => {
  it('is the caller vouching for the gradient: no check of it, on every optimizer, the SIMD one included', async () => {
    for (const [name, opt] of await optimizers()) {
      const p = params();
      // Beyond the bound, so a checked step refuses it; vouched for, it is taken as it is.
      expect(opt.apply(p, grads(1e20)), name).toBe(false);
      expect(opt.apply(p, grads(1e20), { gradientsBounded: true }), name).toBe(true);
      expect(opt.step, name).toBe(1);
    }
  });
});
