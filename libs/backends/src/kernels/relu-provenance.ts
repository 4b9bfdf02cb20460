/**
 * Which tensors (by tfjs data id) are a relu's output, and which gradients already carry that
 * relu's own gradient. A conv layer with relu feeding a max pool is the common case: the pool's
 * gradient can gate itself by its window maxima, and the conv's gradient then skips its relu
 * pass, one read of two activation-sized tensors and one write fewer per layer. Weak sets: an
 * entry goes with its tensor.
 */
const reluOutputs = new WeakSet<object>();
const reluGated = new WeakSet<object>();
const poolWinners = new WeakMap<object, Uint8Array>();

export function markReluOutput(dataId: object): void {
  reluOutputs.add(dataId);
}

export function isReluOutput(dataId: object): boolean {
  return reluOutputs.has(dataId);
}

/** A gradient with respect to a relu's output that is zero wherever that output is. */
export function markReluGated(dataId: object): void {
  reluGated.add(dataId);
}

export function isReluGated(dataId: object): boolean {
  return reluGated.has(dataId);
}

/**
 * A 2×2 max pool over a relu's output keeps, per output value, its window's winning cell (0..3, or 4
 * where the relu passes nothing), so that its gradient need not read the activation again.
 */
export function rememberPoolWinners(pooledDataId: object, winners: Uint8Array): void {
  poolWinners.set(pooledDataId, winners);
}

export function poolWinnersOf(pooledDataId: object): Uint8Array | undefined {
  return poolWinners.get(pooledDataId);
}
