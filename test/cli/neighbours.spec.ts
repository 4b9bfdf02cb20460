import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectorMetadataTsv, projectorVectorsTsv } from '@shardgrad/models';
import { runCli } from '../support/run-cli.ts';
import { neighboursCommand, resolveVectorsRun } from '../../apps/cli/src/commands/neighbours.ts';

/**
 * `shardgrad neighbours` reads the projector files a word2vec run writes. A hand-made run directory
 * stands in for a trained one (training is covered by test/models/word2vec.spec.ts): three kinds of
 * words along three axes, so the right neighbours are known.
 */
describe('shardgrad neighbours', () => {
  let root: string;
  let run: string;

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'shardgrad-neighbours-'));
    run = join(root, 'runs', '20260101T000000.000Z-word2vec');
    mkdirSync(run, { recursive: true });
    const words = ['war', 'peace', 'army', 'gold', 'silver', 'coin', 'january', 'february'];
    const axis = [0, 0, 0, 1, 1, 1, 2, 2];
    const v = words.flatMap((_, i) => [0, 1, 2].map((a) => (a === axis[i] ? 1 : 0.05 * ((i % 3) - 1))));
    writeFileSync(join(run, 'vectors.tsv'), projectorVectorsTsv(v, 3));
    writeFileSync(join(run, 'metadata.tsv'), projectorMetadataTsv(words));
    mkdirSync(join(root, 'runs', 'not-word2vec'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('prints the nearest words of each word, as JSON lines with --json', async () => {
    const r = await runCli(['neighbours', '--run', run, '--word', 'Gold,war', '--k', '2', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.lines).toHaveLength(2);
    expect(r.lines[0]).toMatchObject({ type: 'neighbours', word: 'gold' });
    expect((r.lines[0]!.neighbours as { word: string }[]).map((n) => n.word).sort()).toEqual(['coin', 'silver']);
    expect((r.lines[1]!.neighbours as { word: string }[]).map((n) => n.word).sort()).toEqual(['army', 'peace']);
    const human = await runCli(['neighbours', '--runs', join(root, 'runs'), '--word', 'january', '--k', '1']);
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toMatch(/^january: february \(0\.\d{3}\)/);
  });

  it('starts its help with examples and offers --json', async () => {
    const r = await runCli(['neighbours', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout.trimStart().startsWith('Examples:')).toBe(true);
    expect(r.stdout).toContain('--json');
  });

  it('refuses an unknown word, a missing run and a run without vectors, with exit code 2', async () => {
    // Each case starts a CLI process (seconds on a loaded machine); the rest are checked in-process below.
    const cases: [string[], RegExp][] = [
      [['--run', run, '--word', 'zebra'], /"zebra" is not in the vocabulary \(8 words/],
      [['--run', join(root, 'nowhere'), '--word', 'war'], /no run at .*nowhere/],
      [['--run', join(root, 'runs', 'not-word2vec'), '--word', 'war'], /has no word vectors.*--model word2vec/],
    ];
    for (const [args, message] of cases) {
      const r = await runCli(['neighbours', ...args]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr, args.join(' ')).toMatch(message);
    }
  });

  it('finds the newest run with vectors, and says so when there is none or no word is given', async () => {
    expect(resolveVectorsRun(undefined, join(root, 'runs'))).toBe(run);
    expect(() => resolveVectorsRun(undefined, join(root, 'empty'))).toThrow(/no run in .*empty\/ has word vectors yet/);
    const cmd = neighboursCommand().exitOverride();
    await expect(cmd.parseAsync(['--run', run, '--word', ' , '], { from: 'user' })).rejects.toThrow(/at least one word/);
    await expect(neighboursCommand().exitOverride().configureOutput({ writeErr: () => {} }).parseAsync(['--run', run], { from: 'user' })).rejects.toThrow(/required option '--word <words>'/);
  });
});
