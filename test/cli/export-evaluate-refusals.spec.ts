import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runSession } from '@shardgrad/coordinator';
import { checkpointName } from '@shardgrad/runlog';
import { exportCommand } from '../../apps/cli/src/commands/export.ts';
import { UsageError } from '../../apps/cli/src/output.ts';
import { startTestCluster } from '../support/cluster.ts';
import { runCli } from '../support/run-cli.ts';
import { snapshot } from '../support/run-snapshot.ts';

/**
 * export never replaces a model it was not told to (a run's final model, a checkpoint's, a folder's
 * contents), and a damaged model is refused with exit 2 naming its file instead of being evaluated.
 * The run is trained for real in this process; export runs in this process as commander runs it,
 * and the real CLI where the exit code is the point.
 */

const root = mkdtempSync(join(tmpdir(), 'shardgrad-export-refusals-'));
let run: string;

beforeAll(async () => {
  const cluster = await startTestCluster({ model: 'mnist-mlp', seed: 1, split: 'equal' }, [{ nickname: 'w1' }]);
  try {
    const [summary] = await runSession(cluster.coordinator, { plan: () => ({ epochs: 1, maxSteps: 2, minWorkers: 1 }), record: { root: join(root, 'runs'), checkpointEvery: 1 } });
    run = join(root, 'runs', summary!.runId);
  } finally {
    await cluster.close();
  }
});
afterAll(() => {
  vi.restoreAllMocks();
  rmSync(root, { recursive: true, force: true });
});

async function exporting(...args: string[]): Promise<unknown> {
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
  try {
    await exportCommand().exitOverride().parseAsync(args, { from: 'user' });
    return undefined;
  } catch (e) {
    return e;
  } finally {
    spy.mockRestore();
  }
}

async function refused(...args: string[]): Promise<string> {
  const e = await exporting(...args);
  expect(e).toBeInstanceOf(UsageError);
  return (e as Error).message;
}

describe('export --out refuses to replace what is there', () => {
  it("refuses a run's model/ and checkpoints/ folders, leaving them as they were", async () => {
    const before = snapshot(run);
    expect(await refused(run, '--step', '1', '--out', join(run, 'model'))).toBe(
      `--out ${join(run, 'model')} is inside the model/ folder of run ${run}, where training keeps its own models; export somewhere else, or add --force to write there anyway`,
    );
    expect(await refused(run, '--step', '1', '--out', join(run, 'checkpoints', checkpointName(2)))).toMatch(/is inside the checkpoints\/ folder of run/);
    expect(await refused(run, '--out', join(run, 'checkpoints', 'new'))).toMatch(/is inside the checkpoints\/ folder of run/);
    expect(snapshot(run)).toEqual(before);
  });

  it('refuses a folder that is not empty unless --force, and a file always', async () => {
    const out = join(root, 'not-empty');
    mkdirSync(out);
    writeFileSync(join(out, 'notes.txt'), 'mine');
    expect(await refused(run, '--out', out)).toBe(`--out ${out} is not empty (notes.txt); give a new or empty folder, or add --force to overwrite the model files in it`);
    expect(snapshot(out)).toEqual({ 'notes.txt': expect.any(String) });
    expect(await exporting(run, '--step', '1', '--out', out, '--force')).toBeUndefined();
    expect(JSON.parse(readFileSync(join(out, 'shardgrad.json'), 'utf8')).step).toBe(1);
    expect(readFileSync(join(out, 'notes.txt'), 'utf8')).toBe('mine');
    expect(await refused(run, '--out', join(out, 'notes.txt'), '--force')).toBe(`--out ${join(out, 'notes.txt')} is a file; give a folder to write the model into`);
    // Under a file, mkdir's bare ENOTDIR named no flag.
    expect(await refused(run, '--out', join(out, 'notes.txt', 'sub'), '--force')).toBe(`--out ${join(out, 'notes.txt', 'sub')} lies under ${join(out, 'notes.txt')}, which is a file; give a folder to write the model into`);
  });

  it('exits 2 on the command line, writing nothing', async () => {
    const before = snapshot(run);
    const r = await runCli(['export', run, '--step', '1', '--out', join(run, 'model')]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^shardgrad: --out .* is inside the model\/ folder of run/);
    expect(snapshot(run)).toEqual(before);
  });
});

describe('a damaged model is refused, naming the file', () => {
  it('evaluate: NaN weights exit 2 instead of giving figures', async () => {
    const dir = join(root, 'nan-model');
    cpSync(join(run, 'model'), dir, { recursive: true });
    const size = readFileSync(join(dir, 'weights.bin')).byteLength;
    writeFileSync(join(dir, 'weights.bin'), new Uint8Array(new Float32Array(size / 4).fill(Number.NaN).buffer));
    const r = await runCli(['evaluate', '--model-dir', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^shardgrad: ${join(dir, 'weights.bin')}: weight \\S+ holds \\d+ of \\d+ values that are not finite numbers`));
    expect(await refused(dir, '--out', join(root, 'nan-export'))).toMatch(/not finite numbers/);
  });
});
