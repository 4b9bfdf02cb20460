export * from './node-worker.ts';
export * from './in-process-workers.ts';
export * from './worker-ending.ts';
