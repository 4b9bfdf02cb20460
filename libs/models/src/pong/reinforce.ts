import * as tf from '@tensorflow/tfjs';
import type { CustomStep } from '../types.ts';
import { discountedReturns } from './discounted-returns.ts';
import { playEpisodes, policyOf, type EpisodeOptions } from './play-episodes.ts';
import { FRAME_PIXELS } from './pong-frames.ts';
import { momentsOf, normaliseWith, returnStatistics } from './return-statistics.ts';
import { readAndDispose } from '../step-reads.ts';

export interface ReinforceOptions {
  episode: EpisodeOptions;
  gamma: number;
  /** How far each round moves the running return statistics towards its own. */
  statisticsRate: number;
}

/**
 * REINFORCE over whole episodes: the worker plays its episodes with the current policy, then returns
 * the gradient of −mean_t(Aₜ · log π(aₜ|sₜ)), with Aₜ the discounted return normalised by the running
 * statistics the weights carry (return-statistics.ts), and moves those statistics towards its own
 * timesteps. Nothing depends on which episodes share a worker, and the result is weighted by its
 * timesteps, so the coordinator's mean is the mean over every timestep of the round: the update of
 * one process playing the whole round.
 */
export function reinforceStep(options: (config: Record<string, unknown>) => ReinforceOptions): CustomStep {
  return {
    countIsIndices: false,
    *compute({ model, config, indices, seed }) {
      const o = options(config);
      const episodes = yield* playEpisodes(policyOf(model), seed, indices, o.episode);
      const T = episodes.reduce((s, e) => s + e.length, 0);
      const frames = new Float32Array(T * FRAME_PIXELS);
      const up = new Float32Array(T);
      const returns = new Float32Array(T);
      let t = 0;
      for (const e of episodes) {
        frames.set(e.frames, t * FRAME_PIXELS);
        returns.set(discountedReturns(e.rewards, o.gamma), t);
        for (let i = 0; i < e.length; i++) up[t + i] = e.actions[i] === 0 ? 1 : 0;
        t += e.length;
      }
      const stats = returnStatistics(model);
      const moments = momentsOf(yield stats.tensor());
      const advantage = normaliseWith(returns, moments);
      const vars = model.trainableWeights.map((w) => w.read() as tf.Variable);
      let lossTensor!: tf.Scalar;
      const grads = tf.tidy(() => {
        const x = tf.tensor2d(frames, [T, FRAME_PIXELS]);
        const y = tf.tensor2d(up, [T, 1]);
        const a = tf.tensor2d(advantage, [T, 1]);
        const { value, grads: g } = tf.variableGrads(() => {
          const p = tf.clipByValue(model.apply(x, { training: true }) as tf.Tensor, 1e-7, 1 - 1e-7);
          const logp = tf.add(tf.mul(y, tf.log(p)), tf.mul(tf.sub(1, y), tf.log(tf.sub(1, p))));
          return tf.neg(tf.mean(tf.mul(a, logp))) as tf.Scalar;
        }, vars);
        lossTensor = tf.keep(value);
        return vars.map((v) => g[v.name]!);
      });
      let loss: number;
      try {
        loss = (yield* readAndDispose(lossTensor))[0]!;
      } catch (e) {
        tf.dispose(grads);
        throw e;
      }
      // After the gradient, which used the statistics of the weights this round was given.
      stats.update(returns, o.statisticsRate, moments);
      const rewardSum = episodes.reduce((s, e) => s + e.return, 0);
      // Episodes per timestep as a metric: its timestep-weighted round mean is episodes / timesteps,
      // so rewardPerFrame / episodesPerFrame is the round's mean return per episode, whatever the split.
      return { grads, count: T, loss, metrics: { rewardPerFrame: rewardSum / T, episodesPerFrame: episodes.length / T } };
    },
  };
}
