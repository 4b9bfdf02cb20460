import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { getModel, modelNames } from '@shardgrad/models';
import { predictCommand } from './commands/predict.ts';
import { PREDICT_MODELS, refusalMessage, runOutputs } from './predict-modes.ts';

/** A run directory as train leaves it: bookkeeping plus whatever the model wrote. */
function runDir(files: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'shardgrad-run-'));
  for (const f of ['run.json', 'metrics.jsonl', 'metrics.csv', 'events.out.tfevents.1.host', ...files]) {
    mkdirSync(join(dir, f, '..'), { recursive: true });
    writeFileSync(join(dir, f), '');
  }
  mkdirSync(join(dir, 'model'));
  mkdirSync(join(dir, 'checkpoints'));
  return dir;
}

describe('predict: which models it takes, in words that are true', () => {
  it('sorts every registered model into what predict answers or refuses, and --help names them all', () => {
    const listed = Object.values(PREDICT_MODELS).flat();
    expect([...listed].sort()).toEqual(modelNames());
    const help = predictCommand().helpInformation();
    for (const name of modelNames()) expect(help).toContain(name);
  });

  it('says what a run directory holds only when it holds something besides its bookkeeping', () => {
    const birnn = runDir([]);
    expect(runOutputs(birnn)).toEqual([]);
    const msg = refusalMessage(getModel('birnn'), birnn, birnn);
    expect(msg).toMatch(/^predict gives a class, labels or a number, and birnn's outputs are a yes\/no tag/);
    expect(msg).not.toMatch(/holds/);
    // birnn has no report: the message does not promise one.
    expect(msg).not.toMatch(/figures train reported/);

    const gan = runDir(['samples.png', 'samples/step-000010.png']);
    expect(runOutputs(gan)).toEqual(['samples.png', 'samples/']);
    expect(refusalMessage(getModel('gan'), gan, gan)).toMatch(/gives its test metrics and the figures train reported; its run directory .* holds what train wrote of it: samples\.png, samples\/$/);
  });

  it('points word2vec at neighbours, and an exported model at no run directory', () => {
    const msg = refusalMessage(getModel('word2vec'), 'exports/w2v', undefined);
    expect(msg).toContain('`npx shardgrad neighbours --run <run directory> --word <word>`');
    expect(msg).not.toMatch(/holds/);
  });
});
