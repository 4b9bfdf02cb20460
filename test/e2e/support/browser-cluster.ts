import type { Browser, Page } from 'playwright-core';
import { initNodeBackend } from '@shardgrad/backends/node';
import { createCoordinator, type Coordinator, type CoordinatorEvent, type CoordinatorOptions } from '@shardgrad/coordinator';
import { launchChromium, openTab } from './chromium.ts';

/** A coordinator on loopback and a chromium that opens its join page in tabs. */
export interface BrowserCluster {
  coordinator: Coordinator;
  browser: Browser;
  /** Every event the coordinator emitted, in order. */
  events: CoordinatorEvent[];
  /** Opens the join page with `query` (e.g. `?backend=webgl`); its page errors land in `errors`. */
  openTab(query?: string): Promise<Page>;
  errors: string[];
  close(): Promise<void>;
}

export async function startBrowserCluster(opts: CoordinatorOptions): Promise<BrowserCluster> {
  await initNodeBackend('wasm');
  const coordinator = await createCoordinator({ port: 0, ...opts });
  const events: CoordinatorEvent[] = [];
  coordinator.on('event', (e) => events.push(e));
  const browser = await launchChromium();
  const errors: string[] = [];
  return {
    coordinator,
    browser,
    events,
    errors,
    async openTab(query = '') {
      const tab = await openTab(browser, `${coordinator.url}/${query}`);
      tab.page.on('pageerror', (e) => errors.push(`${query}: ${e.message}`));
      return tab.page;
    },
    async close() {
      await browser.close().catch(() => undefined);
      await coordinator.close();
    },
  };
}
