export * from './types.ts';
export * from './registry.ts';
export { DEFAULT_TRIM } from './trimmed-mean.ts';
export { DEFAULT_CLIP_ITERATIONS } from './centered-clip.ts';
export { DEFAULT_MAX_NORM_RATIO } from './norm-filter.ts';
export { median, sumOfSquares } from './coordinates.ts';
