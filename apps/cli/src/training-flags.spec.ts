import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { cnn, mnistMlp } from '@shardgrad/models';
import { keyValue, trainingFromFlags, withTrainingFlags } from './training-flags.ts';

const parse = (args: string[]) => {
  const cmd = withTrainingFlags(new Command('train').exitOverride().configureOutput({ writeErr: () => undefined }));
  cmd.parse(args, { from: 'user' });
  return cmd.opts();
};

describe('train flags for the common options and the training policy', () => {
  it('refuse a model option given twice with two values (--set and its own flag)', () => {
    expect(() => trainingFromFlags(parse(['--set', 'dropout=0.5', '--dropout', '0.2']), mnistMlp)).toThrow(/--set dropout=0\.5 and --dropout 0\.2 disagree; give one of them/);
    expect(() => trainingFromFlags(parse(['--set', 'microBatch=64', '--micro-batch', '32']), mnistMlp)).toThrow(/--micro-batch 32 disagree/);
    expect(() => trainingFromFlags(parse(['--set', 'batchNorm=false', '--batch-norm']), mnistMlp)).toThrow(/--batch-norm true disagree/);
    // The same value twice says one thing.
    expect(trainingFromFlags(parse(['--set', 'dropout=0.2', '--dropout', '0.2']), mnistMlp).modelConfig).toMatchObject({ dropout: 0.2 });
  });

  it('turn into modelConfig, dataset options and training options', () => {
    const o = parse([
      '--dropout', '0.3', '--l2', '1e-4', '--batch-norm', '--normalize', '--augment', 'crop=2,flip',
      '--set', 'filters=32', '--set', 'stage=finetune', '--dataset-option', 'trainLimit=500', '--dataset-option', 'classes=[0,1]',
      '--lr-schedule', 'step:2:0.5', '--warmup', '10', '--validation-split', '0.1', '--early-stopping', '3', '--restore-best',
      '--micro-batch', '256',
    ]);
    const s = trainingFromFlags(o, mnistMlp);
    expect(s.modelConfig).toEqual({ filters: 32, stage: 'finetune', dropout: 0.3, l2: 1e-4, batchNorm: true, normalize: true, augment: 'crop=2,flip', microBatch: 256 });
    expect(s.datasetOptions).toEqual({ trainLimit: 500, classes: [0, 1] });
    expect(s.options).toEqual({ lrSchedule: { kind: 'step', everyEpochs: 2, gamma: 0.5 }, warmupSteps: 10, validationSplit: 0.1, earlyStoppingPatience: 3, restoreBest: true });
  });

  it("start from the model's training defaults; flags win, and --no-batch-norm / --lr-schedule constant switch defaults off", () => {
    expect(trainingFromFlags(parse([]), cnn)).toEqual({ modelConfig: {}, datasetOptions: undefined, options: { lrSchedule: { kind: 'cosine' }, warmupSteps: 50 } });
    const off = trainingFromFlags(parse(['--no-batch-norm', '--lr-schedule', 'constant', '--warmup', '0']), cnn);
    expect(off.modelConfig).toEqual({ batchNorm: false });
    expect(off.options).toEqual({ warmupSteps: 0 });
  });

  it('refuse bad values with the rule they break', () => {
    expect(() => parse(['--dropout', '1.5'])).toThrow(/expected a rate in \[0, 1\), got "1.5"/);
    expect(() => parse(['--l1', '-1'])).toThrow(/coefficient >= 0/);
    expect(() => parse(['--validation-split', '1'])).toThrow(/fraction in \(0, 1\)/);
    expect(() => parse(['--augment', 'crop=-1'])).toThrow(/bad value "-1" for "crop"/);
    expect(() => parse(['--lr-schedule', 'cosine:2'])).toThrow(/cosine takes 0 parameters/);
    expect(() => parse(['--early-stopping', '0'])).toThrow(/positive integer/);
    expect(() => parse(['--micro-batch', '0'])).toThrow(/positive integer/);
    expect(() => parse(['--set', 'no-equals-sign'])).toThrow(/expected key=value/);
    expect(() => trainingFromFlags(parse(['--early-stopping', '3']), mnistMlp)).toThrow(/need a validation split/);
    expect(() => trainingFromFlags(parse(['--restore-best']), mnistMlp)).toThrow(/need a validation split/);
  });

  it('reads --set values as JSON when they are JSON, else as text', () => {
    expect(keyValue('a=0.5')).toEqual({ a: 0.5 });
    expect(keyValue('a=true', { b: 1 })).toEqual({ b: 1, a: true });
    expect(keyValue('a=[1,2]')).toEqual({ a: [1, 2] });
    expect(keyValue('a=finetune')).toEqual({ a: 'finetune' });
  });
});
