import * as tf from '@tensorflow/tfjs';
import { deriveSeed, seededRandom } from '@shardgrad/data';
import { PongEnv, type Action, type Serve } from './pong-env.ts';
import { FRAME_PIXELS, differenceFrame, preprocess, renderCourt } from './pong-frames.ts';
import { readAndDispose, type Reads } from '../step-reads.ts';

export interface EpisodeOptions {
  /** An episode ends after this many points; short episodes give many more learning signals per minute. */
  points: number;
  /** Safety cap on decisions per episode. */
  maxFrames: number;
  /**
   * Environment frames per decision (Atari's frame skip): the action repeats and the policy sees the
   * motion over them. Fewer decisions per point make each one's share of the outcome larger.
   */
  repeat: number;
  serve: Serve;
}

export interface Episode {
  /** frames × 6400 difference frames, row-major. */
  frames: Float32Array;
  actions: Uint8Array;
  rewards: Float32Array;
  length: number;
  return: number;
}

/**
 * P(up) for a batch of frames (rows of 6400), as a tensor that playEpisodes reads and disposes;
 * `null` plays uniformly at random (the baseline).
 */
export type Policy = ((frames: Float32Array, n: number) => tf.Tensor) | null;

export function policyOf(model: tf.LayersModel): (frames: Float32Array, n: number) => tf.Tensor {
  return (frames, n) => tf.tidy(() => model.predict(tf.tensor2d(frames, [n, FRAME_PIXELS])) as tf.Tensor);
}

/**
 * Plays episodes in lockstep, so each frame costs one batched forward pass for all of them.
 * Each episode's randomness (serves, action sampling) comes from (seed, its id) only, so it replays
 * identically on whichever worker gets it, in whatever company.
 */
export function* playEpisodes(policy: Policy, seed: number, episodeIds: ArrayLike<number>, o: EpisodeOptions): Reads<Episode[]> {
  const runs = Array.from(episodeIds, (id) => {
    const rnd = seededRandom(deriveSeed(seed, id));
    return { rnd, env: new PongEnv(rnd, o.serve), frames: [] as Float32Array[], actions: [] as number[], rewards: [] as number[], previous: undefined as Float32Array | undefined, points: 0, total: 0 };
  });
  const live = () => runs.filter((r) => r.points < o.points && r.frames.length < o.maxFrames);
  for (let active = live(); active.length > 0; active = live()) {
    const batch = new Float32Array(active.length * FRAME_PIXELS);
    active.forEach((r, i) => {
      const current = preprocess(renderCourt(r.env.state));
      const x = differenceFrame(current, r.previous);
      r.previous = current;
      r.frames.push(x);
      batch.set(x, i * FRAME_PIXELS);
    });
    const pUp = policy ? yield* readAndDispose(policy(batch, active.length)) : null;
    active.forEach((r, i) => {
      const action: Action = r.rnd() < (pUp ? pUp[i]! : 0.5) ? 0 : 1;
      let reward = 0;
      for (let k = 0; k < o.repeat && r.points < o.points; k++) {
        const s = r.env.step(action);
        reward += s.reward;
        if (s.pointOver) r.points++;
      }
      r.actions.push(action);
      r.rewards.push(reward);
      r.total += reward;
    });
  }
  return runs.map((r) => {
    const flat = new Float32Array(r.frames.length * FRAME_PIXELS);
    r.frames.forEach((f, i) => flat.set(f, i * FRAME_PIXELS));
    return { frames: flat, actions: Uint8Array.from(r.actions), rewards: Float32Array.from(r.rewards), length: r.frames.length, return: r.total };
  });
}
