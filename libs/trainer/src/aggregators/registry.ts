import { centeredClipAggregator } from './centered-clip.ts';
import { meanAggregator } from './mean.ts';
import { medianAggregator } from './median.ts';
import { normFilterAggregator } from './norm-filter.ts';
import { trimmedMeanAggregator } from './trimmed-mean.ts';
import { AGGREGATOR_NAMES, type Aggregator, type AggregatorName, type AggregatorOptions } from './types.ts';
import type { MeanTarget, WeightedGradients } from '../aggregate.ts';

const RULES: Record<AggregatorName, Aggregator> = {
  mean: meanAggregator,
  'trimmed-mean': trimmedMeanAggregator,
  median: medianAggregator,
  'centered-clip': centeredClipAggregator,
  'norm-filter': normFilterAggregator,
};

export function isAggregatorName(name: string): name is AggregatorName {
  return (AGGREGATOR_NAMES as readonly string[]).includes(name);
}

export function getAggregator(name: string): Aggregator {
  if (!isAggregatorName(name)) throw new Error(`unknown aggregator "${name}"; use one of: ${AGGREGATOR_NAMES.join(', ')}`);
  return RULES[name];
}

export function listAggregators(): Aggregator[] {
  return AGGREGATOR_NAMES.map((n) => RULES[n]);
}

/**
 * A round's parts are the trainable gradients followed by state (batch-norm statistics), and the two
 * differ in scale by orders of magnitude. The rule therefore runs on each block separately: the
 * state block is defended by the same rule as the gradients, and a norm never mixes the two.
 */
export function aggregateBlocks(
  rule: Aggregator,
  parts: readonly WeightedGradients[],
  trainableCount: number,
  o: AggregatorOptions,
  target?: MeanTarget,
): Float32Array[] {
  const first = parts[0]?.grads.length ?? 0;
  if (trainableCount >= first) return rule.aggregate(parts, o, target);
  const head = rule.aggregate(parts.map((p) => ({ grads: p.grads.slice(0, trainableCount), count: p.count })), o, target && { ...target, buffers: target.buffers.slice(0, trainableCount) });
  const tail = rule.aggregate(parts.map((p) => ({ grads: p.grads.slice(trainableCount), count: p.count })), o, target && { ...target, buffers: target.buffers.slice(trainableCount) });
  // State every worker reports bit for bit alike (frozen weights, which no forward pass changes) is
  // kept as reported: a float mean of equal values can move them by an ulp a step.
  tail.forEach((_, i) => {
    const a = parts[0]!.grads[trainableCount + i]!.data;
    if (parts.every((p) => sameValues(p.grads[trainableCount + i]!.data, a))) tail[i] = Float32Array.from(a);
  });
  return [...head, ...tail];
}

function sameValues(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
