import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { expect } from 'vitest';
import { SWIFTSHADER_ICD } from './webgpu-dawn.ts';

/**
 * For the specs that run WebGPU fixtures: each in a child process (backends are process-global,
 * and Dawn must let the process exit), its last stdout line read as JSON.
 */
export function runFixture(file: string): Record<string, unknown> {
  const child = spawnSync(process.execPath, ['--import', 'tsx', file], { encoding: 'utf8', timeout: 120_000 });
  // Fail loudly with the child's own reason (e.g. "Dawn found no GPU adapter …").
  expect(child.error, `child did not exit: ${child.error?.message}\n${child.stderr}`).toBeUndefined();
  const result = JSON.parse(child.stdout.trim().split('\n').pop() || '{}') as Record<string, unknown>;
  expect(result.error, child.stderr).toBeUndefined();
  expect(child.status).toBe(0);
  return result;
}

/** Whether Dawn can find an adapter here: SwiftShader from Debian's chromium, or a driver named by VK_ICD_FILENAMES. */
export const haveDriver = process.env.VK_ICD_FILENAMES != null || existsSync(SWIFTSHADER_ICD);
if (!haveDriver) {
  console.warn(`webgpu specs skipped: no ${SWIFTSHADER_ICD} (apt install chromium) and VK_ICD_FILENAMES unset`);
}
