export * from './types.ts';
export * from './losses.ts';
export * from './metrics.ts';
export * from './registry.ts';
export { mnistMlp } from './mnist-mlp.ts';
