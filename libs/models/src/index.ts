export * from './types.ts';
export * from './losses.ts';
export * from './metrics.ts';
export * from './registry.ts';
export { mnistMlp } from './mnist-mlp.ts';
export * from './model-options.ts';
export * from './layer-blocks.ts';
export { cnn, buildCnn } from './cnn.ts';
export { transfer, buildTransfer, BASE_PREFIX, TRANSFER_STAGES, type TransferStage } from './transfer.ts';
