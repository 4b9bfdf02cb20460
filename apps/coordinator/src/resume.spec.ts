import { copyFileSync, cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sample, writeRunJson } from './checkpoint-fixtures.testing.ts';
import { loadCheckpointFor } from './resume.ts';
import { ResumeError, TRAINING_STATE_FILE, writeTrainingCheckpoint, type TrainingCheckpoint } from './training-checkpoint.ts';

const root = mkdtempSync(join(tmpdir(), 'sg-resume-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const folder = (run: string, step: number) => join(run, 'checkpoints', `step-${String(step).padStart(10, '0')}`);

/** A run directory of sample()'s run with a checkpoint at each step. */
async function runWith(steps: number[], change: (ck: TrainingCheckpoint, step: number) => TrainingCheckpoint = (ck) => ck): Promise<string> {
  const run = mkdtempSync(join(root, 'run-'));
  writeRunJson(run);
  for (const step of steps) {
    mkdirSync(folder(run, step), { recursive: true });
    await writeTrainingCheckpoint(join(folder(run, step), TRAINING_STATE_FILE), change({ ...sample(), position: { step, epoch: 0, offset: step * 64 } }, step));
  }
  return run;
}

const refusal = (resume: string): string => {
  try {
    loadCheckpointFor(resume);
  } catch (e) {
    expect(e).toBeInstanceOf(ResumeError);
    return (e as Error).message;
  }
  throw new Error(`--resume ${resume} was not refused`);
};

describe('--resume goes on only from a checkpoint of the run it sits in', () => {
  it('refuses another run’s or another model’s checkpoint copied into the run', async () => {
    const run = await runWith([10]);
    const other = await runWith([10], (ck) => ({ ...ck, runId: '20260202T000000.000Z-123456', model: 'playground', dataset: 'circle', schemaHash: 'fedcba9876543210' }));
    cpSync(folder(other, 10), folder(run, 40), { recursive: true });
    const file = join(folder(run, 40), TRAINING_STATE_FILE);
    expect(refusal(run)).toBe(
      `--resume: ${file} is not this run's checkpoint (run id 20260202T000000.000Z-123456, the run's is 20260101T000000.000Z-abcdef; ` +
        "model playground, the run's is mnist-mlp; model schema fedcba9876543210, the run's is 0123456789abcdef; dataset circle, the run's is mnist; " +
        "step 10, its folder's is 40); nothing was changed. Move it back where it came from, or resume the run it belongs to",
    );
    expect(refusal(folder(run, 40))).toMatch(/is not this run's checkpoint/);
  });

  it('refuses the run’s own checkpoint in another step’s folder', async () => {
    const run = await runWith([10]);
    cpSync(folder(run, 10), folder(run, 40), { recursive: true });
    expect(refusal(run)).toMatch(/\(step 10, its folder's is 40\)/);
    expect(loadCheckpointFor(folder(run, 10)).checkpoint.position.step).toBe(10);
  });

  it('names the path the user gave for a state outside any run, and for an empty state file', async () => {
    const run = await runWith([10]);
    const lone = join(mkdtempSync(join(root, 'lone-')), TRAINING_STATE_FILE);
    copyFileSync(join(folder(run, 10), TRAINING_STATE_FILE), lone);
    expect(refusal(lone)).toMatch(new RegExp(`^--resume ${lone}: not a checkpoint inside a run directory`));
    const emptyFile = join(folder(run, 10), TRAINING_STATE_FILE);
    writeFileSync(emptyFile, '');
    expect(refusal(emptyFile)).toBe(`--resume ${emptyFile}: not a shardgrad training checkpoint: an empty file`);
    expect(refusal(folder(run, 10))).toBe(`--resume ${folder(run, 10)}: ${emptyFile}: not a shardgrad training checkpoint: an empty file`);
  });
});
