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
  it.skipIf(!haveDriver)("computes a shard's gradient like cpu", () => {
    const child = spawnSync(process.execPath, ['--import', 'tsx', FIXTURE], { encoding: 'utf8', timeout: 150_000 });
    expect(child.error, `child did not exit: ${child.error?.message}\n${child.stderr}`).toBeUndefined();
    const result = JSON.parse(child.stdout.trim().split('\n').pop() || '{}') as Record<string, unknown>;
    expect(result.error, child.stderr).toBeUndefined();
    expect(child.status).toBe(0);
    expect(result).toMatchObject({ backend: 'webgpu', count: 8 });
    expect(result.relativeError).toBeLessThan(1e-4);
    expect(result.lossError).toBeLessThan(1e-4);
  });
});
