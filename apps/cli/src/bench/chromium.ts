import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';

/** Debian's chromium: the browser students use, never a downloaded one. */
export const CHROMIUM_PATH = process.env.SHARDGRAD_CHROMIUM ?? '/usr/bin/chromium';
export const haveChromium = existsSync(CHROMIUM_PATH);

/**
 * Headless and offline, with WebGPU and WebGL on SwiftShader (a CPU Vulkan/GL), so GPU backends run
 * on a machine without a GPU.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--enable-unsafe-webgpu',
  '--use-angle=swiftshader',
];

export function launchChromium(): Promise<Browser> {
  if (!haveChromium) throw new Error(`no chromium at ${CHROMIUM_PATH}: scripts/setup.sh installs Debian's (apt-get install -y chromium)`);
  return chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS });
}

/**
 * A tab as a student's: a headless chromium opened on `url` with no DevTools client attached. Under
 * playwright, chromium streams every WebSocket frame to the driver (two 400 kB payloads a round for
 * the seed's MLP, base64 over the DevTools pipe), which halved a wasm tab's samples/s in rounds; a
 * benchmark of round speed must not pay that. Nothing can be read from such a tab: the coordinator's
 * view of it is the measurement.
 */
export async function openUndrivenTab(url: string): Promise<{ close(): Promise<void> }> {
  if (!haveChromium) throw new Error(`no chromium at ${CHROMIUM_PATH}: scripts/setup.sh installs Debian's (apt-get install -y chromium)`);
  const profile = await mkdtemp(join(tmpdir(), 'shardgrad-tab-'));
  const proc = spawn(CHROMIUM_PATH, [...CHROMIUM_ARGS, '--headless', `--user-data-dir=${profile}`, url], { stdio: 'ignore' });
  const exited = once(proc, 'exit').catch(() => undefined);
  return {
    close: async () => {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill();
      await exited;
      // Its helper processes may still be writing into the profile for a moment after it exits.
      await rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 });
    },
  };
}

/** What a join page's `shardgrad.snapshot()` returns: the tab's state as the student sees it. */
export interface TabSnapshotView {
  phase: string;
  message: string;
  backend?: string;
  samplesPerSecond?: number;
  workerId?: string;
  run?: { runId: string; model: string; dataset: string; batch: number };
  calibration?: { chosen: string; samplesPerSecond: number; results: { backend: string; available: boolean; matches?: boolean; relativeError?: number; samplesPerSecond?: number; threads?: number; error?: string }[] };
  contribution: { samples: number; rounds: number };
  fallbacks: { from: string; to: string; reason: string }[];
}

export const snapshot = (page: Page) => page.evaluate(() => (globalThis as unknown as { shardgrad: { snapshot(): TabSnapshotView } }).shardgrad.snapshot());

/** Resolves when the page's phase (the `data-phase` the student sees) is one of `phases`. */
export async function waitForPhase(page: Page, phases: string[], timeout = 120_000): Promise<void> {
  await page.waitForFunction((ps) => ps.includes(document.getElementById('app')?.dataset.phase ?? ''), phases, { timeout });
}
