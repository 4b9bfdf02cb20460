import { describe, expect, it } from 'vitest';
import { ModelConfigError, phaseOption, pipelinePhases } from './model-options.ts';
import { birnn } from './sequence/birnn.ts';
import { seq2seq } from './sequence/seq2seq.ts';
import { transfer } from './transfer.ts';
import { mnistMlp } from './mnist-mlp.ts';

const names = (def: Parameters<typeof pipelinePhases>[0], config: Record<string, unknown>) => pipelinePhases(def, config).map((p) => p.name);

describe('the option that picks a phase of a pipeline model', () => {
  it('is the model config key every phase sets to a value of its own', () => {
    expect(phaseOption(seq2seq)).toBe('attention');
    expect(phaseOption(birnn)).toBe('direction');
    expect(phaseOption(transfer)).toBe('stage');
    expect(phaseOption(mnistMlp)).toBeUndefined();
  });

  it('runs every phase without it, and only the matching one with it', () => {
    expect(names(seq2seq, {})).toEqual(['attention', 'plain']);
    expect(names(seq2seq, { attention: false })).toEqual(['plain']);
    expect(names(seq2seq, { attention: true })).toEqual(['attention']);
    // From a config file or the environment the value may come as text.
    expect(names(seq2seq, { attention: 'false' })).toEqual(['plain']);
    expect(names(birnn, { direction: 'forward', units: 8 })).toEqual(['forward']);
    expect(names(transfer, { stage: 'scratch' })).toEqual(['scratch']);
  });

  it('runs the phases a picked phase starts from before it: finetune needs the pre-trained base', () => {
    expect(names(transfer, { stage: 'finetune' })).toEqual(['pretrain', 'finetune']);
    expect(names(transfer, { stage: 'pretrain' })).toEqual(['pretrain']);
  });

  it.each([
    [seq2seq, { attention: 'maybe' }, /seq2seq option attention picks the phase to train: one of true, false \(true: attention, false: plain\), got "maybe"/],
    [birnn, { direction: 'backward' }, /birnn option direction picks the phase to train: one of bidirectional, forward, got "backward"/],
    [transfer, { stage: 'bogus' }, /transfer option stage picks the phase to train: one of pretrain, finetune, scratch, got "bogus"/],
  ])('refuses a value no phase has, naming the allowed ones (%#)', (def, config, message) => {
    expect(() => pipelinePhases(def, config)).toThrow(ModelConfigError);
    expect(() => pipelinePhases(def, config)).toThrow(message);
  });
});
