/**
 * Discounted returns that restart at every point scored (rewards in Pong end a rally): the
 * REINFORCE signal of "Pong from Pixels", normalised before use by the running statistics the
 * weights carry (return-statistics.ts).
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
