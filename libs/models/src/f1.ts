/** Precision, recall and F1 of each label of a multi-label prediction, at a probability threshold. */
export interface LabelScores {
  precision: number;
  recall: number;
  f1: number;
  /** How many samples truly have the label. */
  support: number;
}

/**
 * `prob` and `truth` are n x k row-major. F1 is a ratio of counts, not a mean over samples, so it is
 * computed here once over a whole split rather than per batch on the workers.
 * A label never predicted and never present scores F1 = 1 (nothing to find, nothing wrongly found).
 */
export function perLabelScores(prob: ArrayLike<number>, truth: ArrayLike<number>, n: number, k: number, threshold = 0.5): LabelScores[] {
  if (prob.length !== n * k || truth.length !== n * k) throw new Error(`f1: expected ${n}x${k} values, got ${prob.length} and ${truth.length}`);
  return Array.from({ length: k }, (_, j) => {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    for (let i = 0; i < n; i++) {
      const p = prob[i * k + j]! >= threshold;
      const t = truth[i * k + j]! >= 0.5;
      if (p && t) tp++;
      else if (p) fp++;
      else if (t) fn++;
    }
    const precision = tp + fp === 0 ? 1 : tp / (tp + fp);
    const recall = tp + fn === 0 ? 1 : tp / (tp + fn);
    const f1 = tp + fp + fn === 0 ? 1 : (2 * tp) / (2 * tp + fp + fn);
    return { precision, recall, f1, support: tp + fn };
  });
}
