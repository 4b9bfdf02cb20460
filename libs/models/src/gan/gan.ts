import type { Artifact, ModelContext, ModelDefinition } from '../types.ts';
import { intInRange } from '../option-values.ts';
import { DEFAULT_LATENT, DEFAULT_WIDTH, buildGanNet } from './gan-net.ts';
import { ganStep } from './gan-step.ts';
import { JUDGED_SAMPLES, JUDGE_EPOCHS, judgeGenerator, trainJudge } from './gan-judge.ts';
import { sampleGridImage } from './gan-samples.ts';

/** A grid every 250 rounds: 14 pictures of the default run, each a few KB. */
export const DEFAULT_SAMPLE_EVERY = 250;

/** Rounds between two sample grids in the run directory (`--set sampleEvery=N`). */
export const sampleEvery = (config: Record<string, unknown>): number => intInRange(config, 'sampleEvery', 1, 1_000_000, DEFAULT_SAMPLE_EVERY);

/** Epochs of the quality check's classifier; 0 skips the check (a quick look at the samples). */
const judgeEpochs = (config: Record<string, unknown>): number => intInRange(config, 'judgeEpochs', 0, 50, JUDGE_EPOCHS);

/**
 * The quality check of issue #5: a separately trained MNIST classifier labels 1,000 samples; the
 * target is a mean top confidence ≥ 0.8 with all ten digits present. The judge's own accuracy on the
 * real test digits is reported next to it, to show it is a competent judge.
 */
function ganReport({ model, dataset, config }: ModelContext): Record<string, number | string> {
  // The discriminator's held-out accuracies are already the run's test metrics (customStep.evaluate).
  const epochs = judgeEpochs(config);
  if (epochs === 0) return {};
  const judge = trainJudge(dataset, epochs);
  const v = judgeGenerator(judge.model, model, dataset.inputShape);
  return {
    judgedSamples: JUDGED_SAMPLES,
    meanTopConfidence: v.meanTopConfidence,
    digitsSeen: v.digitsSeen,
    samplesPerDigit: v.perDigit.join(' '),
    judgeTestAccuracy: judge.testAccuracy,
    judgeConfidenceOnRealDigits: judge.realConfidence,
  };
}

function ganArtifacts({ model }: ModelContext): Artifact[] {
  return [{ file: 'samples.png', description: '8×8 samples of the final generator (fixed noise)', kind: 'image', image: sampleGridImage(model) }];
}

/** The grid at a given round, for the run directory's samples/ folder. */
export function ganSnapshot(model: ModelContext['model'], step: number): Artifact {
  return { file: `samples/step-${String(step).padStart(6, '0')}.png`, description: `8×8 samples at step ${step} (fixed noise)`, kind: 'image', image: sampleGridImage(model) };
}

export const gan: ModelDefinition = {
  name: 'gan',
  summary: 'DCGAN: G noise 32 → dense 7×7×16 → convT 5×5 to 14×14×8 → convT to 28×28 tanh; D conv 5×5 to 14×14×8 → conv to 7×7×16 → logit',
  teaches: 'generative adversarial networks: a generator and a discriminator trained against each other, each round a paired D/G step',
  defaultDataset: 'mnist',
  datasets: ['mnist'],
  build: ({ inputShape, seed, config }) => {
    // Checked here, so a bad value fails at start-up rather than at the first grid or the report.
    sampleEvery(config);
    judgeEpochs(config);
    return buildGanNet(inputShape, seed, config);
  },
  // The supervised path is never taken: the custom step computes both players' gradients itself.
  loss: () => {
    throw new Error('gan trains through its custom step');
  },
  metrics: {},
  // DCGAN's Adam (Radford et al.): β₁ 0.5 damps the momentum that makes the two players oscillate.
  // Their 2e-4 suits their wide nets; this narrow one learned fastest at 2e-3 (1e-3: 0.75 vs 0.81
  // confidence at 3,000 steps; 3e-3 no better).
  optimizer: { name: 'adam', learningRate: 2e-3, beta1: 0.5 },
  // 13 epochs of 8,500 digits at 32 = 3,450 rounds: confidence plateaued from about 3,000 in the sweep.
  defaults: { batch: 32, epochs: 13 },
  options: {
    latent: `size of the noise vector (default ${DEFAULT_LATENT})`,
    width: `channels of the generator's 7×7 map and the discriminator's last conv; the 14×14 layers have half (default ${DEFAULT_WIDTH})`,
    sampleEvery: `rounds between sample grids written to the run directory's samples/ (default ${DEFAULT_SAMPLE_EVERY})`,
    judgeEpochs: `epochs of the quality check's MNIST classifier, trained after the run (default ${JUDGE_EPOCHS}; 0 skips the check)`,
  },
  customStep: ganStep,
  report: ganReport,
  artifacts: ganArtifacts,
  snapshots: { every: (config) => sampleEvery(config), make: (ctx, step) => [ganSnapshot(ctx.model, step)] },
};
