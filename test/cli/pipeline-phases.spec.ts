import { afterAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../support/run-cli.ts';

const out = mkdtempSync(join(tmpdir(), 'shardgrad-pipeline-phases-'));
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** The smallest real run of a model: a few rounds on one worker thread. */
const tiny = ['--steps', '2', '--workers', '1', '--local-workers', 'threads', '--out', out];

describe('shardgrad train: model options and pipeline models', () => {
  it('refuses bad model and dataset options with one line and exit code 2, before any run starts', async () => {
    const cases: [string[], RegExp][] = [
      [['--model', 'pong', '--set', 'gamma=1.5'], /pong option gamma must be a discount in \[0, 1\], got 1.5/],
      [['--model', 'seq2seq', '--set', 'attention=maybe'], /seq2seq option attention picks the phase to train: one of true, false .*got "maybe"/],
      [['--model', 'char-rnn', '--set', 'prime=€€'], /char-rnn option prime has characters outside the license-chars vocabulary: "€"; use only these: /],
      [['--model', 'word2vec', '--dataset-option', 'maxVocab=abc'], /dataset "sotu-words" option maxVocab must be a number, got "abc"/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['train', ...args, ...tiny, '--no-dashboard']);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stdout, args.join(' ')).not.toMatch(/phase 1|waiting for workers/);
    }
  });

  it('with the phase option (--set direction=forward), trains only that phase', async () => {
    const r = await runCli(['train', '--model', 'birnn', '--set', 'direction=forward', ...tiny, '--no-dashboard', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines.filter((l) => l.type === 'phase').map((l) => l.phase)).toEqual(['forward']);
    const summary = r.lines.find((l) => l.type === 'pipeline-summary') as { phases: { phase: string; runDir: string; modelDir: string }[]; comparison: Record<string, number> };
    expect(summary.phases.map((p) => p.phase)).toEqual(['forward']);
    expect(Object.keys(summary.comparison)).not.toContain('bidirectionalAccuracy');
    const run = JSON.parse(readFileSync(join(summary.phases[0]!.runDir, 'run.json'), 'utf8')) as { meta: { model: { config: Record<string, unknown> } } };
    expect(run.meta.model.config.direction).toBe('forward');
    expect(existsSync(join(summary.phases[0]!.modelDir, 'model.json'))).toBe(true);
  });

  it("prints each phase's dashboard link, saved model and, in the summary, its run directory", async () => {
    const r = await runCli(['train', '--model', 'birnn', ...tiny]);
    expect(r.code, r.stderr).toBe(0);
    // Each phase has its own coordinator, so its own dashboard.
    expect(r.stdout.match(/^dashboard: http:\/\/127\.0\.0\.1:\d+\/dashboard#token=/gm)).toHaveLength(2);
    expect(r.stdout.match(/^students join at: /gm)).toHaveLength(2);
    const saved = [...r.stdout.matchAll(/^model saved to (.+)$/gm)].map((m) => m[1]!);
    expect(saved).toHaveLength(2);
    const summary = r.stdout.slice(r.stdout.lastIndexOf('birnn: 2 phases'));
    const dirs = [...summary.matchAll(/^ {4}run directory (.+)$/gm)].map((m) => m[1]!);
    expect(dirs).toHaveLength(2);
    expect(dirs.map((d) => join(d, 'model'))).toEqual(saved);
    for (const d of dirs) expect(existsSync(join(d, 'run.json')), d).toBe(true);
    expect(summary).toMatch(/^ {2}bidirectional test accuracy [\d.]+%/m);
    expect(summary).toMatch(/^ {2}forward {7}test accuracy [\d.]+%/m);
    // The Orthogonal initializer's warning no longer interrupts the output.
    expect(r.stdout + r.stderr).not.toMatch(/Orthogonal initializer/);
  });

  it("shows a classifier phase's test predictions, labelled by phase (transfer's scratch phase)", async () => {
    const r = await runCli(['train', '--model', 'transfer', '--set', 'stage=scratch', '--predictions', '2', ...tiny, '--no-dashboard', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const predictions = r.lines.filter((e) => e.type === 'prediction');
    expect(predictions.map((e) => [e.phase, e.index])).toEqual([['scratch', 0], ['scratch', 1]]);
  });
});
