import * as tf from '@tensorflow/tfjs';
import type { CustomStep, ModelContext, ModelDefinition } from '../types.ts';
import { discountedReturns, scaleToUnitRms } from './discounted-returns.ts';
import { playEpisodes, policyOf, type EpisodeOptions, type Policy } from './play-episodes.ts';
import { FRAME_PIXELS } from './pong-frames.ts';

/** Karpathy's discount. */
const GAMMA = 0.99;
/** Karpathy's hidden layer. */
const HIDDEN = 200;
const EPISODE: EpisodeOptions = { points: 1, maxFrames: 2000 };
/** Evaluation episodes are seeded apart from training ones. */
const EVAL_SEED = 777_001;

export function buildPongPolicy({ seed }: { seed: number }): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [FRAME_PIXELS], units: HIDDEN, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
}

const episodeOptions = (config: Record<string, unknown>): EpisodeOptions => ({
  points: typeof config.points === 'number' && config.points >= 1 ? Math.floor(config.points) : EPISODE.points,
  maxFrames: EPISODE.maxFrames,
});

/**
 * REINFORCE over whole episodes: the worker plays its episodes with the current policy, then returns
 * the gradient of −mean_t(Aₜ · log π(aₜ|sₜ)) with Aₜ the discounted return scaled per episode
 * (per episode, not per shard, so the round's gradient does not depend on the split). The result is
 * weighted by its timesteps, so the coordinator's mean is a mean over every timestep of the round.
 */
const reinforce: CustomStep = {
  countIsIndices: false,
  compute({ model, config, indices, seed }) {
    const policy = policyOf(model);
    const episodes = playEpisodes(policy, seed, indices, episodeOptions(config));
    const T = episodes.reduce((s, e) => s + e.length, 0);
    const frames = new Float32Array(T * FRAME_PIXELS);
    const up = new Float32Array(T);
    const advantage = new Float32Array(T);
    let t = 0;
    for (const e of episodes) {
      frames.set(e.frames, t * FRAME_PIXELS);
      advantage.set(scaleToUnitRms(discountedReturns(e.rewards, GAMMA)), t);
      for (let i = 0; i < e.length; i++) up[t + i] = e.actions[i] === 0 ? 1 : 0;
      t += e.length;
    }
    const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
    let loss = 0;
    const grads = tf.tidy(() => {
      const x = tf.tensor2d(frames, [T, FRAME_PIXELS]);
      const y = tf.tensor2d(up, [T, 1]);
      const a = tf.tensor2d(advantage, [T, 1]);
      const { value, grads: g } = tf.variableGrads(() => {
        const p = tf.clipByValue(model.apply(x, { training: true }) as tf.Tensor, 1e-7, 1 - 1e-7);
        const logp = tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p))));
        return tf.neg(tf.mean(tf.mul(a, logp))) as tf.Scalar;
      }, vars);
      loss = value.dataSync()[0]!;
      return vars.map((v) => tf.keep(g[v.name]!));
    });
    const rewardSum = episodes.reduce((s, e) => s + e.return, 0);
    return { grads, count: T, loss, metrics: { rewardPerFrame: rewardSum / T } };
  },
  evaluate({ model, dataset, config }) {
    return { loss: NaN, metrics: { meanReturn: meanReturn(policyOf(model), dataset.test.n, config) } };
  },
};

/** Mean return of the uniformly random policy on the evaluation episodes: the figure to beat. */
export function randomPolicyReturn(ctx: Pick<ModelContext, 'dataset' | 'config'>): number {
  return meanReturn(null, ctx.dataset.test.n, ctx.config);
}

function meanReturn(policy: Policy, n: number, config: Record<string, unknown>): number {
  const ids = Array.from({ length: n }, (_, i) => i);
  return playEpisodes(policy, EVAL_SEED, ids, episodeOptions(config)).reduce((s, e) => s + e.return, 0) / n;
}

export const pong: ModelDefinition = {
  name: 'pong',
  summary: 'policy network 6400 → 200 relu → P(up), REINFORCE on Pong from 80×80 difference frames',
  teaches: 'reinforcement learning: policy gradients with discounted, normalised returns (Karpathy, "Pong from Pixels")',
  defaultDataset: 'pong',
  datasets: ['pong'],
  build: (ctx) => buildPongPolicy(ctx),
  // The supervised path is never taken: the custom step plays and scores episodes itself.
  loss: () => {
    throw new Error('pong trains through its custom step');
  },
  metrics: {},
  optimizer: { name: 'rmsprop', learningRate: 1e-3 },
  defaults: { batch: 10, epochs: 1 },
  options: { points: `points per episode (default ${EPISODE.points})` },
  customStep: reinforce,
  report: (ctx) => ({ randomPolicyMeanReturn: randomPolicyReturn(ctx), evaluationEpisodes: ctx.dataset.test.n }),
};
