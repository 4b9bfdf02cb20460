/**
 * Discounted returns that restart at every point scored (rewards in Pong end a rally), then
 * normalised to zero mean and unit variance over the episode batch: the REINFORCE advantage of
 * "Pong from Pixels".
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
