import { existsSync } from 'node:fs';
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
