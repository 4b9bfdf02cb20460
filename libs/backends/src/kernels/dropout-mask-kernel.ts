/**
 * Per-sample dropout masks as a kernel (libs/trainer/src/sample-dropout.ts defines them): row r's
 * unit j is kept, scaled by 1 / (1 − rate), where the (j+1)-th draw of mulberry32 seeded with
 * seeds[r] is at least rate·2³². mulberry32 adds a constant to its state at each draw, so draw j is
 * a hash of seed + (j+1)·MULBERRY_STEP (libs/data/src/seeded-random.ts): every unit can be drawn on
 * its own, by one GPU thread.
 */
export const DROPOUT_MASK_KERNEL = 'ShardgradDropoutMask';

export interface DropoutMaskAttrs {
  /** Units per row; the output is [seeds.length, perRow], float32. */
  perRow: number;
  rate: number;
}

/** The smallest 32-bit draw kept at `rate`, or 2³² (none kept): u / 2³² ≥ rate ⟺ u ≥ ⌈rate·2³²⌉ for whole u. */
export function keepThreshold(rate: number): number {
  return Math.ceil(rate * 4294967296);
}
