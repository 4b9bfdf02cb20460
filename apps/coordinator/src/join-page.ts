import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Coordinator } from './coordinator.ts';
import { serveDataset } from './dataset-route.ts';
import { sendFile, staticFiles } from './static-files.ts';

/** Where the join page's scripts and styles live (built by apps/worker-browser/build.ts). */
export const JOIN_ASSETS_PREFIX = '/join/';
/** Where the tab's Web Worker finds the wasm backend's binaries; it passes this to setWasmPaths. */
export const TFJS_WASM_PREFIX = '/tfjs-wasm/';

export interface JoinPageOptions {
  /** A folder with an already built join page; by default the page is built on first request. */
  distDir?: string;
}

/** The folder of the tfjs wasm binaries, from the very package the tab's bundle was built with. */
export function tfjsWasmDir(): string {
  const require = createRequire(import.meta.url);
  return dirname(require.resolve('@tensorflow/tfjs-backend-wasm'));
}

/**
 * Makes the coordinator's root URL the students' join page: `/` serves the page, `/join/*` its
 * bundle, `/tfjs-wasm/*` the wasm binaries and `/data/<name>.bin` the training data, all with the
 * cross-origin isolation headers that let the wasm backend use threads.
 */
export function serveJoinPage(c: Coordinator, opts: JoinPageOptions = {}): void {
  let built: Promise<string> | undefined;
  // Built on the first request rather than at startup: a coordinator nobody opens in a browser
  // (the CLI's local training, most tests) never pays for bundling.
  const distDir = (): Promise<string> => {
    if (opts.distDir) return Promise.resolve(opts.distDir);
    built ??= import('@shardgrad/worker-browser/build')
      .then((m) => m.ensureWorkerBrowserBuilt())
      .catch((e: Error) => {
        built = undefined;
        throw new Error(`the join page could not be built (${e.message}); build it with \`npx tsx apps/worker-browser/build.ts\``);
      });
    return built;
  };
  const page = async (req: Parameters<typeof sendFile>[0], res: Parameters<typeof sendFile>[1]) => sendFile(req, res, join(await distDir(), 'index.html'));
  c.routes.on('GET', '/', page);
  c.routes.on('HEAD', '/', page);
  c.routes.on('GET', '/index.html', page);
  c.routes.fallback(staticFiles({ prefix: JOIN_ASSETS_PREFIX, dir: distDir }));
  c.routes.fallback(staticFiles({ prefix: TFJS_WASM_PREFIX, dir: tfjsWasmDir(), allow: (f) => /^tfjs-backend-wasm[\w-]*\.wasm$/.test(f) }));
  serveDataset(c);
}
