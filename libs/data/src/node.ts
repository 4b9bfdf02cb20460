// Node-only loaders (they read files); browser code imports '@shardgrad/data' instead.
export * from './mnist.node.ts';
export * from './idx.node.ts';
export * from './fashion-mnist.node.ts';
export * from './cifar10.node.ts';
export * from './datasets.node.ts';
export * from './seattle-temperature.node.ts';
