import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SWIFTSHADER_ICD } from './webgpu-dawn.ts';

// A child process: backends are process-global, and it proves disposeNodeBackend lets Node exit.
const FIXTURE = fileURLToPath(new URL('./webgpu-mlp.fixture.ts', import.meta.url));
const haveDriver = process.env.VK_ICD_FILENAMES != null || existsSync(SWIFTSHADER_ICD);
if (!haveDriver) {
  console.warn(`webgpu spec skipped: no ${SWIFTSHADER_ICD} (apt install chromium) and VK_ICD_FILENAMES unset`);
}

describe('Node webgpu backend (Dawn)', () => {
  it.skipIf(!haveDriver)('computes the seed MLP gradients like cpu, then lets the process exit', () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE], {
      encoding: 'utf8',
      timeout: 120_000,
    });
    const line = child.stdout.trim().split('\n').pop() ?? '';
    // Fail loudly with the child's own reason (e.g. "Dawn found no GPU adapter …").
    expect(child.error, `child did not exit: ${child.error?.message}\n${child.stderr}`).toBeUndefined();
    const result = JSON.parse(line || '{}') as { error?: string; backend?: string; detail?: string; relativeError?: number };
    expect(result.error, child.stderr).toBeUndefined();
    expect(child.status).toBe(0);
    expect(result.backend).toBe('webgpu');
    expect(result.detail).toMatch(/tfjs-backend-webgpu on Dawn/);
    // Measured 1.2e-6 on SwiftShader.
    expect(result.relativeError).toBeLessThan(1e-5);
  });
});
