import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { haveDriver, runFixture } from './fixture-process.ts';

// A child process: backends are process-global, and it proves disposeNodeBackend lets Node exit.
const FIXTURE = fileURLToPath(new URL('./webgpu-mlp.fixture.ts', import.meta.url));
const CONV_FILTER_FIXTURE = fileURLToPath(new URL('./webgpu-conv-filter.fixture.ts', import.meta.url));
const REDUCTIONS_FIXTURE = fileURLToPath(new URL('./webgpu-reductions.fixture.ts', import.meta.url));
const BUFFER_POOL_FIXTURE = fileURLToPath(new URL('./webgpu-buffer-pool.fixture.ts', import.meta.url));

describe('Node webgpu backend (Dawn)', () => {
  it.skipIf(!haveDriver)('computes the seed MLP gradients like cpu, then lets the process exit', () => {
    const result = runFixture(FIXTURE) as { backend?: string; detail?: string; relativeError?: number };
    expect(result.backend).toBe('webgpu');
    expect(result.detail).toMatch(/tfjs-backend-webgpu on Dawn/);
    // Measured 1.2e-6 on SwiftShader.
    expect(result.relativeError).toBeLessThan(1e-5);
  });

  it.skipIf(!haveDriver)("computes the Conv2D filter gradient by chunked partial sums, and by a patch product (or a sum of them past the dispatch cap), like cpu, for every padding and stride, releasing what it made", () => {
    const result = runFixture(CONV_FILTER_FIXTURE) as {
      backend: string; calls: { chunks: number; patches: number }; cases: Array<{ name: string; chunks: number; patches: number; cut: number; native: number }>;
      leakedBytes: number; cutLeakedBytes: number; tensors: number;
    };
    expect(result.backend).toBe('webgpu');
    expect(result.calls).toEqual({ chunks: result.cases.length, patches: result.cases.length });
    for (const c of result.cases) {
      // Measured 1e-6 at worst on SwiftShader, as tfjs's own kernel.
      expect(c.chunks, c.name).toBeLessThan(1e-5);
      expect(c.patches, c.name).toBeLessThan(1e-5);
      expect(c.cut, c.name).toBeLessThan(1e-5);
      expect(c.native, c.name).toBeLessThan(1e-5);
    }
    expect(result.leakedBytes).toBe(0);
    expect(result.cutLeakedBytes).toBe(0);
    expect(result.tensors).toBe(0);
  });

  it.skipIf(!haveDriver)('sums and averages over leading axes by chunked columns, like cpu, releasing what it made', () => {
    const result = runFixture(REDUCTIONS_FIXTURE) as {
      backend: string; calls: number; cases: Array<{ name: string; error: number; shapeMatches: boolean }>; leakedBytes: number; tensors: number;
    };
    expect(result.backend).toBe('webgpu');
    // Every case has at least 2,048 rows per output: each went through ours.
    expect(result.calls).toBeGreaterThanOrEqual(result.cases.length);
    for (const c of result.cases) {
      expect(c.shapeMatches, c.name).toBe(true);
      expect(c.error, c.name).toBeLessThan(1e-5);
    }
    expect(result.leakedBytes).toBe(0);
    expect(result.tensors).toBe(0);
  });

  it.skipIf(!haveDriver)('frees the buffers of batch sizes that no recent step used, and keeps reusing a steady size', () => {
    const r = runFixture(BUFFER_POOL_FIXTURE) as { unbounded: number[]; bounded: number[]; steady: number[]; evicted: number[]; relativeError: number };
    // tfjs's own pool keeps every size: six sizes, six steps' worth (measured 3.3 → 15.3 MB).
    r.unbounded.slice(1).forEach((bytes, i) => expect(bytes).toBeGreaterThan(r.unbounded[i]!));
    expect(r.unbounded.at(-1)!).toBeGreaterThan(4 * r.unbounded[0]!);
    // With a step end after each, at most the last two steps' sizes stay (measured 3.3 → 6.4 MB, flat).
    expect(Math.max(...r.bounded)).toBeLessThan(2.5 * r.bounded[0]!);
    expect(Math.max(...r.bounded.slice(5))).toBeLessThanOrEqual(1.1 * Math.max(...r.bounded.slice(0, 5)));
    // One size over and over: the same buffers, nothing more evicted after the older sizes went.
    expect(new Set(r.steady.slice(1)).size).toBe(1);
    expect(new Set(r.evicted.slice(1)).size).toBe(1);
    expect(r.steady.at(-1)!).toBeLessThan(r.bounded.at(-1)!);
    // Measured 1.4e-6 on SwiftShader: the evictions took no buffer still in use.
    expect(r.relativeError).toBeLessThan(1e-5);
  });
});

