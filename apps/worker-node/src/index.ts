export * from './node-worker.ts';
