import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { initNodeBackend } from '@shardgrad/backends/node';
import { loadModelDir, ModelFileError, saveModelDir, type ModelMeta } from './model-files.ts';

const root = mkdtempSync(join(tmpdir(), 'sg-model-files-'));
const saved = join(root, 'saved');
const meta: ModelMeta = { model: 'mnist-mlp', dataset: 'mnist', inputShape: [4], labelSize: 3, numClasses: 3, runId: 'r1', step: 2, datasetOptions: {}, modelConfig: {} };
let weightBytes = 0;

beforeAll(async () => {
  await initNodeBackend('wasm');
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })] });
  await saveModelDir(model, saved, meta);
  weightBytes = readFileSync(join(saved, 'weights.bin')).byteLength;
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

let copies = 0;
/** A copy of the saved model with one thing done to it. */
function damaged(change: (dir: string) => void): string {
  const dir = join(root, `copy-${copies++}`);
  cpSync(saved, dir, { recursive: true });
  change(dir);
  return dir;
}
const rewriteJson = (dir: string, file: string, edit: (v: Record<string, unknown>) => unknown) =>
  writeFileSync(join(dir, file), JSON.stringify(edit(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Record<string, unknown>)));
const weights = (dir: string, bytes: Uint8Array) => writeFileSync(join(dir, 'weights.bin'), bytes);

async function refusal(dir: string): Promise<string> {
  const e = await loadModelDir(dir).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(ModelFileError);
  return (e as Error).message;
}

describe('loading a saved model refuses what does not hold up, naming the file', () => {
  it('loads the model as saved', async () => {
    const { model, meta: back } = await loadModelDir(saved);
    expect(back).toEqual(meta);
    expect(model.countParams()).toBe(weightBytes / 4);
  });

  it('weights that are not finite numbers: all NaN, random bytes', async () => {
    const nan = damaged((d) => weights(d, new Uint8Array(new Float32Array(weightBytes / 4).fill(Number.NaN).buffer)));
    expect(await refusal(nan)).toMatch(new RegExp(`${join(nan, 'weights.bin')}: weight .* holds 12 of 12 values that are not finite`));
    // Random bytes of the right size: one float in 256 has the exponent of a NaN or an infinity; these are chosen to.
    const random = damaged((d) => weights(d, Uint8Array.from({ length: weightBytes }, (_, i) => (i % 4 === 3 ? 0x7f : i % 4 === 2 ? 0xc0 | i : (i * 37) & 0xff))));
    expect(await refusal(random)).toMatch(/not finite numbers/);
  });

  it('a weights file of the wrong size: twice the size, truncated, missing', async () => {
    const twice = damaged((d) => weights(d, new Uint8Array(weightBytes * 2)));
    expect(await refusal(twice)).toBe(
      `${join(twice, 'weights.bin')}: ${weightBytes * 2} bytes, where the 2 weights model.json lists take ${weightBytes}: the wrong weights file for this model`,
    );
    const cut = damaged((d) => weights(d, new Uint8Array(10)));
    expect(await refusal(cut)).toMatch(new RegExp(`${join(cut, 'weights.bin')}: 10 bytes, .* a truncated weights file`));
    const gone = damaged((d) => rmSync(join(d, 'weights.bin')));
    expect(await refusal(gone)).toBe(`${join(gone, 'weights.bin')}: no such file (model.json lists it as the model's weights)`);
  });

  it('model.json without its manifest, or pointing outside its folder', async () => {
    const noManifest = damaged((d) => rewriteJson(d, 'model.json', ({ weightsManifest: _w, ...rest }) => rest));
    expect(await refusal(noManifest)).toBe(`${join(noManifest, 'model.json')}: weightsManifest must be a list of weights groups {paths, weights}, got nothing`);
    const escape = damaged((d) =>
      rewriteJson(d, 'model.json', (m) => ({ ...m, weightsManifest: (m.weightsManifest as { paths: string[] }[]).map((g) => ({ ...g, paths: ['../../etc/passwd'] })) })),
    );
    expect(await refusal(escape)).toMatch(/weights path "..\/..\/etc\/passwd" leaves the model's folder/);
  });

  it('shardgrad.json that is not a model description', async () => {
    const noShape = damaged((d) => rewriteJson(d, 'shardgrad.json', ({ inputShape: _s, ...rest }) => rest));
    expect(await refusal(noShape)).toBe(`${join(noShape, 'shardgrad.json')}: inputShape must be a list of whole numbers ≥ 1, got nothing`);
    const list = damaged((d) => rewriteJson(d, 'shardgrad.json', () => []));
    expect(await refusal(list)).toMatch(new RegExp(`${join(list, 'shardgrad.json')}: the file must be the model's description .*, got \\[\\]`));
    const notJson = damaged((d) => writeFileSync(join(d, 'shardgrad.json'), '{"model":'));
    expect(await refusal(notJson)).toMatch(/shardgrad\.json: not JSON/);
  });
});
