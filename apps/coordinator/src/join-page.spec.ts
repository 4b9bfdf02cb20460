import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { decodeDatasetWire } from '@shardgrad/data';
import { createCoordinator } from './create-coordinator.ts';
import type { Coordinator } from './coordinator.ts';

let c: Coordinator;

beforeAll(async () => {
  await initNodeBackend('wasm');
  c = await createCoordinator({ model: 'mnist-mlp', port: 0 });
});
afterAll(() => c.close());

/** A raw request, so headers (content-encoding included) arrive as the server sent them. */
function get(path: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }>((resolve, reject) => {
    const req = request(`${c.url}${path}`, { method, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end();
  });
}

const isolated = (h: Record<string, unknown>) => ({
  coop: h['cross-origin-opener-policy'],
  coep: h['cross-origin-embedder-policy'],
  corp: h['cross-origin-resource-policy'],
});
const ISOLATED = { coop: 'same-origin', coep: 'require-corp', corp: 'same-origin' };

describe('the join page served by the coordinator', () => {
  it('serves the page at the root, built on demand, cross-origin isolated', async () => {
    const res = await get('/');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/text\/html/);
    expect(isolated(res.headers)).toEqual(ISOLATED);
    expect(res.body.toString()).toContain('<script type="module" src="/join/main.js">');
  });

  it('serves both bundles gzipped with the same headers, and 304 when unchanged', async () => {
    for (const file of ['main.js', 'compute.worker.js']) {
      const res = await get(`/join/${file}`, { 'accept-encoding': 'gzip' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/text\/javascript/);
      expect(res.headers['content-encoding']).toBe('gzip');
      expect(isolated(res.headers)).toEqual(ISOLATED);
      const again = await get(`/join/${file}`, { 'if-none-match': String(res.headers.etag) });
      expect(again.status).toBe(304);
    }
    const plain = await get('/join/style.css');
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.toString()).toContain('data-phase');
  });

  it('serves the tfjs wasm binaries as application/wasm, and nothing else from that folder', async () => {
    for (const f of ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm']) {
      const res = await get(`/tfjs-wasm/${f}`, {}, 'HEAD');
      expect(res.status, f).toBe(200);
      expect(res.headers['content-type']).toBe('application/wasm');
      expect(isolated(res.headers)).toEqual(ISOLATED);
      expect(Number(res.headers['content-length'])).toBeGreaterThan(10_000);
    }
    expect((await get('/tfjs-wasm/tf-backend-wasm.js')).status).toBe(404);
  });

  it('answers 404 to paths outside its folders, dotfiles and bad encodings', async () => {
    for (const path of ['/join/..%2F..%2Fpackage.json', '/join/../build.ts', '/join/.build-stamp', '/join/%E0%A4%A', '/join/nope.js', '/tfjs-wasm/..%2Fpackage.json']) {
      const res = await get(path);
      expect(res.status, path).toBe(404);
      expect(JSON.parse(res.body.toString()).error).toBeTypeOf('string');
    }
  });

  it("serves the run's training split, bit for bit, and refuses other datasets", async () => {
    const res = await get('/data/mnist.bin', { 'accept-encoding': 'gzip' });
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('gzip');
    expect(isolated(res.headers)).toEqual(ISOLATED);
    const viaFetch = await fetch(`${c.url}/data/mnist.bin`);
    const ds = decodeDatasetWire(new Uint8Array(await viaFetch.arrayBuffer()));
    const mine = c.config.dataset;
    expect(ds.train.n).toBe(mine.train.n);
    expect(Buffer.from(ds.train.x.buffer).equals(Buffer.from(mine.train.x.buffer))).toBe(true);
    expect(Buffer.from(ds.train.y.buffer).equals(Buffer.from(mine.train.y.buffer))).toBe(true);

    const other = await get('/data/fashion-mnist.bin');
    expect(other.status).toBe(404);
    expect(JSON.parse(other.body.toString()).error).toMatch(/trains on "mnist", not "fashion-mnist"/);
    expect((await get('/data/%E0%A4%A.bin')).status).toBe(400);
  });
});
