export * from './format-prediction.ts';
export * from './local-workers.ts';
