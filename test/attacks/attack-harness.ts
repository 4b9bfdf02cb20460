import * as tf from '@tensorflow/tfjs';
import { decodeTensors, indicesFromBytes, type TensorData } from '@shardgrad/codec';
import { runTraining, type CoordinatorEvent } from '@shardgrad/coordinator';
import { type Dataset } from '@shardgrad/data';
import { loadDataset } from '@shardgrad/data/node';
import { getModel } from '@shardgrad/models';
import type { Task } from '@shardgrad/protocol';
import { ShardComputer, type AggregatorName } from '@shardgrad/trainer';
import { startNodeWorker, type NodeWorkerHandle } from '@shardgrad/worker-node';
import { startTestCluster } from '../support/cluster.ts';

export const ATTACKS = ['none', 'sign-flip', 'label-flip', 'noise'] as const;
export type Attack = (typeof ATTACKS)[number];

export interface AttackRun {
  aggregator: AggregatorName;
  attack: Attack;
  workers: number;
  malicious: number;
  steps: number;
  batch: number;
  seed: number;
}

export interface AttackOutcome extends AttackRun {
  testAccuracy: number;
  testLoss: number;
  refusedRounds: number;
  seconds: number;
}

/** Every value ×(−10): the sign-flip attack of the Byzantine literature, scaled to dominate a mean. */
const signFlip = (grads: TensorData[]): TensorData[] => grads.map((t) => ({ ...t, data: t.data.map((v) => -10 * v) as Float32Array }));

/** Standard normal noise in place of the gradient (a broken or hostile device). */
function noise(seed: number) {
  let s = seed >>> 0;
  const uniform = () => ((s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) + 0.5) / 4294967296;
  return (grads: TensorData[]): TensorData[] =>
    grads.map((t) => ({ ...t, data: t.data.map(() => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform())) as Float32Array }));
}

/**
 * Label flipping (y → 9 − y): an honest computation on poisoned labels, so the gradient has a normal
 * norm. The hook keeps its own model in step with the weights the tasks carry and recomputes the
 * shard on the flipped labels.
 */
function labelFlip(ds: Dataset, modelName: string, seed: number, config: Record<string, unknown>) {
  const flipped: Dataset = { ...ds, train: { ...ds.train, y: ds.train.y.map((v) => ds.numClasses - 1 - v) as typeof ds.train.y } };
  const def = getModel(modelName);
  const computer = new ShardComputer(def, flipped, def.build({ inputShape: ds.inputShape, numClasses: ds.numClasses, seed, config }), config);
  return (grads: TensorData[], task: Task): TensorData[] => {
    if (task.weights) computer.setWeights(decodeTensors(task.weights as Uint8Array));
    if (task.unit.kind !== 'samples') return grads;
    const g = computer.compute(indicesFromBytes(task.unit.indices), task.unit.augmentSeed);
    return [...g.grads, ...g.state];
  };
}

/** One training run on a real coordinator over real sockets, `malicious` of `workers` attacking. */
export async function runAttack(r: AttackRun): Promise<AttackOutcome> {
  const t0 = performance.now();
  const honest = Array.from({ length: r.workers - (r.attack === 'none' ? 0 : r.malicious) }, (_, i) => ({ nickname: `honest-${i}`, reconnect: false }));
  const cluster = await startTestCluster(
    { model: 'mnist-mlp', batch: r.batch, seed: r.seed, aggregator: r.aggregator, byzantine: r.aggregator === 'mean' ? 0 : r.malicious },
    honest,
  );
  const c = cluster.coordinator;
  const bad: NodeWorkerHandle[] = [];
  if (r.attack !== 'none') {
    const ds = await loadDataset('mnist');
    for (let i = 0; i < r.malicious; i++) {
      const tamper =
        r.attack === 'sign-flip' ? signFlip : r.attack === 'noise' ? noise(r.seed * 1000 + i) : labelFlip(ds, 'mnist-mlp', r.seed, c.config.modelConfig ?? {});
      bad.push(await startNodeWorker({ url: c.url, nickname: `byzantine-${i}`, reconnect: false, tamper }));
    }
  }
  let refusedRounds = 0;
  const count = (e: CoordinatorEvent) => void (e.type === 'round-refused' && refusedRounds++);
  c.on('event', count);
  // All five workers share this process, so their measured speeds are noise and the split would
  // hand the attacker anywhere from 5% to 50% of a batch. The experiment fixes equal shares: the
  // attacker holds exactly its 20% (the slowest estimate for all keeps deadlines generous).
  const runRound = c.runRound.bind(c);
  c.runRound = (...args: Parameters<typeof runRound>) => {
    const members = c.pool.list();
    const speed = Math.min(...members.map((m) => m.speed));
    for (const m of members) {
      m.speed = speed;
      m.overheadMs = 0;
    }
    return runRound(...args);
  };
  try {
    const summary = await runTraining(c, { epochs: 100, maxSteps: r.steps, minWorkers: r.workers });
    return { ...r, testAccuracy: summary.testAccuracy, testLoss: summary.testLoss, refusedRounds, seconds: (performance.now() - t0) / 1000 };
  } finally {
    c.off('event', count);
    bad.forEach((b) => b.close());
    await cluster.close();
    tf.disposeVariables();
  }
}
