export * from './weights.ts';
export * from './gradients.ts';
export * from './aggregate.ts';
export * from './optimizer.ts';
export * from './evaluate.ts';
export * from './shard-computer.ts';
export * from './aggregators/index.ts';
