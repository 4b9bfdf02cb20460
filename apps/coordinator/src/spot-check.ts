import type { TensorData } from '@shardgrad/codec';
import { deriveSeed } from '@shardgrad/data';
import type { ResultEncoding, ResultHeader, WorkUnit } from '@shardgrad/protocol';
import { ShardComputer, roundSeed } from '@shardgrad/trainer';
import type { Coordinator } from './coordinator.ts';

/**
 * Extra relative tolerance for a compressed result (docs/compression.md). With error feedback what
 * arrives is g + (last round's error) − (this round's error): up to two quantisation steps off, more
 * when the worker's share shrank since the last round (the carried error is divided by the smaller
 * count). fp16's step is 2⁻¹⁰ of a value, int8's 1/127 of its block's largest; 4× margin on two steps.
 * The price: a worker that declares int8 is checked at 4%, so subtle tampering below that passes.
 */
const COMPRESSION_TOLERANCE: Record<ResultEncoding, number> = { none: 0, fp16: 4e-3, int8: 4e-2 };

/** Relative tolerance per backend family: CPU arithmetic agrees closely, GPU shaders (reduced precision, other sum orders) do not. */
export function spotCheckTolerance(backend: string, encoding: ResultEncoding = 'none'): number {
  return (/webgl|webgpu/i.test(backend) ? 1e-2 : 1e-4) + COMPRESSION_TOLERANCE[encoding];
}

/**
 * Largest error of `got` against `want`, each tensor measured relative to its own scale
 * (max |want|, at least 1e-3 so a near-zero gradient is not judged on noise).
 */
export function relativeError(got: readonly TensorData[], want: readonly TensorData[]): number {
  let worst = 0;
  want.forEach((t, i) => {
    const g = got[i]!.data;
    let scale = 1e-3;
    for (let j = 0; j < t.data.length; j++) scale = Math.max(scale, Math.abs(t.data[j]!));
    for (let j = 0; j < t.data.length; j++) worst = Math.max(worst, Math.abs(g[j]! - t.data[j]!) / scale);
  });
  return worst;
}

/** Whether shard (round, shardId) is checked: a pure function of the seed, so a resumed run checks the same ones. */
export function chosenForCheck(seed: number, round: number, shardId: number, fraction: number): boolean {
  return deriveSeed(seed, round, shardId) / 4294967296 < fraction;
}

export interface SpotCheckOptions {
  /** Fraction of untrusted workers' shards that are recomputed, in (0, 1]. */
  fraction: number;
  /** Check worker-token nodes too (by default they are the trusted side). */
  includeTrusted?: boolean;
}

/**
 * Spot checks: the coordinator, which holds the model and the data, recomputes a seeded fraction of
 * the shards that untrusted workers (students' tabs, open joins) return, at the round's weights,
 * and refuses a result that differs beyond the backend's tolerance. The refusal is a strike, the
 * worker is flagged on the dashboard, and its shard is redone by someone else.
 */
export function enableSpotChecks(c: Coordinator, o: SpotCheckOptions): () => void {
  if (!(o.fraction > 0 && o.fraction <= 1)) throw new Error(`--spot-check must be a fraction in (0, 1], got ${o.fraction}`);
  let computer: { runId: string; version: number; shard: ShardComputer } | undefined;
  const computerFor = (): ShardComputer => {
    const { def, dataset, seed, modelConfig, state } = c.config;
    if (!computer || computer.runId !== c.runId) {
      const model = def.build({ inputShape: dataset.inputShape, numClasses: dataset.numClasses, seed, config: modelConfig ?? {} });
      computer?.shard.model.dispose();
      computer = { runId: c.runId, version: -1, shard: new ShardComputer(def, dataset, model, modelConfig) };
    }
    if (computer.version !== state.version) {
      computer.shard.setWeights(state.weights());
      computer.version = state.version;
    }
    return computer.shard;
  };
  c.resultCheck = (member, header: ResultHeader, grads) => {
    if (!o.includeTrusted && c.roleOf(member.id) === 'worker') return { ok: true };
    if (!chosenForCheck(c.config.seed, header.round, header.shardId, o.fraction)) return { ok: true };
    const unit: WorkUnit | undefined = c.issuedUnit(header.round, header.shardId);
    if (!unit || unit.kind !== 'samples') return { ok: true };
    const want = computerFor().compute(unit.indices, unit.augmentSeed, roundSeed(c.config.seed, header.round));
    const error = relativeError(grads, [...want.grads, ...want.state]);
    const tolerance = spotCheckTolerance(member.backend, header.encoding);
    const ok = error <= tolerance;
    c.emit('event', { type: 'spot-check', workerId: member.id, round: header.round, shardId: header.shardId, ok, maxError: error, tolerance });
    if (ok) return { ok: true };
    member.flagged = true;
    return { ok: false, reason: 'spot-check-mismatch', message: `recomputed shard ${header.shardId} differs by ${error.toExponential(2)} (tolerance ${tolerance} for ${member.backend})` };
  };
  return () => {
    c.resultCheck = undefined;
    computer?.shard.model.dispose();
  };
}
