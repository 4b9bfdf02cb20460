export * from './tensor-codec.ts';
export * from './schema-hash.ts';
export * from './indices.ts';
export * from './compressed-tensor.ts';
export * from './error-feedback.ts';
