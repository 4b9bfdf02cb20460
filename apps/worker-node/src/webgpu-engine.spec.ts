import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SWIFTSHADER_ICD } from '@shardgrad/backends/node';

// A child process: backends are process-global, and Dawn must let the process exit afterwards.
const FIXTURE = fileURLToPath(new URL('./webgpu-engine.fixture.ts', import.meta.url));
const haveDriver = process.env.VK_ICD_FILENAMES != null || existsSync(SWIFTSHADER_ICD);
if (!haveDriver) console.warn(`webgpu engine spec skipped: no ${SWIFTSHADER_ICD} (apt install chromium) and VK_ICD_FILENAMES unset`);

describe('gradient engine on the webgpu backend', () => {
  // webgpu's synchronous reads throw in Node ("OffscreenCanvas is not defined"): the engine must read asynchronously.
  it.skipIf(!haveDriver)("computes a shard's gradient like cpu: the seed MLP, and the custom steps that read tensors mid-step (GAN, word2vec, Pong)", () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE], { encoding: 'utf8', timeout: 150_000 });
    expect(child.error, `child did not exit: ${child.error?.message}\n${child.stderr}`).toBeUndefined();
    const out = JSON.parse(child.stdout.trim().split('\n').pop() || '{}') as { error?: string; results?: Array<Record<string, number | string>> };
    expect(out.error, child.stderr).toBeUndefined();
    expect(child.status).toBe(0);
    expect(out.results!.map((r) => r.model)).toEqual(['mnist-mlp', 'gan', 'word2vec', 'pong']);
    for (const r of out.results!) {
      expect(r.backend, String(r.model)).toBe('webgpu');
      // Pong counts timesteps: the same episodes, played with the same policy, on both.
      expect(r.count, String(r.model)).toBe(r.cpuCount);
      // Measured ≤ 4.2e-7 on SwiftShader.
      expect(r.relativeError, String(r.model)).toBeLessThan(1e-4);
      expect(r.lossError, String(r.model)).toBeLessThan(1e-4);
      expect(r.metricsError, String(r.model)).toBeLessThan(1e-4);
      expect(r.stateError, String(r.model)).toBeLessThan(1e-4);
      expect(r.leftTensors, String(r.model)).toBe(0);
    }
  });
});
