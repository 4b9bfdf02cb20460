import * as tf from '@tensorflow/tfjs';
import type { ModelContext, ModelDefinition } from '../types.ts';
import { readSync } from '../step-reads.ts';
import { playEpisodes, policyOf, type EpisodeOptions, type Policy } from './play-episodes.ts';
import { FRAME_PIXELS } from './pong-frames.ts';
import { SERVES, type Serve } from './pong-env.ts';
import { reinforceStep, type ReinforceOptions } from './reinforce.ts';
import { ReturnStatistics } from './return-statistics.ts';
import { ModelConfigError } from '../model-options.ts';
import { choice, intInRange } from '../option-values.ts';

/** Karpathy's discount. */
const GAMMA = 0.99;
/**
 * Karpathy's hidden layer has 200 units. Measured here, 32 learned no slower per episode (−0.52 vs
 * −0.60 after 4,000 episodes) and played about 3× more episodes per second on a wasm core.
 */
const HIDDEN = 32;
/**
 * One point per episode: many more outcomes per minute. Four frames per decision (the frame skip of
 * the Atari agents): a serve then takes about five decisions to reach the paddle instead of twenty.
 */
const EPISODE: EpisodeOptions = { points: 1, maxFrames: 2000, repeat: 4, serve: 'random' };
/** A round moves the running return statistics 10% of the way to its own. */
const STATISTICS_RATE = 0.1;
/** Evaluation episodes are seeded apart from training ones. */
const EVAL_SEED = 777_001;
/**
 * 100 episodes of ±1 give the mean return a standard error near 0.09 (the random policy scored −0.70
 * on the evaluation set and −0.82 on 1,000 others), so the report repeats the comparison on this many
 * further episodes, seeded apart from both.
 */
const CHECK_EPISODES = 1000;
const CHECK_SEED = 777_002;

/** Most points per episode and frames per decision the options allow: more only makes episodes endless. */
const MAX_POINTS = 21;
const MAX_REPEAT = 16;
const MAX_CHECK_EPISODES = 100_000;

/** Pong's own options, checked: a bad value is an error naming what is allowed, never a silent default. */
export interface PongSettings {
  points: number;
  repeat: number;
  hidden: number;
  gamma: number;
  checkEpisodes: number;
  serve: Serve;
}

export function pongSettings(config: Record<string, unknown>): PongSettings {
  const gamma = config.gamma ?? GAMMA;
  if (typeof gamma !== 'number' || !(gamma >= 0 && gamma <= 1)) throw new ModelConfigError(`pong option gamma must be a discount in [0, 1], got ${JSON.stringify(gamma)}`);
  return {
    points: intInRange(config, 'points', 1, MAX_POINTS, EPISODE.points),
    repeat: intInRange(config, 'repeat', 1, MAX_REPEAT, EPISODE.repeat),
    hidden: intInRange(config, 'hidden', 1, 4096, HIDDEN),
    gamma,
    checkEpisodes: intInRange(config, 'checkEpisodes', 0, MAX_CHECK_EPISODES, CHECK_EPISODES),
    serve: choice(config, 'serve', SERVES, EPISODE.serve),
  };
}

export function buildPongPolicy({ seed, config = {} }: { seed: number; config?: Record<string, unknown> }): tf.LayersModel {
  // Every option is checked here, when the coordinator builds the model, so a bad one stops the run before it starts.
  const { hidden } = pongSettings(config);
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [FRAME_PIXELS], units: hidden, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
      new ReturnStatistics({}),
    ],
  });
}

const episodeOptions = (config: Record<string, unknown>): EpisodeOptions => {
  const s = pongSettings(config);
  return { points: s.points, maxFrames: EPISODE.maxFrames, repeat: s.repeat, serve: s.serve };
};

const reinforceOptions = (config: Record<string, unknown>): ReinforceOptions => ({
  episode: episodeOptions(config),
  gamma: pongSettings(config).gamma,
  statisticsRate: STATISTICS_RATE,
});

const reinforce = {
  ...reinforceStep(reinforceOptions),
  evaluate({ model, dataset, config }: ModelContext) {
    return { loss: NaN, metrics: { meanReturn: meanReturn(policyOf(model), dataset.test.n, config) } };
  },
};

/** Mean return of the uniformly random policy on the evaluation episodes: the figure to beat. */
export function randomPolicyReturn(ctx: Pick<ModelContext, 'dataset' | 'config'>): number {
  return meanReturn(null, ctx.dataset.test.n, ctx.config);
}

function meanReturn(policy: Policy, n: number, config: Record<string, unknown>, seed = EVAL_SEED): number {
  const ids = Array.from({ length: n }, (_, i) => i);
  return readSync(playEpisodes(policy, seed, ids, episodeOptions(config))).reduce((s, e) => s + e.return, 0) / n;
}

/** The report: the random policy on the evaluation episodes, then both policies on many more. */
function report(ctx: ModelContext): Record<string, number> {
  const n = pongSettings(ctx.config).checkEpisodes;
  const figures: Record<string, number> = { randomPolicyMeanReturn: randomPolicyReturn(ctx), evaluationEpisodes: ctx.dataset.test.n };
  if (n === 0) return figures;
  return { ...figures, checkEpisodes: n, checkMeanReturn: meanReturn(policyOf(ctx.model), n, ctx.config, CHECK_SEED), checkRandomMeanReturn: meanReturn(null, n, ctx.config, CHECK_SEED) };
}

export const pong: ModelDefinition = {
  name: 'pong',
  summary: `policy network 6400 → ${HIDDEN} relu → P(up), REINFORCE on Pong from 80×80 difference frames`,
  teaches: 'reinforcement learning: policy gradients with discounted, normalised returns (Karpathy, "Pong from Pixels")',
  defaultDataset: 'pong',
  datasets: ['pong'],
  build: (ctx) => buildPongPolicy(ctx),
  // The supervised path is never taken: the custom step plays and scores episodes itself.
  loss: () => {
    throw new Error('pong trains through its custom step');
  },
  metrics: {},
  optimizer: { name: 'adam', learningRate: 3e-3 },
  // 20 episodes a round learned more per episode than 40 (−0.30 vs −0.44 after 8,000); 4 passes over
  // the 2,000 episode ids (each round seeds its own episodes) make 400 rounds, 8,000 episodes.
  defaults: { batch: 20, epochs: 4 },
  options: {
    points: `points per episode, 1 to ${MAX_POINTS} (default ${EPISODE.points})`,
    repeat: `environment frames per decision, 1 to ${MAX_REPEAT} (default ${EPISODE.repeat})`,
    hidden: `hidden units, 1 to 4096 (default ${HIDDEN}; Karpathy's 200 learns too, about 3× slower per second)`,
    gamma: `discount per decision in [0, 1] (default ${GAMMA})`,
    checkEpisodes: `further episodes on which the report compares the policy with the random one, 0 to ${MAX_CHECK_EPISODES} (default ${CHECK_EPISODES}; 0: none)`,
    serve: `${SERVES.join(' or ')} (default ${EPISODE.serve}; top: a level serve where "up" always wins the return, for tests)`,
  },
  customStep: reinforce,
  learningCurve: {
    metric: 'meanReturn',
    label: 'pong: mean return per one-point episode (evaluation: the held-out episodes; +1 win, −1 loss)',
    baselineFigure: 'randomPolicyMeanReturn',
    // Timestep-weighted round means: reward per timestep over episodes per timestep = return per episode.
    fromRound: (m) => (m.rewardPerFrame ?? NaN) / (m.episodesPerFrame ?? NaN),
  },
  report,
};
