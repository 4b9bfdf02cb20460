import type { Coordinator } from '@shardgrad/coordinator';
import { predictProbabilities } from '@shardgrad/trainer';
import type { Output } from './output.ts';

/** The seed's wording: "5 (with 87% confidence)". */
export function formatPrediction(probs: ArrayLike<number>, classNames?: string[]): { label: number; confidence: number; text: string } {
  let best = 0;
  for (let i = 1; i < probs.length; i++) if (probs[i]! > probs[best]!) best = i;
  const confidence = probs[best]!;
  const name = classNames?.[best] ?? String(best);
  return { label: best, confidence, text: `${name} (with ${Math.round(confidence * 100)}% confidence)` };
}

/**
 * Whether a model's outputs are class scores for one label per sample (softmax over k > 1 classes):
 * what predictions in words need. Regression, multi-label, sequence and custom-step models (the GAN,
 * word2vec, Pong) answer something else.
 */
export function isOneOfKClassifier(def: { customStep?: unknown }, shape: { labelSize: number; numClasses: number }): boolean {
  return !def.customStep && shape.labelSize === 1 && shape.numClasses > 1;
}

/** What one test row is, in words: MNIST's digits, other images, or the points of a 2-d problem. */
export function testItemNoun(ds: { name: string; inputShape: readonly number[] }): string {
  if (ds.inputShape.length >= 2) return /^mnist/.test(ds.name) ? 'digit' : 'image';
  return 'example';
}

/** The first `count` test rows with the trained model's guesses, for a one-of-k classifier (nothing otherwise). */
export function printTestPredictions(c: Coordinator, out: Output, count: number, extra: Record<string, unknown> = {}): void {
  const ds = c.config.dataset;
  const xs = ds.inputShape.reduce((a, b) => a * b, 1);
  const k = isOneOfKClassifier(c.config.def, ds) ? Math.min(count, ds.test.n) : 0;
  const probs = k > 0 ? predictProbabilities(c.config.state.model, ds.inputShape, ds.test.x.subarray(0, k * xs)) : [];
  probs.forEach((p, i) => {
    const pred = formatPrediction(p, ds.classNames);
    out.event(
      { type: 'prediction', ...extra, index: i, label: ds.test.y[i], predicted: pred.label, confidence: pred.confidence },
      () => `test ${testItemNoun(ds)} #${i} (true ${ds.classNames?.[ds.test.y[i]!] ?? ds.test.y[i]}): ${pred.text}`,
    );
  });
}
