import { aggregateRound, DEFAULT_AGGREGATION, prepareRun, validateResult } from '@shardgrad/coordinator';
import { encodeTensors, type TensorData } from '@shardgrad/codec';
import { NoiseScaleEstimator, type WeightedGradients } from '@shardgrad/trainer';
import { seededRandom } from '@shardgrad/data';
import { parallelCeiling } from './parallel-ceiling.ts';
import { median } from '../sweep/analysis.ts';

/** Median microseconds of one call of each stage of a round's work on the coordinator. */
export interface StageCosts {
  /** Header schema, decode, shapes, Σ g² and finiteness: per result. */
  validatePerResult: number;
  /** The shard-weighted mean of the round's results. */
  mean: number;
  /** The gradient noise scale's update from the round's Σ g². */
  noiseScale: number;
  /** The optimizer's step on the parameters. */
  optimizer: number;
  /** The new weights encoded once for every worker. */
  encodeWeights: number;
}

export interface CoordinatorStagesFigures {
  model: string;
  batch: number;
  parameters: number;
  workers: number;
  stagesUs: StageCosts;
  /** Everything above for one round of `workers` results: the least a round can cost the coordinator here. */
  floorUs: number;
  /** Half a batch on an engine beside a second one (the ceiling suite's pair): a two-worker round's compute. */
  halfBatchPairMs: number;
  /** floor ÷ (compute + floor): the smallest share of a round the coordinator can take, with free messaging. */
  floorShare: number;
}

/**
 * Times each stage of the coordinator's per-round work with the run's real code (validateResult,
 * the aggregation rule, the noise-scale estimator, the optimizer, the weights' encoding) on
 * gradients of the model's shapes, in this thread alone: no workers, sockets or ports. Their sum
 * is the floor under the coordinator's share of a round, whatever the transport; set against the
 * engines' own time for half a batch, it says whether a target share is reachable at all here.
 */
export async function coordinatorStages(model: string, batch: number, reps: number, ceilingSeconds = 3): Promise<CoordinatorStagesFigures> {
  const workers = 2;
  const { state, dataset } = await prepareRun({ model, batch, seed: 1 });
  const rng = seededRandom(7);
  // Costs do not depend on the values, only on the shapes; values in the range of real gradients.
  const gradients = (): TensorData[] => state.weights().map((t) => ({ ...t, data: Float32Array.from(t.data, () => (rng() - 0.5) * 1e-2) }));
  const expect = { runId: 'bench', schemaHash: state.schemaHash, specs: state.specs, maxPayloadBytes: state.parameterCount * 4 + 65_536 };
  const results = Array.from({ length: workers }, (_, shardId) => ({
    header: { runId: 'bench', round: 0, version: 0, shardId, count: batch / workers, loss: 1, metrics: {}, schemaHash: state.schemaHash, computeMs: 1 },
    payload: encodeTensors(gradients()),
  }));
  const noise = new NoiseScaleEstimator();
  const times: Record<keyof StageCosts, number[]> = { validatePerResult: [], mean: [], noiseScale: [], optimizer: [], encodeWeights: [] };
  const timed = <T>(stage: keyof StageCosts, work: () => T): T => {
    const t0 = performance.now();
    const out = work();
    times[stage].push((performance.now() - t0) * 1000);
    return out;
  };
  // The first fifth warms the JIT up and is not kept.
  const warm = Math.ceil(reps / 5);
  for (let i = 0; i < warm + reps; i++) {
    if (i === warm) for (const k of Object.keys(times) as (keyof StageCosts)[]) times[k].length = 0;
    const parts: WeightedGradients[] = results.map((r) => {
      const v = timed('validatePerResult', () => validateResult(r.header, r.payload, expect));
      return { grads: v.grads, count: v.header.count, sumSquares: v.sumSquares };
    });
    const update = timed('mean', () => aggregateRound(DEFAULT_AGGREGATION, parts, state.trainableCount, state.updateTarget));
    timed('noiseScale', () => noise.observe(parts, { trainableCount: state.trainableCount, populationSize: dataset.train.n, mean: update }));
    // As runTraining applies a mean of checked results: their Σg² bound the mean's, so no second check.
    timed('optimizer', () => state.apply(update, { gradientsBounded: true }));
    timed('encodeWeights', () => state.encodedWeights());
  }
  const stagesUs = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v) ?? NaN])) as unknown as StageCosts;
  const floorUs = workers * stagesUs.validatePerResult + stagesUs.mean + stagesUs.noiseScale + stagesUs.optimizer + stagesUs.encodeWeights;
  const pair = await parallelCeiling(model, batch, ceilingSeconds);
  return {
    model,
    batch,
    parameters: state.parameterCount,
    workers,
    stagesUs,
    floorUs,
    halfBatchPairMs: pair.pairMs,
    floorShare: floorUs / 1000 / (pair.pairMs + floorUs / 1000),
  };
}
