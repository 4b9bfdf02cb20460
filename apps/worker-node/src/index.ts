export * from './node-worker.ts';
export * from './in-process-workers.ts';
