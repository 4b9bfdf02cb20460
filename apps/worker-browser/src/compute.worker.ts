/**
 * The compute Web Worker: tfjs lives here, never on the page's main thread, so the page stays
 * responsive while a shard computes. Comlink exposes TabCompute; byte results are transferred.
 */
import * as Comlink from 'comlink';
import type { ComputeApi } from './compute-api.ts';
import { TabCompute } from './tab-compute.ts';

const engine = new TabCompute();

const api: ComputeApi = {
  init: (req) => engine.init(req),
  calibrate: async (req, onProgress) => {
    try {
      // Progress is news, not a step: the calibration does not wait for the page to draw it.
      return await engine.calibrate(req, (p) => void Promise.resolve(onProgress?.(p)).catch(() => undefined));
    } finally {
      // The page's callback arrived as a Comlink proxy: free its message port.
      (onProgress as Partial<Comlink.Remote<() => void>> | undefined)?.[Comlink.releaseProxy]?.();
    }
  },
  compute: async (req) => {
    const reply = await engine.compute(req);
    return Comlink.transfer(reply, [reply.grads.buffer]);
  },
  loseDevice: () => engine.loseDevice(),
  backend: () => engine.backend(),
};

Comlink.expose(api);
