import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';

const dir = mkdtempSync(join(tmpdir(), 'sg-predict-inputs-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, bytes: Uint8Array | string) => {
  const p = join(dir, name);
  writeFileSync(p, bytes);
  return p;
};

/** One float32 MNIST image (IDX [1, 28, 28]) whose first value is `first`. */
function floatImage(first: number): Uint8Array {
  const bytes = new Uint8Array(16 + 4 * 784);
  const v = new DataView(bytes.buffer);
  bytes[2] = 0x0d;
  bytes[3] = 3;
  [1, 28, 28].forEach((d, i) => v.setUint32(4 + 4 * i, d, false));
  v.setFloat32(16, first, false);
  return bytes;
}

let modelDir = '';
beforeAll(async () => {
  const train = await runCli(['train', '--workers', '1', '--steps', '1', '--no-dashboard', '--out', join(dir, 'runs'), '--json']);
  expect(train.code, train.stderr).toBe(0);
  modelDir = train.lines.at(-1)!.modelDir as string;
});

describe('predict names the input it cannot read, with exit code 2', () => {
  // Every kind of bad file is in read-inputs.spec.ts; these go through the command, after a good file and --test-index rows.
  it('refuses a bad file with its name and its reason, never a library message', async () => {
    const ok = new PNG({ width: 28, height: 28 });
    const png = file('a.png', PNG.sync.write(ok));
    const cases: [string, RegExp][] = [
      [file('b.idx', new Uint8Array([1, 2, 3, 4, 5, 6])), /b\.idx: bad magic/],
      [file('c.idx.gz', floatImage(0)), /c\.idx\.gz: is named \.gz but is not gzip-compressed/],
      [file('g.png', 'text'), /g\.png: not a readable PNG \(no PNG signature/],
      [file('h.idx', floatImage(Number.NaN)), /h\.idx: image 0 holds NaN at value 0; inputs must be finite numbers/],
    ];
    for (const [bad, message] of cases) {
      const r = await runCli(['predict', '--model-dir', modelDir, '--test-index', '0', png, bad, '--json']);
      expect(r.code, bad).toBe(2);
      expect(r.stderr, bad).toMatch(message);
      expect(r.stderr, bad).not.toMatch(/incorrect header check|waitng|at .*\.ts:\d+/);
      expect(r.lines.filter((l) => l.type === 'prediction'), bad).toEqual([]);
    }
  });

  it('refuses --dataset-option without --test-index, which it would not change', async () => {
    const r = await runCli(['predict', '--model-dir', modelDir, '--dataset-option', 'classes=[0,1]', file('one.idx', floatImage(1))]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--dataset-option picks the --test-index rows; without --test-index it would change nothing/);
  });

  it('still classifies the files it can read', async () => {
    const r = await runCli(['predict', '--model-dir', modelDir, file('ok.idx', floatImage(1))]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ok\.idx: \d \(with \d+% confidence\)$/m);
  });
});
