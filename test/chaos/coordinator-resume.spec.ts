import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readTrainingCheckpoint, stateDigest, TRAINING_STATE_FILE } from '@shardgrad/coordinator';
import { freePort, processesOfThisSuite } from '../support/cli-process.ts';

const TOKEN = 'chaos-test-worker-token-0123456789';
const STEPS = 12;
const common = ['--steps', String(STEPS), '--batch', '32', '--seed', '3', '--checkpoint-every', '4', '--min-workers', '1', '--eval-every', '1000', '--no-dashboard', '--json', '--worker-token', TOKEN];

/**
 * The coordinator is SIGKILLed mid-run, after a checkpoint and two more rounds. A new coordinator
 * started with --resume on the same port finds the latest checkpoint, loads it bit for bit, and the
 * worker that survived reconnects to it. With the mean and the fixed data order, the run ends on
 * the very bits of a run that never died.
 */
describe('coordinator killed and resumed', () => {
  const start = processesOfThisSuite();

  it('resumes from the last checkpoint bit-identically and finishes on the same bits as an uninterrupted run', async () => {
    const [portRef, portRun] = [await freePort(), await freePort()];
    const outRef = mkdtempSync(join(tmpdir(), 'sg-ref-'));
    const outRun = mkdtempSync(join(tmpdir(), 'sg-run-'));
    const worker = (port: number) => start(['worker', '--url', `http://127.0.0.1:${port}`, '--token', TOKEN, '--backend', 'wasm', '--json']);

    // The run that never dies, side by side with the one that will.
    const ref = start(['coordinator', '--port', String(portRef), '--out', outRef, ...common]);
    const first = start(['coordinator', '--port', String(portRun), '--out', outRun, ...common]);
    await ref.waitFor((l) => l.type === 'listening');
    await first.waitFor((l) => l.type === 'listening');
    worker(portRef);
    const survivor = worker(portRun);

    // Kill it two rounds after the step-8 checkpoint: rounds 9 and 10 are lost and must be redone.
    const checkpoint = await first.waitFor((l) => l.type === 'checkpoint' && l.step === 8);
    await first.waitFor((l) => l.type === 'round' && Number(l.step) >= 10);
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');
    const runDir = join(String(checkpoint.path), '..', '..');

    const second = start(['coordinator', '--port', String(portRun), '--out', outRun, '--resume', runDir, ...common]);
    const resumed = await second.waitFor((l) => l.type === 'resumed');
    // What it loaded is what the checkpoint holds, bit for bit.
    const ck = readTrainingCheckpoint(join(String(checkpoint.path), TRAINING_STATE_FILE));
    expect(resumed).toMatchObject({ step: 8, epoch: 0, offset: 8 * 32 });
    expect(resumed.stateDigest).toBe(stateDigest(ck.params, ck.optimizer));
    expect(ck.optimizer.step).toBe(8);
    // The survivor came back to the new coordinator (same run id, so it kept its model).
    await survivor.waitFor((l) => l.type === 'resumed' && l.runId === ck.runId);

    const [sumRef, sumRun] = await Promise.all([ref.waitFor((l) => l.type === 'summary'), second.waitFor((l) => l.type === 'summary')]);
    expect(sumRun.steps).toBe(STEPS);
    expect(sumRef.steps).toBe(STEPS);
    expect(sumRun.runId).toBe(ck.runId);

    // Same bits: the step-8 checkpoints of both runs, and the final models.
    const refCk = readTrainingCheckpoint(join(String(sumRef.modelDir), '..', 'checkpoints', 'step-0000000008', TRAINING_STATE_FILE));
    expect(stateDigest(refCk.params, refCk.optimizer)).toBe(stateDigest(ck.params, ck.optimizer));
    const refFinal = readTrainingCheckpoint(join(String(sumRef.modelDir), '..', 'checkpoints', 'step-0000000012', TRAINING_STATE_FILE));
    const runFinal = readTrainingCheckpoint(join(runDir, 'checkpoints', 'step-0000000012', TRAINING_STATE_FILE));
    expect(stateDigest(runFinal.params, runFinal.optimizer)).toBe(stateDigest(refFinal.params, refFinal.optimizer));
    const weights = (dir: string) => readFileSync(join(dir, 'weights.bin'));
    expect(weights(String(sumRun.modelDir)).equals(weights(String(sumRef.modelDir)))).toBe(true);
  });
});
