import { encodeDatasetWire, type Dataset } from '@shardgrad/data';
import type { Coordinator } from './coordinator.ts';
import { sendJson } from './http-routes.ts';
import { makePayload, sendPayload, type Payload } from './static-files.ts';

const DATASET_PATH = /^\/data\/([^/]+)\.bin$/;

/** Where a browser tab downloads the run's training data. */
export const datasetUrl = (name: string) => `/data/${encodeURIComponent(name)}.bin`;

/**
 * Serves `GET /data/<dataset>.bin`: the training split this coordinator loaded, in the dataset wire
 * format. Tabs rebuild exactly these rows, so their shards are the Node workers' shards. Encoded and
 * gzipped once per loaded dataset (a class of tabs downloads the same bytes), and re-done after the
 * teacher starts a run on other data.
 */
export function serveDataset(c: Coordinator): void {
  let cache: { dataset: Dataset; payload: Promise<Payload> } | undefined;
  c.routes.fallback(async (req, res, url) => {
    const m = DATASET_PATH.exec(url.pathname);
    if (!m || (req.method !== 'GET' && req.method !== 'HEAD')) return;
    const { dataset, datasetName } = c.config;
    let name: string;
    try {
      name = decodeURIComponent(m[1]!);
    } catch {
      return sendJson(res, 400, { error: `bad dataset name in ${url.pathname}` });
    }
    if (name !== datasetName) {
      return sendJson(res, 404, { error: `this coordinator trains on "${datasetName}", not "${name}"` });
    }
    if (cache?.dataset !== dataset) {
      const payload = makePayload(encodeDatasetWire(dataset), 'application/octet-stream', true);
      cache = { dataset, payload };
      payload.catch(() => (cache = undefined));
    }
    sendPayload(req, res, await cache.payload);
  });
}
