import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/run-cli.ts';
import { snapshot } from '../support/run-snapshot.ts';

/**
 * `train --resume` goes on with the run as it was started: its length and its checkpoint cadence,
 * not the model's default epochs and no checkpoints. What would train nothing is refused, not run.
 */
describe('train --resume goes on with the run’s own plan', () => {
  const out = mkdtempSync(join(tmpdir(), 'shardgrad-resume-plan-'));
  afterAll(() => rmSync(out, { recursive: true, force: true }));
  const flags = ['--no-dashboard', '--local-workers', 'threads', '--json'];

  it('finishes the planned steps, writes checkpoints as before, and ends where the uninterrupted run ended', async () => {
    const first = await runCli(['train', '--steps', '60', '--checkpoint-every', '20', '--out', out, ...flags]);
    expect(first.code, first.stderr).toBe(0);
    const whole = first.lines.at(-1)!;
    const run = join(out, readdirSync(out)[0]!);
    // As if it had crashed after step 20.
    for (const step of ['step-0000000040', 'step-0000000060']) rmSync(join(run, 'checkpoints', step), { recursive: true });

    const resumed = await runCli(['train', '--resume', run, ...flags]);
    expect(resumed.code, resumed.stderr).toBe(0);
    const summary = resumed.lines.at(-1)!;
    expect(summary.steps).toBe(60);
    expect(summary.testAccuracy).toBe(whole.testAccuracy);
    expect(readdirSync(join(run, 'checkpoints')).sort()).toEqual(['step-0000000020', 'step-0000000040', 'step-0000000060']);

    // Its plan done, another resume would train nothing: refused, and nothing in the run changes.
    const before = snapshot(run);
    const again = await runCli(['train', '--resume', run, ...flags]);
    expect(again.code).toBe(2);
    expect(again.stderr).toMatch(/the run finished its plan of 60 steps \(it is at step 60\); give --steps above 60/);
    const short = await runCli(['train', '--resume', run, '--steps', '30', ...flags]);
    expect(short.code).toBe(2);
    expect(short.stderr).toMatch(/--steps 30 with --resume: the run is already at step 60/);
    const elsewhere = join(out, 'elsewhere');
    const moved = await runCli(['train', '--resume', run, '--steps', '80', '--out', elsewhere, ...flags]);
    expect(moved.code).toBe(2);
    expect(moved.stderr).toMatch(/--out .*elsewhere \(a resumed run writes into its own directory/);
    expect(existsSync(elsewhere)).toBe(false);
    expect(snapshot(run)).toEqual(before);
  });
});
