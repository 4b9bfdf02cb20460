export * from './tensor-codec.ts';
export * from './schema-hash.ts';
export * from './indices.ts';
