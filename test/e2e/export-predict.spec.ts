import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { createCoordinator, runSession, type Coordinator } from '@shardgrad/coordinator';
import { rowSize } from '@shardgrad/data';
import { predictProbabilities } from '@shardgrad/trainer';
import { startNodeWorker, type NodeWorkerHandle } from '@shardgrad/worker-node';
import { runCli } from '../support/run-cli.ts';
import { haveChromium, launchChromium } from './support/chromium.ts';

const TF_BUNDLE = createRequire(import.meta.url).resolve('@tensorflow/tfjs/dist/tf.min.js');
const ROWS = 8;

/** Serves a folder plus tfjs's browser bundle, as any static web server would serve an export. */
function serve(dir: string): Promise<{ server: Server; url: string }> {
  const types: Record<string, string> = { '.json': 'application/json', '.bin': 'application/octet-stream', '.js': 'text/javascript', '.html': 'text/html' };
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    try {
      const body = path === '/tf.min.js' ? await readFile(TF_BUNDLE) : path === '/' ? '<!doctype html><script src="/tf.min.js"></script>' : await readFile(join(dir, normalize(path).replace(/^(\.\.[/\\])+/, '')));
      res.writeHead(200, { 'content-type': types[extname(path)] ?? 'text/html' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` })));
}

/** A dataset row as an 8-bit greyscale PNG; `invert` draws it dark on white, as people write. */
function digitPng(pixels: Float32Array, w: number, h: number, invert: boolean): Buffer {
  const png = new PNG({ width: w, height: h });
  pixels.forEach((v, i) => {
    const g = Math.round((invert ? 1 - v : v) * 255);
    png.data.set([g, g, g, 255], i * 4);
  });
  return PNG.sync.write(png);
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.max(...Array.from(a, (v, i) => Math.abs(v - b[i]!)));

describe('a trained model leaves shardgrad: export, tf.loadLayersModel, predict', () => {
  const root = mkdtempSync(join(tmpdir(), 'shardgrad-export-'));
  const out = join(root, 'exported');
  let c: Coordinator;
  let runDir: string;
  let x: Float32Array;
  let expected: Float32Array;
  let site: { server: Server; url: string };
  let browser: Browser | undefined;
  const workers: NodeWorkerHandle[] = [];

  beforeAll(async () => {
    await initNodeBackend('wasm');
    c = await createCoordinator({ model: 'mnist-mlp', batch: 64, port: 0 });
    for (const n of ['a', 'b']) workers.push(await startNodeWorker({ url: c.url, nickname: n }));
    const [summary] = await runSession(c, { plan: () => ({ epochs: 1, maxSteps: 60, minWorkers: 2 }), record: { root: join(root, 'runs') } });
    runDir = join(root, 'runs', summary!.runId);
    const ds = c.config.dataset;
    x = ds.test.x.slice(0, ROWS * rowSize(ds.inputShape));
    expected = Float32Array.from(predictProbabilities(c.config.state.model, ds.inputShape, x).flatMap((p) => [...p]));
    const exported = await runCli(['export', runDir, '--out', out, '--json']);
    expect(exported.stderr).toBe('');
    expect(exported.lines.at(-1)).toMatchObject({ type: 'exported', model: 'mnist-mlp', dir: out });
    site = await serve(out);
  });

  afterAll(async () => {
    workers.forEach((w) => w.close());
    await c?.close();
    await browser?.close();
    site?.server.close();
  });

  it('writes the tfjs layers format: model.json and its weights', () => {
    expect(readdirSync(out).sort()).toEqual(['model.json', 'shardgrad.json', 'weights.bin']);
  });

  it('loads in Node with tf.loadLayersModel and predicts what the coordinator predicts', async () => {
    const model = await tf.loadLayersModel(`${site.url}/model.json`);
    const got = tf.tidy(() => (model.predict(tf.tensor(x, [ROWS, ...c.config.dataset.inputShape])) as tf.Tensor).dataSync());
    expect(got).toHaveLength(expected.length);
    expect(maxDiff(got, expected)).toBeLessThan(1e-5);
  });

  it.skipIf(!haveChromium)('loads in the browser with tf.loadLayersModel and predicts the same', async () => {
    browser = await launchChromium();
    const page = await browser.newPage();
    await page.goto(site.url);
    const got = await page.evaluate(
      async ({ values, shape }) => {
        const t = (globalThis as unknown as { tf: typeof tf }).tf;
        await t.setBackend('cpu');
        const model = await t.loadLayersModel('/model.json');
        return Array.from((model.predict(t.tensor(values, shape)) as tf.Tensor).dataSync());
      },
      { values: Array.from(x), shape: [ROWS, ...c.config.dataset.inputShape] },
    );
    expect(maxDiff(got, expected)).toBeLessThan(1e-4);
  });

  it('predicts a real test image from a PNG, drawn either way round, like the seed prints it', async () => {
    const ds = c.config.dataset;
    const i = 3;
    const pixels = ds.test.x.slice(i * 784, (i + 1) * 784);
    const dir = join(root, 'png');
    mkdirSync(dir);
    writeFileSync(join(dir, 'digit.png'), digitPng(pixels, 28, 28, false));
    writeFileSync(join(dir, 'ink-on-paper.png'), digitPng(pixels, 28, 28, true));
    const r = await runCli(['predict', '--model-dir', out, join(dir, 'digit.png'), join(dir, 'ink-on-paper.png'), '--test-index', String(i), '--json']);
    expect(r.stderr).toBe('');
    const [fromTest, fromPng, fromInk] = r.lines as { predicted: number; confidence: number }[];
    const probs = expected.subarray(i * 10, (i + 1) * 10);
    expect(fromTest!.predicted).toBe(probs.indexOf(Math.max(...probs)));
    expect(fromPng).toMatchObject({ predicted: fromTest!.predicted });
    expect(fromInk).toMatchObject({ predicted: fromTest!.predicted });
    // A PNG holds 8 bits a pixel, so its confidence may differ in the fourth decimal, no more.
    expect(fromPng!.confidence).toBeCloseTo(fromTest!.confidence, 3);
    expect(fromInk!.confidence).toBeCloseTo(fromTest!.confidence, 3);
    const human = await runCli(['predict', '--model-dir', runDir, join(dir, 'ink-on-paper.png')]);
    expect(human.stdout.trim()).toMatch(new RegExp(`^ink-on-paper\\.png: ${fromTest!.predicted} \\(with \\d+% confidence\\)$`));
  });

  it('refuses what is not a model or not an image, plainly', async () => {
    const bad = join(root, 'not.png');
    writeFileSync(bad, 'hello');
    const r = await runCli(['predict', '--model-dir', out, bad]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/not\.png: not a readable PNG/);
    const e = await runCli(['export', join(root, 'nowhere'), '--out', join(root, 'x')]);
    expect(e.code).toBe(2);
    expect(e.stderr).toMatch(/no model at/);
  });
});
