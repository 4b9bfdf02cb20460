import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { haveDriver, runFixture } from '@shardgrad/backends/node/fixture-process';

const FIXTURE = fileURLToPath(new URL('./webgpu-dropout.fixture.ts', import.meta.url));

describe('dropout masks on WebGPU (Dawn)', () => {
  it.skipIf(!haveDriver)("are sampleMasks' to the last unit, drawn by the GPU, so a webgpu worker's gradient with dropout is a cpu worker's", () => {
    const r = runFixture(FIXTURE) as { backend: string; masks: Array<{ rate: number; units: number; differing: number; kept: number; shape: number[] }>; gradientError: number; otherMasksError: number; tensors: number };
    expect(r.backend).toBe('webgpu');
    for (const m of r.masks) {
      expect(m.differing, `rate ${m.rate}`).toBe(0);
      expect(m.shape[0]! * m.shape[1]!).toBe(m.units);
    }
    // The masks keep about 1 − rate of the units (and none at a rate a hair under 1).
    expect(r.masks[0]!.kept / r.masks[0]!.units).toBeCloseTo(0.9, 1);
    expect(r.masks.at(-1)!.kept).toBe(0);
    // Measured 4.5e-7 on SwiftShader; another task seed's masks move the gradient by far more.
    expect(r.gradientError).toBeLessThan(1e-5);
    expect(r.otherMasksError).toBeGreaterThan(1e-2);
    expect(r.tensors).toBe(0);
  });
});
