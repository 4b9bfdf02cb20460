/**
 * Discounted returns that restart at every point scored (rewards in Pong end a rally): the
 * REINFORCE signal of "Pong from Pixels", normalised before use (see scaleToUnitRms).
 */
export function discountedReturns(rewards: ArrayLike<number>, gamma: number): Float32Array {
  const out = new Float32Array(rewards.length);
  let running = 0;
  for (let t = rewards.length - 1; t >= 0; t--) {
    if (rewards[t] !== 0) running = 0;
    running = running * gamma + rewards[t]!;
    out[t] = running;
  }
  return out;
}

export function normalise(x: Float32Array): Float32Array {
  const n = x.length;
  if (n === 0) return x;
  let mean = 0;
  for (const v of x) mean += v;
  mean /= n;
  let varSum = 0;
  for (const v of x) varSum += (v - mean) ** 2;
  const std = Math.sqrt(varSum / n) || 1;
  return x.map((v) => (v - mean) / std);
}

/**
 * Karpathy normalises over a batch of whole games. Here a worker sees only its own episodes, and a
 * round's gradient must not depend on how episodes were split, so each episode is normalised on its
 * own. Subtracting an episode's mean would erase the outcome of a one-point episode (every frame
 * shares the sign of its point), so only the scale is normalised: unit root-mean-square.
 */
export function scaleToUnitRms(x: Float32Array): Float32Array {
  let sq = 0;
  for (const v of x) sq += v * v;
  const rms = Math.sqrt(sq / Math.max(1, x.length)) || 1;
  return x.map((v) => v / rms);
}
