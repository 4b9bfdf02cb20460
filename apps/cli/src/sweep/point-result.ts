export interface NoiseWindow {
  fromStep: number;
  toStep: number;
  rounds: number;
  trace: number;
  gradSq: number;
}

/** What one sweep point leaves in sweep.jsonl (one JSON line) and in sweep.csv (its scalar columns). */
export interface PointResult {
  status: 'finished';
  id: string;
  batch: number;
  workers: number;
  seed: number;
  /** 'simulated': virtual workers inside one process, not a real fleet. */
  fleet: 'processes' | 'simulated';
  lrRule: string;
  /** The reference rate η and batch B₀ the rule scales from. */
  baseLr: number;
  baseBatch: number;
  /** The rate of the last step. */
  lr: number;
  targetAccuracy: number;
  reached: boolean;
  /** First evaluated step with test accuracy ≥ target (null: not within maxSteps). */
  stepsToTarget: number | null;
  /** Training seconds to that step, evaluations excluded. */
  timeToTarget: number | null;
  /** AdaScale's scale-invariant iterations τ at that step (the step count under the other rules). */
  scaleInvariantSteps: number | null;
  steps: number;
  samples: number;
  /** Training seconds of the whole point, evaluations excluded. */
  seconds: number;
  samplesPerSecond: number;
  finalTestAccuracy: number;
  finalTrainAccuracy: number;
  /** Train accuracy minus test accuracy at the end. */
  generalizationGap: number;
  testLoss: number;
  trainLoss: number;
  /** Smoothed B_simple at the end (null: one shard per round, or not measurable). */
  noiseScale: number | null;
  /**
   * B_simple at the target (or at the end when missed): the rounds' own estimates of tr(Σ) and |G|²
   * averaged over the window, then divided. Steadier than the moving average at small batches.
   */
  noiseScaleAtTarget: number | null;
  /** The window behind noiseScaleAtTarget: the last quarter of the steps (at least 20), and its means. */
  noiseWindow: NoiseWindow | null;
  /** The batch at the end (differs from `batch` only with --adaptive-batch). */
  finalBatch: number;
  /** B_simple over training, thinned to at most ~100 points. */
  noiseHistory: { step: number; epoch: number; bSimple: number | null; trace: number; gradSq: number; batch: number }[];
  /** Every test evaluation made to detect the target. */
  accuracyHistory: { step: number; accuracy: number }[];
  runDir: string;
  finishedAt: string;
}
