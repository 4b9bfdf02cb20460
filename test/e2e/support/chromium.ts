import type { Browser, Page } from 'playwright-core';

// The browser set-up the benchmark uses too (bench --suite browser): one definition of the flags.
export { CHROMIUM_ARGS, CHROMIUM_PATH, haveChromium, launchChromium, openUndrivenTab, snapshot, waitForPhase, type TabSnapshotView } from '../../../apps/cli/src/bench/chromium.ts';

/** Opens the join page; page errors and console errors are collected for the assertions' messages. */
export async function openTab(browser: Browser, url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  return { page, errors };
}
