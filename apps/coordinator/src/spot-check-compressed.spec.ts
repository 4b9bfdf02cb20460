import { describe, expect, it } from 'vitest';
import { ErrorFeedback, decodeTensors, encodeTensors, type TensorData } from '@shardgrad/codec';
import { relativeError, spotCheckTolerance } from './spot-check.ts';

/** A seeded generator, so a failure reproduces. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('spot checks of compressed results', () => {
  it('pass an honest fp16 or int8 worker with error feedback, even when its share halves between rounds', () => {
    for (const encoding of ['fp16', 'int8'] as const) {
      const ef = new ErrorFeedback();
      const r = rng(encoding.length);
      let worst = 0;
      for (let round = 0; round < 40; round++) {
        // A share that swings between 8 and 32 samples, and gradients whose scale drifts.
        const count = round % 2 === 0 ? 32 : 8;
        const scale = 1e-3 * (1 + round / 10);
        const g: TensorData[] = [[784, 16], [16]].map((shape) => ({
          shape,
          dtype: 'float32',
          data: Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () => (r() - 0.5) * scale * (r() < 0.01 ? 20 : 1)),
        }));
        const got = decodeTensors(encodeTensors(ef.compress('run', g, encoding, count)));
        worst = Math.max(worst, relativeError(got, g));
      }
      expect(worst, encoding).toBeGreaterThan(spotCheckTolerance('wasm')); // the raw tolerance would flag it
      expect(worst, encoding).toBeLessThan(spotCheckTolerance('wasm', encoding));
    }
  });

  it('keeps raw results at the raw tolerance', () => {
    expect(spotCheckTolerance('wasm')).toBe(1e-4);
    expect(spotCheckTolerance('wasm', 'none')).toBe(1e-4);
    expect(spotCheckTolerance('webgl', 'fp16')).toBeCloseTo(1.4e-2, 10);
  });
});
